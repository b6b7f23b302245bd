import { Command, CommanderError } from 'commander';
import { defaultDataDir } from '../main/core/paths';
import { evalCommand } from './commands/eval';
import { executeCommand } from './commands/execute';
import { approveCommand, denyCommand, interveneCommand } from './commands/intervene';
import { modelsCommand } from './commands/models';
import { provenanceCommand } from './commands/provenance';
import { sandboxCommand } from './commands/sandbox';
import { specCommand } from './commands/spec';
import { statusCommand } from './commands/status';
import { tasksCommand } from './commands/tasks';
import { waiverCommand } from './commands/waiver';
import { exportCommand } from './export';
import { exitCodeOfError, finishProgram } from './program';
import { serve } from './serve';
import { simulateCommand } from './simulate';
import { verifyCommand } from './verify';
import { mcpCommand } from './mcp';
import { federationCommand } from './commands/federation';
import { alertsCommand, sloCommand } from './commands/slo';
import { logsCommand } from './commands/logs';
import { toolsCommand } from './commands/tools';
import { knowledgeCommand } from './commands/knowledge';
import { promoteCommand, retryCommand } from './commands/promote';
import { openCommand } from './open';
import pkg from '../../package.json' with { type: 'json' };

const program = new Command();
program
  .name('agent-agency')
  .description('Run autonomous coding agents locally, under governance you can see and control.')
  .showHelpAfterError()
  .version(pkg.version, '-V, --version', 'print the version');

program
  .command('open')
  .description("print the running app's current address with its access token, and open it in the browser where there is one")
  .option('-d, --data-dir <dir>', 'data folder', defaultDataDir())
  .option('--print', 'only print the address; do not start a browser')
  .option('--json', 'print the address as JSON')
  .action(async (opts: { dataDir: string; json?: boolean; print?: boolean }) => {
    process.exitCode = await openCommand(opts);
  });

program
  .command('serve')
  .description('run the headless host: the app in your browser on 127.0.0.1, guarded by a per-launch token')
  .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '4317')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('-d, --data-dir <dir>', 'data folder', defaultDataDir())
  .option('--json', 'print the address and token as one JSON line')
  .option('--verbose', 'also stream the log to the terminal (it always goes to logs/agent-agency.log in the data folder)')
  .action(serve);

program
  .command('simulate')
  .description('replay a thermal trace against a synthetic workload on a fake clock and print what the scheduler did')
  .requiredOption('-t, --trace <file>', 'trace to replay (JSON lines; see resources/traces/)')
  .option('-s, --settings <file>', 'JSON file with scheduler settings to change (a partial settings object)')
  .option('--json', 'print the report as one JSON line')
  .action(simulateCommand);

program
  .command('export')
  .description("write a task's signed audit bundle (one JSON file; any task, dry-run ones too)")
  .argument('<task>', 'task id')
  .requiredOption('-o, --output <file>', 'bundle file to write')
  .option('-d, --data-dir <dir>', 'data folder', defaultDataDir())
  .option('--include-trace', "also carry the task's OpenTelemetry trace (the spans kept in the data folder); exit 5 when none is kept")
  .option('--json', 'print the path, size and sha256 as JSON')
  .action(async (task: string, opts: { output: string; dataDir: string; json?: boolean; includeTrace?: boolean }) => {
    process.exitCode = await exportCommand(task, opts);
  });

program
  .command('verify')
  .description('verify an audit bundle offline: hashes, record chain, signatures; exit 1 naming each problem')
  .argument('<bundle>', 'bundle file')
  .option('-k, --key <file...>', "trusted public key(s): a JWK, JWKS or an installation's keys/history.json")
  .option('--json', 'print the verification report as JSON')
  .option('--sources <dir>', "a directory holding the files the bundle's sources name (workspace or repository files by path, attachments by name): their hashes are checked")
  .action(async (bundle: string, opts: { key?: string[]; json?: boolean; sources?: string }) => {
    process.exitCode = await verifyCommand(bundle, opts);
  });

program
  .command('mcp')
  .description("serve the app's own tools (submit, list, status, events, intervene, approve) as an MCP server on stdin/stdout")
  .option('-d, --data-dir <dir>', 'data folder', defaultDataDir())
  .option('--as <name>', "who the audit trail records for interventions and approvals (default: the MCP client's name)")
  .action(mcpCommand);

program
  .addCommand(executeCommand())
  .addCommand(tasksCommand())
  .addCommand(interveneCommand())
  .addCommand(approveCommand())
  .addCommand(denyCommand())
  .addCommand(waiverCommand())
  .addCommand(specCommand())
  .addCommand(modelsCommand())
  .addCommand(provenanceCommand())
  .addCommand(statusCommand())
  .addCommand(evalCommand())
  .addCommand(promoteCommand())
  .addCommand(retryCommand())
  .addCommand(federationCommand())
  .addCommand(sloCommand())
  .addCommand(alertsCommand())
  .addCommand(logsCommand())
  .addCommand(sandboxCommand())
  .addCommand(toolsCommand())
  .addCommand(knowledgeCommand());
finishProgram(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  const code = exitCodeOfError(e);
  // Commander has already printed its own usage errors.
  if (!(e instanceof CommanderError)) process.stderr.write(`agent-agency: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(code);
});

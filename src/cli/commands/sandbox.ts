import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { defaultDataDir } from '../../main/core/paths';
import { createLogger } from '../../main/core/observability/logger';
import { buildPolicy, detectSandbox, SandboxService, type SandboxDetection } from '../../main/core/sandbox';
import { EXIT } from '../exit-codes';
import { processIo, type Io } from '../io';

type ExecOptions = { workspace: string; allowNetwork?: boolean; timeout?: string; dataDir: string; json?: boolean };

/**
 * `agent-agency sandbox exec` runs a command under exactly the policy the gates use (the same
 * `buildPolicy`), so users can debug their own gate commands; `sandbox check` says which sandbox
 * this machine has.
 */
export function sandboxCommand(io: Io = processIo, detect: () => Promise<SandboxDetection> = detectSandbox): Command {
  const cmd = new Command('sandbox').description('the sandbox every model-, spec- or tool-caused command runs in');

  cmd
    .command('check')
    .description('say which sandbox this machine has; exits 4 when there is none')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const d = await detect();
      if (opts.json) io.out(`${JSON.stringify(d.available ? { available: true, kind: d.backend.kind, description: d.backend.description } : { available: false, reason: d.reason, installHint: d.installHint })}\n`);
      else if (d.available) io.out(`sandbox: ${d.backend.kind} — ${d.backend.description}\n`);
      else io.err(`no sandbox: ${d.reason}\nto install one: ${d.installHint}\n`);
      process.exitCode = d.available ? EXIT.ok : EXIT.unavailable;
    });

  cmd
    .command('exec')
    .description("run a command under the gates' sandbox policy; exits with the command's exit code")
    .requiredOption('-w, --workspace <dir>', 'the only folder the command may write (its .git stays read-only)')
    .option('--allow-network', 'let the command use the network (off for gates unless the task grants it)')
    .option('-t, --timeout <seconds>', 'wall-time limit in seconds', '600')
    .option('-d, --data-dir <dir>', "the app's data folder (hidden from the command)", defaultDataDir())
    .option('--json', 'print the result (exit code, denial, output tails) as JSON instead of passing the output through')
    .argument('<command...>', 'the command and its arguments (put them after --)')
    .action(async (argv: string[], opts: ExecOptions) => {
      process.exitCode = await exec(argv, opts, io, detect);
    });
  return cmd;
}

async function exec(argv: string[], opts: ExecOptions, io: Io, detect: () => Promise<SandboxDetection>): Promise<number> {
  const workspace = resolve(opts.workspace);
  const isDir = (() => {
    try {
      return statSync(workspace).isDirectory();
    } catch {
      return false;
    }
  })();
  if (!isDir) {
    io.err(`agent-agency: --workspace: ${workspace} is not an existing folder\n`);
    return EXIT.usage;
  }
  const seconds = Number(opts.timeout);
  if (!Number.isInteger(seconds) || seconds <= 0) {
    io.err('agent-agency: --timeout: must be a whole number of seconds above 0\n');
    return EXIT.usage;
  }
  const service = new SandboxService({ logger: createLogger({ level: 'silent' }), detection: await detect() });
  const policy = buildPolicy({ workspaceDir: workspace, dataDir: opts.dataDir, network: Boolean(opts.allowNetwork), limits: { wallTimeMs: seconds * 1000 } });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const result = await service.run(argv, { cwd: process.cwd().startsWith(workspace) ? process.cwd() : workspace, policy, signal: controller.signal }).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
  if (opts.json) {
    io.out(`${JSON.stringify({ exitCode: result.exitCode, signal: result.signal, sandbox: result.sandbox, denial: result.denial ?? null, stdout: result.stdout, stderr: result.stderr, truncated: result.truncated })}\n`);
  } else {
    if (result.stdout) io.out(result.stdout);
    if (result.stderr) io.err(result.stderr);
    if (result.truncated) io.err('agent-agency: (output truncated to its last part)\n');
  }
  if (result.denial) io.err(`agent-agency: denied: ${result.denial.message}\n`);
  if (result.denial?.kind === 'no-sandbox') return EXIT.unavailable;
  if (result.denial?.kind === 'cancelled') return EXIT.interrupted;
  return result.exitCode ?? EXIT.failure;
}

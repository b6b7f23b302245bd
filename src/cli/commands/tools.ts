import { resolve } from 'node:path';
import { Command } from 'commander';
import { cliActor } from '../actor';
import { action, parseInput, withClient, withCommonOptions, type CommandContext, type CommonOptions } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { table } from '../format';
import { processIo, type Io } from '../io';

type AddOptions = CommonOptions & { env?: string[]; cwd?: string; replace?: boolean; disabled?: boolean };
type CallOptions = CommonOptions & { workspace?: string; args?: string; scope?: string[]; approve?: boolean };

const ADD_FLAGS = { config: '<name> -- <command>' };
const CALL_FLAGS = { tool: '<server.tool>', workspace: '--workspace', arguments: '--args', scope: '--scope' };

/** MCP servers from the command line: add, list, remove, and a governed call scoped to a folder. */
export function toolsCommand(io: Io = processIo): Command {
  const add = new Command('add-server')
    .description('add an MCP server run over stdio: agent-agency tools add-server <name> -- <command> [args...]')
    .argument('<name>', 'server name (letters, digits, - and _; tools are then named <name>.<tool>)')
    .argument('<command...>', 'the command and its arguments, after --')
    .option('--env <KEY=VALUE...>', 'environment variables for the server (values stay in the core)')
    .option('--cwd <dir>', 'folder the server starts in')
    .option('--replace', 'replace a server of the same name')
    .option('--disabled', 'add it switched off');
  withCommonOptions(add).action(action(addServer, io));
  const list = new Command('list').description('configured servers, their health and tools');
  withCommonOptions(list).action(action(listServers, io));
  const remove = new Command('remove').description('remove a server configured in Settings').argument('<name>', 'server name');
  withCommonOptions(remove).action(action(removeServer, io));
  const call = new Command('call')
    .description('call one tool through the same gateway, path guard and permissions as a task, scoped to a folder; a refusal exits 6 naming the argument')
    .argument('<server.tool>', 'qualified tool name')
    .requiredOption('--workspace <dir>', 'the folder the call is confined to (every path argument must resolve inside it)')
    .option('--args <json>', 'the arguments as one JSON object', '{}')
    .option('--scope <paths...>', 'where writes may go, relative to the workspace (none: the call may only read)')
    .option('--approve', 'approve an `ask` tool for this one call (otherwise it is refused: nobody else can be asked)');
  withCommonOptions(call).action(action(callTool, io));
  return new Command('tools').description('MCP tool servers and governed tool calls').addCommand(add).addCommand(list).addCommand(remove).addCommand(call);
}

function parseEnv(pairs: readonly string[]): Record<string, string> | string {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return `--env: "${pair}" must be KEY=VALUE`;
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

async function addServer(ctx: CommandContext, name: string, commandLine: string[]): Promise<ExitCode> {
  const o = ctx.options as AddOptions;
  const env = parseEnv(o.env ?? []);
  if (typeof env === 'string') return ctx.fail({ code: 'invalid_input', message: env });
  const [command, ...args] = commandLine;
  const input = parseInput('addToolServer', {
    config: { name, enabled: !o.disabled, transport: { kind: 'stdio', command, args, env, ...(o.cwd ? { cwd: resolve(o.cwd) } : {}) } },
    replace: Boolean(o.replace),
  });
  if (!input.ok) return ctx.fail(input.error, ADD_FLAGS);
  return withClient(ctx, async (client) => {
    const r = await client.call('addToolServer', input.value);
    if (!r.ok) return ctx.fail(r.error, ADD_FLAGS);
    ctx.print(r.value, () => `Added tool server ${r.value.name} (${r.value.target}); it starts on first use. Its tools ask before running until you set a permission.`);
    return EXIT.ok;
  });
}

async function listServers(ctx: CommandContext): Promise<ExitCode> {
  return withClient(ctx, async (client) => {
    const r = await client.call('listToolServers', {});
    if (!r.ok) return ctx.fail(r.error);
    ctx.print(r.value, () =>
      r.value.length === 0
        ? 'No tool servers. Add one: agent-agency tools add-server <name> -- <command> [args...]'
        : table(
            ['NAME', 'HEALTH', 'TOOLS', 'SOURCE', 'PERMISSION', 'COMMAND'],
            r.value.map((s) => [s.name, s.lastError && s.health !== 'running' ? `${s.health}: ${s.lastError}` : s.health, String(s.tools), s.source, s.permission, s.target]),
            ctx.io.columns,
          ),
    );
    return EXIT.ok;
  });
}

async function removeServer(ctx: CommandContext, name: string): Promise<ExitCode> {
  const input = parseInput('removeToolServer', { name });
  if (!input.ok) return ctx.fail(input.error, { name: '<name>' });
  return withClient(ctx, async (client) => {
    const r = await client.call('removeToolServer', input.value);
    if (!r.ok) return ctx.fail(r.error, { name: '<name>' });
    if (!r.value.removed) return ctx.fail({ code: 'not_found', message: `no tool server named ${name} in Settings (servers from mcp.json are removed by editing that file)` });
    ctx.print(r.value, () => `Removed tool server ${name}.`);
    return EXIT.ok;
  });
}

async function callTool(ctx: CommandContext, tool: string): Promise<ExitCode> {
  const o = ctx.options as CallOptions;
  let args: unknown;
  try {
    args = JSON.parse(o.args ?? '{}');
  } catch (e) {
    return ctx.fail({ code: 'invalid_input', message: `--args: not JSON (${e instanceof Error ? e.message : String(e)})`, issues: [{ path: 'arguments', message: 'must be a JSON object' }] }, CALL_FLAGS);
  }
  const input = parseInput('callTool', {
    tool,
    workspace: o.workspace === undefined ? undefined : resolve(o.workspace),
    arguments: args,
    scope: o.scope ?? [],
    approve: Boolean(o.approve),
    actor: cliActor(),
  });
  if (!input.ok) return ctx.fail(input.error, CALL_FLAGS);
  return withClient(ctx, async (client) => {
    const r = await client.call('callTool', input.value);
    if (!r.ok) return ctx.fail(r.error, CALL_FLAGS);
    const report = r.value;
    if (report.status === 'denied') {
      if (ctx.json) ctx.print(report, () => '');
      else ctx.io.err(`agent-agency: ${report.tool} refused (${report.rule}): ${report.reason}\n`);
      return EXIT.denied;
    }
    ctx.print(report, () => (report.status === 'ok' ? report.text : `${report.tool} failed: ${report.error ?? report.text}`));
    return report.status === 'ok' ? EXIT.ok : EXIT.failure;
  });
}

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { channels, type ChannelInput, type ChannelName } from '../shared/contract';
import { describeZodError, err, ok, type AppError, type Result } from '../shared/errors';
import { defaultDataDir } from '../main/core/paths';
import { connect, type Target } from './client/connect';
import type { AgencyClient } from './client/types';
import { EXIT, exitCodeFor, type ExitCode } from './exit-codes';
import { processIo, type Io } from './io';

export type CommonOptions = { dataDir?: string; json?: boolean; remote?: boolean; inProcess?: boolean };

/** Options every command that reaches the core takes. */
export function withCommonOptions(cmd: Command, what: { target?: boolean } = {}): Command {
  cmd.option('-d, --data-dir <dir>', 'data folder (default: AGENT_AGENCY_DATA_DIR or the platform folder)');
  cmd.option('--json', 'print JSON for scripts instead of text');
  if (what.target !== false) {
    cmd.option('--remote', 'only talk to a running instance; exit 4 when none answers');
    cmd.option('--in-process', 'open the core in this process even if an instance is running');
  }
  return cmd;
}

/** What a command body gets: its output, its options and, on first use, a client. */
export class CommandContext {
  private connecting: Promise<Result<AgencyClient>> | undefined;
  readonly dataDir: string;
  readonly json: boolean;

  constructor(
    readonly io: Io,
    readonly options: CommonOptions,
    /** Where the client comes from; the data folder's instance or core unless a test says otherwise. */
    private readonly connector?: () => Promise<Result<AgencyClient>>,
  ) {
    this.dataDir = resolve(options.dataDir ?? defaultDataDir());
    this.json = Boolean(options.json);
  }

  /** `engine`: the command runs or steers tasks, so an in-process core runs the task engine. */
  client(options: { engine?: boolean } = {}): Promise<Result<AgencyClient>> {
    const target: Target = this.options.remote ? 'remote' : this.options.inProcess ? 'in-process' : 'auto';
    const command = `agent-agency ${process.argv.slice(2, 4).join(' ')}`.slice(0, 120);
    this.connecting ??= this.connector ? this.connector() : connect(this.dataDir, target, { ...options, command });
    return this.connecting;
  }

  /** JSON of `value` with --json, else the text `human` makes. */
  print(value: unknown, human: () => string): void {
    if (this.json) this.io.out(`${JSON.stringify(value, null, 2)}\n`);
    else {
      const text = human();
      if (text) this.io.out(text.endsWith('\n') ? text : `${text}\n`);
    }
  }

  /**
   * Reports an error and returns its exit code. `flags` names the option behind an input field, so
   * `riskTier: must be 1, 2 or 3` reads `--tier: must be 1, 2 or 3`.
   */
  fail(error: AppError, flags: Readonly<Record<string, string>> = {}): ExitCode {
    const rename = (path: string) => {
      const head = path.split(/[.[]/)[0] ?? path;
      return flags[head] !== undefined ? `${flags[head]}${path.slice(head.length)}` : path;
    };
    const issues = error.issues?.map((i) => ({ path: rename(i.path), message: i.message }));
    const shown: AppError = issues ? { ...error, issues, message: issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ') } : error;
    if (this.json) this.io.out(`${JSON.stringify({ error: shown }, null, 2)}\n`);
    else if (issues && issues.length > 1) {
      this.io.err(`agent-agency: ${issues.length} problems:\n${issues.map((i) => `  ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n')}\n`);
    } else this.io.err(`agent-agency: ${shown.message}\n`);
    return exitCodeFor(error.code);
  }

  async close(): Promise<void> {
    const connected = await this.connecting;
    if (connected?.ok) await connected.value.close();
  }
}

/**
 * Wraps a command body for commander: builds the context from the command's options, closes the
 * client afterwards and sets the exit code the body returned (an unexpected throw is exit 1).
 */
export function action<A extends unknown[]>(body: (ctx: CommandContext, ...args: A) => Promise<ExitCode>, io: Io = processIo) {
  return async (...raw: unknown[]): Promise<void> => {
    const command = raw[raw.length - 1] as Command;
    const args = raw.slice(0, -2) as A;
    const ctx = new CommandContext(io, command.optsWithGlobals<CommonOptions>());
    // If the process ever ends before the body answers, it must not look like success.
    process.exitCode = EXIT.failure;
    let code: ExitCode;
    try {
      code = await body(ctx, ...args);
    } catch (e) {
      io.err(`agent-agency: ${e instanceof Error ? e.message : String(e)}\n`);
      code = EXIT.failure;
    } finally {
      await ctx.close();
    }
    process.exitCode = code;
  };
}

/** Runs `work` with a connected client, or reports why there is none. */
export async function withClient(
  ctx: CommandContext,
  work: (client: AgencyClient) => Promise<ExitCode>,
  options: { engine?: boolean } = {},
): Promise<ExitCode> {
  const client = await ctx.client(options);
  if (!client.ok) return ctx.fail(client.error);
  return work(client.value);
}

/**
 * Checks what the command line produced against the channel's schema before anything is sent,
 * so a bad flag is reported by name (`--tier: …`) without a round trip; the core parses it again.
 */
export function parseInput<C extends ChannelName>(channel: C, raw: unknown): Result<ChannelInput<C>> {
  const parsed = channels[channel].input.safeParse(raw);
  if (parsed.success) return ok(parsed.data as ChannelInput<C>);
  const { message, issues } = describeZodError(parsed.error);
  return err('invalid_input', message, issues);
}

/** A number from a flag; text that is not one is passed on so the schema names the flag. */
export const numberOr = (text: string | undefined): number | string | undefined =>
  text !== undefined && /^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : text;

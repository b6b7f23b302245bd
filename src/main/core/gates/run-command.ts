import { resolve } from 'node:path';
import { defaultSandboxService } from '../sandbox/default-service';
import { buildPolicy } from '../sandbox/policy';
import type { SandboxService } from '../sandbox/sandbox-service';
import type { SandboxDenial, SandboxKind } from '../sandbox/types';

export type CommandResult = {
  exitCode: number | null;
  /** Signal that ended the process, if one did. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** The last `maxOutputBytes` of stdout and stderr, interleaved as they arrived. */
  output: string;
  durationMs: number;
  /** Set when the command could not be started at all (no sandbox included). */
  spawnError?: string;
  /** What the sandbox refused or which limit ended the run. */
  denial?: SandboxDenial;
  sandbox?: SandboxKind;
};

export type RunCommandOptions = {
  command: string;
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Extra environment variables; the host's environment never reaches the command. */
  env?: Record<string, string>;
  maxOutputBytes?: number;
  /** The folder the command may write (defaults to `cwd`). */
  workspaceDir?: string;
  /** The app's data folder, hidden from the command. */
  dataDir?: string;
  /** Outbound network, only when the task or a standing grant allows it. */
  network?: boolean;
  /** The sandbox to run in; without one, this machine's real sandbox (never none). */
  sandbox?: SandboxService;
  /** The task the command serves (journals a run without a sandbox on it). */
  taskId?: string;
};

/**
 * Runs a project's own check (`npm test`'s script, `make lint`, an acceptance criterion's command)
 * through `sh -c` INSIDE the sandbox: writes only in the workspace, no network unless granted,
 * secrets hidden, limits, and the whole tree killed on timeout or abort. Without a sandbox it fails
 * closed (`spawnError` says how to install one) unless the user turned on running without one.
 */
export async function runCommand(options: RunCommandOptions): Promise<CommandResult> {
  if (options.signal?.aborted) return { exitCode: null, signal: null, timedOut: false, aborted: true, output: '', durationMs: 0 };
  const sandbox = options.sandbox ?? (await defaultSandboxService());
  const policy = buildPolicy({
    workspaceDir: resolve(options.workspaceDir ?? options.cwd),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    network: options.network ?? false,
    limits: { wallTimeMs: options.timeoutMs, maxOutputBytes: options.maxOutputBytes ?? 64 * 1024 },
  });
  const r = await sandbox.run(options.command, { cwd: options.cwd, policy, ...(options.taskId ? { taskId: options.taskId } : {}), ...(options.signal ? { signal: options.signal } : {}), ...(options.env ? { env: options.env } : {}) });
  const kind = r.denial?.kind;
  let output = r.output;
  if (r.denial && kind !== 'wall-time' && kind !== 'cancelled') output = `${output}${output.endsWith('\n') || !output ? '' : '\n'}[sandbox] ${r.denial.message}\n`;
  return {
    exitCode: r.exitCode,
    signal: r.signal,
    timedOut: kind === 'wall-time',
    aborted: kind === 'cancelled',
    output,
    durationMs: r.durationMs,
    sandbox: r.sandbox,
    ...(r.denial ? { denial: r.denial } : {}),
    ...(kind === 'no-sandbox' || kind === 'spawn' ? { spawnError: r.denial!.message } : {}),
  };
}

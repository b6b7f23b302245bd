import type { SandboxPolicy } from './policy';

export type SandboxKind = 'bubblewrap' | 'sandbox-exec' | 'none';

/** Why a run did not simply finish: a limit it hit, an action the sandbox refused, or no sandbox at all. */
export type SandboxDenialKind =
  | 'wall-time'
  | 'cpu-time'
  | 'memory'
  | 'processes'
  | 'file-size'
  | 'cancelled'
  | 'filesystem'
  | 'network'
  | 'no-sandbox'
  | 'spawn';

export type SandboxDenial = { kind: SandboxDenialKind; message: string };

export type SandboxRunOptions = {
  /** Working directory (inside the policy's workspace). */
  cwd: string;
  /** Extra variables on top of the sanitized base (PATH, HOME=private temp, TMPDIR, CI=1, …). The host's environment never leaks in. */
  env?: Record<string, string>;
  policy: SandboxPolicy;
  /** Aborting kills the whole process tree. */
  signal?: AbortSignal;
  /** The task the command serves, for the journal. */
  taskId?: string;
};

export type SandboxResult = {
  /** The command's exit code; null when a signal or the sandbox ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Tail of stdout (bounded by the policy's maxOutputBytes). */
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they arrived (bounded). */
  output: string;
  /** True when some output was dropped to keep within the bound. */
  truncated: boolean;
  durationMs: number;
  /** Set when a limit ended the run or the sandbox denied an action the command tried. */
  denial?: SandboxDenial;
  /** Which sandbox ran the command ('none' only with the user's explicit override). */
  sandbox: SandboxKind;
};

/** A string runs through `sh -c`; an array is an argv. */
export type SandboxCommand = string | readonly string[];

/** A long-lived command (an MCP stdio server) wrapped for the caller to spawn with its own pipes. */
export type WrappedCommand = { command: string; args: string[]; env: Record<string, string>; cwd: string };

export interface SandboxBackend {
  readonly kind: SandboxKind;
  /** The argv that runs `argv` under the policy, for callers that spawn and talk to the process themselves. */
  wrap?(argv: readonly string[], options: Omit<SandboxRunOptions, 'signal'>): Promise<WrappedCommand>;
  /** Human-readable identity, e.g. "bubblewrap 0.8.0 (/usr/bin/bwrap)". */
  readonly description: string;
  run(command: SandboxCommand, options: SandboxRunOptions): Promise<SandboxResult>;
}

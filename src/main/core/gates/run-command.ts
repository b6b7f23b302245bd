import { spawn } from 'node:child_process';
import { delimiter, join } from 'node:path';

export type CommandResult = {
  exitCode: number | null;
  /** Signal that ended the process, if one did. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** The last `maxOutputBytes` of stdout and stderr, interleaved as they arrived. */
  output: string;
  durationMs: number;
  /** Set when the shell could not be started at all. */
  spawnError?: string;
};

export type RunCommandOptions = {
  command: string;
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  maxOutputBytes?: number;
  /** Time between SIGTERM and SIGKILL when the command must stop. */
  killGraceMs?: number;
};

/**
 * Runs a project's own check (`npm test`'s script, `make lint`, …) through `sh -c` in its own
 * process group, so a timeout or an abort ends the whole tree — test runners love to fork. The
 * workspace's `node_modules/.bin` comes first on PATH, as under npm.
 */
export function runCommand(options: RunCommandOptions): Promise<CommandResult> {
  const started = performance.now();
  const maxOutput = options.maxOutputBytes ?? 64 * 1024;
  const graceMs = options.killGraceMs ?? 2_000;
  const baseEnv = options.env ?? process.env;
  const env: NodeJS.ProcessEnv = {
    ...baseEnv,
    PATH: [join(options.cwd, 'node_modules', '.bin'), baseEnv['PATH'] ?? ''].filter(Boolean).join(delimiter),
    // Test runners stay out of watch mode and colour codes stay out of the details.
    CI: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };

  return new Promise((resolve) => {
    if (options.signal?.aborted) {
      resolve({ exitCode: null, signal: null, timedOut: false, aborted: true, output: '', durationMs: 0 });
      return;
    }
    let output = '';
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn('sh', ['-c', options.command], { cwd: options.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });

    const append = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > maxOutput * 2) output = output.slice(-maxOutput);
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);

    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // The group is already gone.
      }
    };
    const stop = () => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), graceMs);
      killTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (result: Omit<CommandResult, 'output' | 'durationMs' | 'timedOut' | 'aborted'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // Whatever the shell left behind in its group goes with it.
      if (timedOut || aborted) killGroup('SIGKILL');
      if (killTimer) clearTimeout(killTimer);
      resolve({ ...result, timedOut, aborted, output: output.slice(-maxOutput), durationMs: performance.now() - started });
    };
    // A check must not leave processes behind; they would also hold the output pipes open.
    child.on('exit', () => killGroup('SIGKILL'));
    child.on('error', (e) => finish({ exitCode: null, signal: null, spawnError: e.message }));
    child.on('close', (code, sig) => finish({ exitCode: code, signal: sig }));
  });
}

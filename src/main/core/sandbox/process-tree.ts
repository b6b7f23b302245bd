import { spawn } from 'node:child_process';

export type TreeRunOptions = {
  file: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  wallTimeMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal | undefined;
  /** Time between SIGTERM and SIGKILL when the tree must stop. */
  killGraceMs?: number;
};

export type TreeRunResult = {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  output: string;
  truncated: boolean;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
  spawnError?: string;
};

/** Keeps the last `max` characters of a stream. */
class Tail {
  private text = '';
  dropped = false;
  constructor(private readonly max: number) {}
  push(chunk: string) {
    this.text += chunk;
    if (this.text.length > this.max * 2) {
      this.text = this.text.slice(-this.max);
      this.dropped = true;
    }
  }
  value(): string {
    if (this.text.length > this.max) this.dropped = true;
    return this.text.slice(-this.max);
  }
}

/**
 * Starts a process as the leader of its own group and guarantees that on timeout, abort or exit
 * nothing of that group survives. Under bubblewrap the leader is bwrap itself: its death takes the
 * sandbox's pid namespace (and so every process inside, double-forked or not) with it.
 */
export function runProcessTree(options: TreeRunOptions): Promise<TreeRunResult> {
  const started = performance.now();
  const graceMs = options.killGraceMs ?? 1_000;
  return new Promise((resolve) => {
    const empty = { stdout: '', stderr: '', output: '', truncated: false };
    if (options.signal?.aborted) {
      resolve({ ...empty, exitCode: null, signal: null, timedOut: false, aborted: true, durationMs: 0 });
      return;
    }
    const out = new Tail(options.maxOutputBytes);
    const err = new Tail(options.maxOutputBytes);
    const both = new Tail(options.maxOutputBytes);
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(options.file, [...options.args], { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      out.push(c);
      both.push(c);
    });
    child.stderr.on('data', (c: string) => {
      err.push(c);
      both.push(c);
    });

    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // Already gone.
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
    }, options.wallTimeMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = (code: number | null, sig: NodeJS.Signals | null, spawnError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      killGroup('SIGKILL');
      resolve({
        exitCode: code,
        signal: sig,
        stdout: out.value(),
        stderr: err.value(),
        output: both.value(),
        truncated: out.dropped || err.dropped || both.dropped,
        timedOut,
        aborted,
        durationMs: performance.now() - started,
        ...(spawnError !== undefined ? { spawnError } : {}),
      });
    };
    child.on('exit', () => killGroup('SIGKILL'));
    child.on('error', (e) => finish(null, null, e.message));
    child.on('close', (code, sig) => finish(code, sig));
  });
}

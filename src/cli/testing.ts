import type { Io } from './io';

/** An Io that keeps what a command printed, for tests. */
export function memoryIo(options: { isTTY?: boolean; columns?: number } = {}): Io & { stdout: string[]; stderr: string[]; text(): string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (t) => void stdout.push(t),
    err: (t) => void stderr.push(t),
    isTTY: options.isTTY ?? false,
    columns: options.columns ?? 100,
    text: () => stdout.join(''),
  };
}

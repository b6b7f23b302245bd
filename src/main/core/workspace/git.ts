import { spawn } from 'node:child_process';

/**
 * Runs stock git. Two modes:
 * - on the user's repository (`isolated: false`): their configuration applies, but optional locks are
 *   off (`GIT_OPTIONAL_LOCKS=0`), so even `git status` never rewrites their index;
 * - on a workspace (`isolated: true`): no global or system configuration and no hooks, so the user's
 *   `core.hooksPath`, templates, `diff.noprefix` or autocrlf cannot change what the app computes.
 * Inherited GIT_* variables (set when the app is started from inside a git hook, say) are dropped so a
 * command can never act on another repository than the one named.
 */
export type GitOptions = {
  cwd: string;
  isolated?: boolean;
  env?: Record<string, string>;
  input?: string | Buffer;
  signal?: AbortSignal;
  timeoutMs?: number;
};

export type GitOutput = { code: number; stdout: Buffer; stderr: string };

export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number,
    readonly stderr: string,
  ) {
    super(`git ${args.filter((a) => !a.startsWith('-c')).slice(0, 3).join(' ')} failed (${code}): ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`);
    this.name = 'GitError';
  }
}

/** Identity for commits the app makes in its own workspaces. */
export const APP_IDENTITY = { name: 'Agent Agency', email: 'agent-agency@localhost' };

const ISOLATED_CONFIG = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.autocrlf=false', '-c', 'core.fsmonitor=false', '-c', 'commit.gpgsign=false'];

export function gitEnv(options: Pick<GitOptions, 'isolated' | 'env'>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  env['GIT_TERMINAL_PROMPT'] = '0';
  env['GIT_OPTIONAL_LOCKS'] = '0';
  env['LC_ALL'] = 'C';
  if (options.isolated) {
    env['GIT_CONFIG_GLOBAL'] = '/dev/null';
    env['GIT_CONFIG_NOSYSTEM'] = '1';
    env['GIT_AUTHOR_NAME'] = APP_IDENTITY.name;
    env['GIT_AUTHOR_EMAIL'] = APP_IDENTITY.email;
    env['GIT_COMMITTER_NAME'] = APP_IDENTITY.name;
    env['GIT_COMMITTER_EMAIL'] = APP_IDENTITY.email;
  }
  return { ...env, ...options.env };
}

export function git(args: readonly string[], options: GitOptions): Promise<GitOutput> {
  const fullArgs = options.isolated ? [...ISOLATED_CONFIG, ...args] : [...args];
  return new Promise((resolve, reject) => {
    const child = spawn('git', fullArgs, {
      cwd: options.cwd,
      env: gitEnv(options),
      stdio: ['pipe', 'pipe', 'pipe'],
      signal: options.signal,
      timeout: options.timeoutMs ?? 120_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ code: code ?? (signal ? 128 : 1), stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Runs git and returns stdout, throwing GitError on a non-zero exit. */
export async function gitOk(args: readonly string[], options: GitOptions): Promise<Buffer> {
  const result = await git(args, options);
  if (result.code !== 0) throw new GitError(args, result.code, result.stderr);
  return result.stdout;
}

export async function gitText(args: readonly string[], options: GitOptions): Promise<string> {
  return (await gitOk(args, options)).toString('utf8').trim();
}

/** Splits NUL-separated git output (`-z`), dropping the empty tail. */
export function splitZ(buffer: Buffer): string[] {
  const parts = buffer.toString('utf8').split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gitEnv } from '../git';

/** Test support: stock git with the app's isolated settings, run synchronously. */
export function gitSync(cwd: string, args: string[], input?: string): string {
  return execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], {
    cwd,
    env: gitEnv({ isolated: true }),
    input: input ?? '',
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Writes `files` into `dir`, makes it a git repository on `main` and commits them. */
export function initRepo(dir: string, files: Record<string, string>, message = 'initial'): string {
  mkdirSync(dir, { recursive: true });
  gitSync(dir, ['init', '--quiet', '-b', 'main']);
  writeFiles(dir, files);
  gitSync(dir, ['add', '-A']);
  gitSync(dir, ['commit', '--quiet', '-m', message]);
  return gitSync(dir, ['rev-parse', 'HEAD']).trim();
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = join(dir, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

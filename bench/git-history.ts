/**
 * Reads real commits from a local git repository at run time, for the benchmarks that learn from
 * real history (bench:edits, bench:retrieval). Nothing read here is stored in this repository.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

export type BenchArgs = { repo: string; commits: number; json: boolean };

export function parseBenchArgs(argv: readonly string[], usage: string, defaultCommits = 40): BenchArgs {
  let repo = '';
  let commits = defaultCommits;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--repo') repo = argv[++i] ?? '';
    else if (a === '--commits') commits = Number(argv[++i]);
    else if (a === '--json') json = true;
    else fail(`unknown argument "${a}"\n${usage}`);
  }
  if (!repo) fail(`--repo: a path to a local git repository is required\n${usage}`);
  repo = resolve(repo);
  if (!existsSync(repo) || !statSync(repo).isDirectory()) fail(`--repo: ${repo} is not a folder`);
  try {
    git(repo, ['rev-parse', '--git-dir']);
  } catch {
    fail(`--repo: ${repo} is not a git repository`);
  }
  if (!Number.isInteger(commits) || commits < 1 || commits > 5000) fail('--commits: must be a whole number from 1 to 5000');
  return { repo, commits, json };
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

export function git(repo: string, args: readonly string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

export type Commit = { sha: string; parent: string; subject: string; body: string; changed: Array<{ status: string; path: string }> };

/**
 * Non-merge commits, newest first, that modify at least one file, with the files they changed
 * (status letter as `git diff --name-status` gives it). Scans up to `scan` commits.
 */
export function listCommits(repo: string, scan: number): Commit[] {
  const log = git(repo, ['log', '--no-merges', '--first-parent', `-n${scan}`, '--format=%H%x00%P%x00%s%x00%b%x1e']);
  const out: Commit[] = [];
  for (const record of log.split('\x1e')) {
    const [sha, parents, subject, body] = record.replace(/^\n/, '').split('\x00');
    if (!sha || !parents || parents.includes(' ')) continue;
    const status = git(repo, ['diff', '--no-renames', '--name-status', parents, sha]);
    const changed = status
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [s, ...p] = l.split('\t');
        return { status: s ?? '', path: p.join('\t') };
      });
    out.push({ sha, parent: parents, subject: subject ?? '', body: (body ?? '').trim(), changed });
  }
  return out;
}

/** A file's bytes at a commit as text, or null when it is missing, binary or larger than `maxBytes`. */
export function fileAt(repo: string, commit: string, path: string, maxBytes = 300_000): string | null {
  let size: number;
  try {
    size = Number(git(repo, ['cat-file', '-s', `${commit}:${path}`]).trim());
  } catch {
    return null;
  }
  if (!(size <= maxBytes)) return null;
  const buf = execFileSync('git', ['-C', repo, 'cat-file', 'blob', `${commit}:${path}`], { maxBuffer: maxBytes + 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  if (buf.includes(0)) return null;
  return buf.toString('utf8');
}

/** Deterministic PRNG (mulberry32), so a run is repeatable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ratio = (n: number, d: number): number => (d === 0 ? 0 : n / d);
export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

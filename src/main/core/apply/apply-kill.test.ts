/**
 * A kill -9 in the middle of apply leaves the user's repository either untouched or with the
 * complete commit: a real process lands a patch with the real ChangeApplier on a real repository
 * and is killed with SIGKILL at many moments (spread over how long one apply takes here). After
 * each kill, git fsck is clean, no lock file is left, and the repository is in exactly one of the
 * two allowed states. `APPLY_KILL_SEED=<n>` replays a kill schedule.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitSync, initRepo, writeFiles } from '../workspace/testing/git-fixture';

const root = resolve(__dirname, '../../../..');
const node = existsSync(join(root, 'node_modules/.bin/node')) ? join(root, 'node_modules/.bin/node') : process.execPath;
const outDir = join(root, 'node_modules', '.cache', `apply-kill-${process.pid}`);
const childFile = join(outDir, 'apply-child.mjs');
const KILLS = Number(process.env['APPLY_KILLS'] ?? 24);
const BRANCH = 'agent-agency/tsk_0000000kill1';

const BEFORE: Record<string, string> = {
  'src/a.js': 'export const a = 1;\n',
  'src/b.js': Array.from({ length: 400 }, (_, i) => `export const b${i} = ${i};\n`).join(''),
  'README.md': '# repo\n',
};
const AFTER: Record<string, string> = {
  'src/a.js': 'export const a = 2;\n',
  'src/b.js': Array.from({ length: 400 }, (_, i) => `export const b${i} = ${i % 7 === 0 ? i * 2 : i};\n`).join(''),
  'README.md': '# repo\n',
  'src/new.js': 'export const n = 1;\n',
};

let work: string;
beforeAll(async () => {
  await build({
    configFile: false,
    logLevel: 'warn',
    root,
    build: {
      ssr: join(root, 'src/main/core/apply/testing/apply-child.ts'),
      outDir,
      emptyOutDir: true,
      minify: false,
      target: 'node22',
      rollupOptions: { output: { entryFileNames: 'apply-child.mjs', format: 'es' } },
    },
  });
  work = mkdtempSync(join(tmpdir(), 'aa-apply-kill-'));
}, 120_000);
afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One life of the child; killed `killMs` after it printed START (undefined: runs to the end). */
function life(args: string[], killMs: number | undefined): Promise<{ killed: boolean; out: string; ms: number }> {
  return new Promise((done, fail) => {
    // Its own process group: the git commands it started outlive a SIGKILL of the host, as they do
    // when a user kills the app; the repository is checked once they have all ended.
    const child = spawn(node, [childFile, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    let startedAt = 0;
    let killed = false;
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`apply child hung: ${out} ${err}`));
    }, 60_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!startedAt && out.includes('START')) {
        startedAt = Date.now();
        if (killMs !== undefined) {
          setTimeout(() => {
            if (child.exitCode === null) {
              killed = true;
              child.kill('SIGKILL');
            }
          }, killMs);
        }
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(guard);
      if (!killed && code !== 0) return fail(new Error(`apply child failed (${code}): ${out} ${err}`));
      const ms = Date.now() - startedAt;
      void groupEnded(child.pid!).then(() => done({ killed, out, ms }), fail);
    });
  });
}

/** Resolves once no process of the group is left (the orphaned git commands finished). */
async function groupEnded(pgid: number): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`processes of group ${pgid} still run after 20 s`);
}

function files(repo: string): Record<string, string> {
  const read = (rel: string) => (existsSync(join(repo, rel)) ? readFileSync(join(repo, rel), 'utf8') : undefined);
  return Object.fromEntries(Object.keys(AFTER).flatMap((rel) => (read(rel) === undefined ? [] : [[rel, read(rel)!]])));
}

/** What a SIGKILL may leave: checked after every life. Returns which of the two states it is. */
function check(repo: string, base: string, mode: 'new-branch' | 'current-branch', expectedTree: string | undefined, context: string): 'untouched' | 'committed' {
  // No corrupt object, no broken ref, no lock left behind (a locked index blocks every git command).
  expect(gitSync(repo, ['fsck', '--no-dangling', '--no-progress']).trim(), context).toBe('');
  const gitDir = join(repo, '.git');
  const locks = [join(gitDir, 'index.lock'), join(gitDir, 'HEAD.lock'), join(gitDir, 'refs/heads/main.lock')].filter(existsSync);
  const branchLocks = existsSync(join(gitDir, 'refs/heads/agent-agency')) ? readdirSync(join(gitDir, 'refs/heads/agent-agency')).filter((f) => f.endsWith('.lock')) : [];
  expect([...locks, ...branchLocks], context).toEqual([]);
  const status = gitSync(repo, ['status', '--porcelain=v1', '--untracked-files=all']);
  const head = gitSync(repo, ['rev-parse', 'HEAD']).trim();
  if (mode === 'new-branch') {
    // The user's branch, index and files are never touched; the task's branch exists whole or not at all.
    expect({ head, status, files: files(repo) }, context).toEqual({ head: base, status: '', files: BEFORE });
    const branch = gitSync(repo, ['for-each-ref', '--format=%(objectname)', `refs/heads/${BRANCH}`]).trim();
    if (!branch) return 'untouched';
    if (expectedTree) expect(gitSync(repo, ['rev-parse', `${branch}^{tree}`]).trim(), context).toBe(expectedTree);
    expect(gitSync(repo, ['rev-parse', `${branch}^`]).trim(), context).toBe(base);
    expect(gitSync(repo, ['log', '-1', '--format=%(trailers:only,unfold)', branch]), context).toContain('tsk_0000000kill1');
    return 'committed';
  }
  // Current branch: either nothing happened, or the commit, the index and the files all moved together.
  if (head === base) {
    expect({ status, files: files(repo) }, context).toEqual({ status: '', files: BEFORE });
    return 'untouched';
  }
  expect(gitSync(repo, ['rev-parse', 'HEAD^']).trim(), context).toBe(base);
  if (expectedTree) expect(gitSync(repo, ['rev-parse', 'HEAD^{tree}']).trim(), context).toBe(expectedTree);
  expect({ status, files: files(repo) }, context).toEqual({ status: '', files: AFTER });
  return 'committed';
}

/** Puts the repository back to the base (test bookkeeping between lives, not part of what is checked). */
function reset(repo: string, base: string, mode: 'new-branch' | 'current-branch'): void {
  if (mode === 'new-branch') gitSync(repo, ['update-ref', '-d', `refs/heads/${BRANCH}`]);
  else gitSync(repo, ['reset', '--quiet', '--hard', base]);
  gitSync(repo, ['clean', '-fdq']);
}

describe.each(['new-branch', 'current-branch'] as const)('kill -9 during apply (%s)', (mode) => {
  it(`leaves the repository untouched or with the complete commit across ${KILLS} SIGKILLs`, async () => {
    const seed = Number(process.env['APPLY_KILL_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
    const random = mulberry32(seed);
    const repo = join(work, mode, 'repo');
    const base = initRepo(repo, BEFORE);
    // The patch, as a workspace would produce it: a binary-safe diff against the base commit.
    const scratch = join(work, mode, 'scratch');
    initRepo(scratch, BEFORE);
    writeFiles(scratch, AFTER);
    gitSync(scratch, ['add', '-A']);
    const patch = gitSync(scratch, ['diff', '--cached', '--binary', 'HEAD']);
    const patchFile = join(work, mode, 'change.patch');
    writeFileSync(patchFile, patch);
    const args = [repo, patchFile, base, mode];

    // One uninterrupted apply: how long it takes here, and the tree it must produce.
    const reference = await life(args, undefined);
    expect(reference.out).toContain('APPLIED');
    const expectedTree = gitSync(repo, ['rev-parse', `${mode === 'new-branch' ? BRANCH : 'HEAD'}^{tree}`]).trim();
    expect(check(repo, base, mode, expectedTree, 'reference')).toBe('committed');
    reset(repo, base, mode);

    const seen = { untouched: 0, committed: 0 };
    let kills = 0;
    for (let i = 0; i < KILLS; i++) {
      const killMs = Math.floor(random() * reference.ms * 1.2);
      const result = await life(args, killMs);
      if (result.killed) kills++;
      const context = `seed ${seed}, life ${i}, killed ${killMs} ms after START (${result.killed ? 'killed' : 'finished'})`;
      seen[check(repo, base, mode, expectedTree, context)]++;
      reset(repo, base, mode);
    }
    // The kills landed inside apply: some before the commit existed, and most lives were cut short.
    expect(kills, `seed ${seed}`).toBeGreaterThanOrEqual(Math.floor(KILLS / 2));
    expect(seen.untouched, `seed ${seed}`).toBeGreaterThan(0);
  }, 600_000);
});

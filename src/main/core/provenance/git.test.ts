import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compactVerify, importJWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import { sha256Hex } from './canonical';
import { applyTrailers, parseTrailers, TRAILER_KEYS, withTrailers } from './trailers';
import { FIXTURE_PATCH, taskWithHistory } from './testing/fixture';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** Stock git, isolated from the machine's own configuration. */
function git(cwd: string, args: string[], home: string): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    env: { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('an applied commit, read by stock git', () => {
  it('carries the four trailers, and the signature verifies with the public key alone', async () => {
    const core = testCore();
    cleanups.push(() => core.cleanup());
    const home = tempDir('aa-home-');
    cleanups.push(home.cleanup);
    const repo = core.repo;
    git(repo, ['init', '-q'], home.dir);
    writeFileSync(join(repo, 'signup.ts'), 'export const signup = () => 1;\n');
    git(repo, ['add', '.'], home.dir);

    const input = {
      taskId: 'tsk_0abcdefghij1234',
      spec: { id: 'FEAT-0042', sha256: sha256Hex('id: FEAT-0042\n') },
      verdict: { decision: 'accept' as const, score: 0.86, id: 'vrd_1' },
      patchSha256: sha256Hex(FIXTURE_PATCH),
      now: 1_800_000_000_000,
    };
    const message = withTrailers('Add input validation to signup\n\nValidates the email.', await applyTrailers(input, core.provenance));
    const msgFile = join(home.dir, 'msg');
    writeFileSync(msgFile, message);
    git(repo, ['commit', '-q', '-F', msgFile], home.dir);

    const trailers = git(repo, ['log', '-1', '--format=%(trailers:unfold)'], home.dir);
    for (const key of Object.values(TRAILER_KEYS)) expect(trailers).toContain(`${key}: `);
    const only = (key: string) => git(repo, ['log', '-1', `--format=%(trailers:key=${key},valueonly)`], home.dir).trim();
    expect(only(TRAILER_KEYS.task)).toBe(input.taskId);
    expect(only(TRAILER_KEYS.spec)).toBe(`FEAT-0042 sha256:${input.spec.sha256}`);
    expect(only(TRAILER_KEYS.verdict)).toBe('accept score=0.86 vrd_1');
    const parsed = git(repo, ['interpret-trailers', '--parse', msgFile], home.dir);
    expect(parsed.split('\n').filter(Boolean)).toHaveLength(4);

    // Only the public key: what a reviewer with the installation's published key does.
    const jwk = core.provenance.keys.current().publicJwk;
    const { payload } = await compactVerify(only(TRAILER_KEYS.signature), await importJWK(jwk, 'EdDSA'), { algorithms: ['EdDSA'] });
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({
      typ: 'agent-agency/apply',
      taskId: input.taskId,
      spec: input.spec,
      verdict: { decision: 'accept', score: 0.86, id: 'vrd_1' },
      patchSha256: input.patchSha256,
      signedAt: input.now,
    });
    expect(parseTrailers(git(repo, ['log', '-1', '--format=%B'], home.dir)).map((t) => t.key)).toEqual(Object.values(TRAILER_KEYS));
    git(repo, ['fsck', '--strict'], home.dir);
  });

  it('refuses a trailer value that would break the trailer block', () => {
    expect(() => withTrailers('x', [{ key: 'CAWS-Spec', value: 'a\nInjected: yes' }])).toThrow(/one non-empty line/);
    expect(() => withTrailers('x', [{ key: 'Bad Key', value: 'v' }])).toThrow(/invalid trailer key/);
  });
});

describe('the audit repository', () => {
  it('mirrors each task as commits that stock git fsck accepts and git log reads', async () => {
    const core = testCore();
    cleanups.push(() => core.cleanup());
    const home = tempDir('aa-home-');
    cleanups.push(home.cleanup);
    const a = await taskWithHistory(core, 'first mirrored task');
    const b = await taskWithHistory(core, 'second mirrored task');
    // More records after the first mirror: a second commit on the same branch.
    core.journal.append(a, { type: 'progress', payload: { percent: 100, message: 'archived' } }, `${a}:late`);
    expect(await core.provenance.syncAudit(a)).toMatch(/^[0-9a-f]{40}$/);
    expect(await core.provenance.syncAudit(a)).toBeNull(); // nothing new

    const gitdir = core.provenance.audit.dir;
    const fsck = execFileSync('git', ['--git-dir', gitdir, 'fsck', '--strict', '--full', '--no-dangling'], {
      env: { ...process.env, HOME: home.dir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(fsck).not.toMatch(/error|missing|broken/i);

    const run = (...args: string[]) => git(home.dir, ['--git-dir', gitdir, ...args], home.dir);
    expect(run('branch', '--list', '--format=%(refname:short)').split('\n').filter(Boolean).sort()).toEqual([`tasks/${a}`, `tasks/${b}`].sort());
    expect(run('rev-list', '--count', `tasks/${a}`).trim()).toBe('2');
    expect(run('log', '-1', `--format=%(trailers:key=Agent-Agency-Task-Seq,valueonly)`, `tasks/${a}`).trim()).toBe('14');
    const files = run('ls-tree', '-r', '--name-only', `tasks/${a}`).split('\n').filter(Boolean);
    expect(files).toContain('task.json');
    expect(files).toContain('events/00000001.jsonl');
    expect(files).toContain('source-integrity.json');
    expect(files.some((f) => f.startsWith('signatures/'))).toBe(true);
    const records = run('show', `tasks/${a}:events/00000001.jsonl`)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { taskSeq: number; recordHash: string; taskPrevHash: string | null });
    expect(records.map((r) => r.taskSeq)).toEqual(Array.from({ length: 14 }, (_, i) => i + 1));
    records.forEach((r, i) => expect(r.taskPrevHash).toBe(i === 0 ? null : records[i - 1]!.recordHash));

    const commits = await core.provenance.listAuditCommits({ taskId: a, limit: 10 });
    expect(commits).toHaveLength(2);
    expect(commits[0]!.parent).toBe(commits[1]!.oid);
  });

  it('keeps a long task in chunks of records; a sync rewrites only the chunk that grew', async () => {
    const core = testCore();
    cleanups.push(() => core.cleanup());
    const t = core.tasks.submit({ description: 'a long task', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
    for (let i = 0; i < 299; i++) core.journal.append(t.id, { type: 'progress', payload: { percent: i / 3, message: `step ${i}` } }, `long${i}`);
    await core.provenance.syncAudit(t.id);
    const gitdir = core.provenance.audit.dir;
    const home = tempDir('aa-home-');
    cleanups.push(home.cleanup);
    const tree = () =>
      Object.fromEntries(
        git(home.dir, ['--git-dir', gitdir, 'ls-tree', `tasks/${t.id}:events`], home.dir)
          .trim()
          .split('\n')
          .map((l) => [l.split('\t')[1], l.split(/\s+/)[2]]),
      ) as Record<string, string>;
    const before = tree();
    expect(Object.keys(before)).toEqual(['00000001.jsonl', '00000257.jsonl']);
    core.journal.append(t.id, { type: 'progress', payload: { percent: 100, message: 'last' } }, 'long-last');
    await core.provenance.syncAudit(t.id);
    const after = tree();
    expect(after['00000001.jsonl']).toBe(before['00000001.jsonl']);
    expect(after['00000257.jsonl']).not.toBe(before['00000257.jsonl']);
    const lines = git(home.dir, ['--git-dir', gitdir, 'show', `tasks/${t.id}:events/00000257.jsonl`], home.dir).trim().split('\n');
    expect(lines).toHaveLength(301 - 256);
    git(home.dir, ['--git-dir', gitdir, 'fsck', '--strict', '--no-dangling'], home.dir);
  });
});

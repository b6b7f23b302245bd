import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import { buildCommitMessage, TRAILER_KEYS, trailersOfMessage } from './trailers';
import { taskWithHistory } from './testing/fixture';

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

describe('the apply trailers, read by stock git', () => {
  // The signed end-to-end path (production applier -> provenance show, clean clone) is in
  // src/cli/commands/provenance-show.test.ts; this checks the message format against git's parser.
  it('writes four trailers that git interpret-trailers parses exactly as trailersOfMessage does', () => {
    const home = tempDir('aa-home-');
    cleanups.push(home.cleanup);
    const message = buildCommitMessage('Add input validation to signup', 'Validates the email.\n\nSee: the form', {
      taskId: 'tsk_0abcdefghij1234',
      specId: 'FEAT-0042',
      verdict: 'accept (score 0.86)',
      signature: 'eyJhbGciOiJFZERTQSJ9.e30.c2ln',
    });
    const msgFile = join(home.dir, 'msg');
    writeFileSync(msgFile, message);
    const parsed = git(home.dir, ['interpret-trailers', '--parse', msgFile], home.dir).split('\n').filter(Boolean);
    expect(parsed.map((l) => l.split(':')[0])).toEqual(Object.values(TRAILER_KEYS));
    const ours = trailersOfMessage(message);
    for (const line of parsed) {
      const [key, ...rest] = line.split(': ');
      expect(ours[key!]).toEqual([rest.join(': ')]);
    }
  });

  it('refuses a trailer value that would break the trailer block', () => {
    const base = { taskId: 't', specId: 'FEAT-1', verdict: 'accept', signature: 's' };
    expect(() => buildCommitMessage('x', undefined, { ...base, specId: 'a\nInjected: yes' })).toThrow(/spans lines/);
    expect(() => buildCommitMessage('x', undefined, { ...base, verdict: '' })).toThrow(/empty/);
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

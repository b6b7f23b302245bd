import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedModel } from '../../../../test/fake-model';
import { tempDir, testCore } from '../../../../test/helpers';
import { ContractSession } from '../api/session';
import { Council } from '../council/council';
import { eventsForTask } from '../db/queries/events';
import { sourceIntegrityForTask } from '../db/queries/source-integrity-records';
import { getTask } from '../db/queries/tasks';
import { createGovernanceSteps, type GovernanceStepContext } from '../governance-steps/steps';
import type { ModelGateway } from '../models/types';
import { silentLogger } from '../observability/logger';
import { Planner } from '../planner/planner';
import { RepositoryDocs, repositoryKey } from './repository-docs';

/**
 * The target repository's docs in the knowledge base, on real parts: a git repository with docs, a
 * spec, a link leading outside it and files that are not docs; the real SQLite/FTS5 knowledge base of
 * a test core; and the planning step, whose prompt cites the repository's README.
 */
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const README = '# Widget\n\nThe widget cache keeps entries for thirty seconds before they expire.\n';
const GUIDE = '# Guide\n\nRetries use exponential backoff with at most three attempts.\n';
const SPEC = 'id: FEAT-1\ntitle: frobnicator spec\ninvariants:\n  - the frobnicator never writes to disk\n';
const SECRET = 'outside secret marmalade token\n';
const draft = {
  id: 'FEAT-0042',
  title: 'Shorten the widget cache',
  mode: 'feature',
  blast_radius: { modules: ['cache'], data_migration: false },
  scope: { in: ['src/'], out: [], support: ['test/'] },
  invariants: ['the cache keeps working'],
  acceptance: [{ id: 'A1', given: 'an entry', when: 'time passes', then: 'it expires', test: 'npm test' }],
  non_functional: { security: [], reliability: [], a11y: [] },
  contracts: [{ name: 'cache-behaviour', type: 'behavior', path: '' }],
};

describe('repository docs in the knowledge base', () => {
  let core: ReturnType<typeof testCore>;
  const outside = tempDir('aa-outside-');
  let taskId: string;
  let repo: string;

  const write = (rel: string, text: string | Buffer) => {
    mkdirSync(join(core.repo, rel, '..'), { recursive: true });
    writeFileSync(join(core.repo, rel), text);
  };

  beforeAll(async () => {
    core = testCore();
    cpSync(join(__dirname, '../../../../test/fixtures/projects/node-pass'), core.repo, { recursive: true });
    repo = repositoryKey(core.repo);
    write('README.md', README);
    write('docs/guide.md', GUIDE);
    write('docs/deep/nested.md', '# Nested\n\nThe nested page talks about quokkas.\n');
    write('.caws/working-spec.yaml', SPEC);
    write('CHANGELOG', '1.0.0: first release of the gizmo\n');
    write('HISTORY.md', 'Older history of the doohickey\n');
    write('src/notes.md', 'not a doc of the repository: pangolin\n');
    write('docs/big.md', `# Big\n\n${'x'.repeat(600 * 1024)}\n`);
    write('docs/binary.md', Buffer.from([0x61, 0, 0x62]));
    writeFileSync(join(outside.dir, 'secret.md'), SECRET);
    symlinkSync(join(outside.dir, 'secret.md'), join(core.repo, 'docs', 'leak.md'));
    symlinkSync(outside.dir, join(core.repo, 'docs', 'linked-dir'));
    execFileSync('git', ['add', '-A'], { cwd: core.repo, stdio: 'ignore' });
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'docs'], { cwd: core.repo, stdio: 'ignore' });
    const session = new ContractSession(core, () => undefined);
    const submitted = await session.call('submitTask', { description: 'Shorten the widget cache expiry', repoPath: core.repo, mode: 'dry-run' });
    if (!submitted.ok) throw new Error(submitted.error.message);
    taskId = (submitted.value as { id: string }).id;
  });
  afterAll(() => {
    core?.cleanup();
    outside.cleanup();
  });

  it('reads README*, CHANGELOG*, docs/**/*.md and .caws/**/*.yaml, confined to the repository, each read recorded with its hash', async () => {
    const docs = new RepositoryDocs({ db: core.db, knowledge: core.knowledge, clock: core.clock, logger: silentLogger() });
    const out = await docs.index(taskId, core.repo);
    expect(out.read.map((r) => [r.path, r.status])).toEqual([
      ['.caws/working-spec.yaml', 'added'],
      ['CHANGELOG', 'added'],
      ['HISTORY.md', 'added'],
      ['README.md', 'added'],
      ['docs/deep/nested.md', 'added'],
      ['docs/guide.md', 'added'],
    ]);
    const skipped = Object.fromEntries(out.skipped.map((s) => [s.path, s.reason]));
    expect(skipped['docs/leak.md']).toBe('a link that leads outside the repository: refused');
    expect(skipped['docs/big.md']).toMatch(/^too large \(\d+ bytes; the limit is 524288\)$/);
    expect(skipped['docs/binary.md']).toBe('not UTF-8 text');
    // Nothing outside the repository, nor outside the doc folders, is in the knowledge base.
    expect(core.knowledge.search('marmalade token', 5, taskId, repo)).toEqual([]);
    expect(core.knowledge.search('pangolin', 5, taskId, repo)).toEqual([]);
    const hit = core.knowledge.search('widget cache expire', 5, taskId, repo)[0];
    expect(hit).toMatchObject({ title: 'README.md', source: join(repo, 'README.md'), location: 'lines 1-4', repo });
    expect(core.knowledge.search('frobnicator disk', 5, taskId, repo)[0]).toMatchObject({ title: '.caws/working-spec.yaml' });
    expect(core.knowledge.list({ includeAttachments: true }).find((e) => e.title === '.caws/working-spec.yaml')?.kind).toBe('spec');
    // Only tasks on this repository see its docs: not the user's knowledge search, not another repository.
    expect(core.knowledge.search('widget cache expire', 5)).toEqual([]);
    expect(core.knowledge.search('widget cache expire', 5, taskId, '/elsewhere')).toEqual([]);
    expect(core.knowledge.list().some((e) => e.title === 'README.md')).toBe(false);

    const records = sourceIntegrityForTask(core.db, taskId).filter((r) => r.source === 'repository');
    expect(records.map((r) => [r.path, r.sha256])).toEqual([
      ['.caws/working-spec.yaml', sha(SPEC)],
      ['CHANGELOG', sha('1.0.0: first release of the gizmo\n')],
      ['HISTORY.md', sha('Older history of the doohickey\n')],
      ['README.md', sha(README)],
      ['docs/deep/nested.md', sha('# Nested\n\nThe nested page talks about quokkas.\n')],
      ['docs/guide.md', sha(GUIDE)],
    ]);
  });

  it('searchKnowledge (REST, CLI --repo) finds a repository\'s docs only when asked for that repository', async () => {
    await new RepositoryDocs({ db: core.db, knowledge: core.knowledge, clock: core.clock, logger: silentLogger() }).index(taskId, core.repo);
    const session = new ContractSession(core, () => undefined);
    const scoped = await session.call('searchKnowledge', { query: 'quokkas', repo: core.repo });
    expect(scoped).toMatchObject({ ok: true, value: [expect.objectContaining({ location: expect.any(String), text: expect.stringContaining('quokkas') })] });
    expect(await session.call('searchKnowledge', { query: 'quokkas' })).toMatchObject({ ok: true, value: [] });
    expect(await session.call('searchKnowledge', { query: 'quokkas', repo: outside.dir })).toMatchObject({ ok: true, value: [] });
    expect(await session.call('searchKnowledge', { query: 'quokkas', repo: 'relative/path' })).toMatchObject({ ok: false, error: { issues: [{ path: 'repo' }] } });
  });

  it('re-indexing an unchanged file is a no-op; a changed file replaces its chunks; a deleted one is removed', async () => {
    const docs = new RepositoryDocs({ db: core.db, knowledge: core.knowledge, clock: core.clock, logger: silentLogger() });
    const entities = () => core.knowledge.list({ includeAttachments: true }).filter((e) => e.source.startsWith(repo)).map((e) => e.id).sort();
    const before = entities();
    const recordsBefore = sourceIntegrityForTask(core.db, taskId).length;
    const again = await docs.index(taskId, core.repo);
    expect(again.read.every((r) => r.status === 'unchanged')).toBe(true);
    expect(entities()).toEqual(before);
    expect(sourceIntegrityForTask(core.db, taskId)).toHaveLength(recordsBefore);

    const changed = README.replace('thirty seconds', 'five minutes');
    write('README.md', changed);
    rmSync(join(core.repo, 'docs/deep/nested.md'));
    const third = await docs.index(taskId, core.repo);
    expect(third.read.find((r) => r.path === 'README.md')).toMatchObject({ status: 'replaced' });
    expect(third.removed).toEqual(['docs/deep/nested.md']);
    expect(core.knowledge.search('thirty seconds', 5, taskId, repo).filter((h) => h.title === 'README.md')).toEqual([]);
    expect(core.knowledge.search('five minutes', 5, taskId, repo)[0]).toMatchObject({ title: 'README.md' });
    expect(core.knowledge.search('quokkas', 5, taskId, repo)).toEqual([]);
    expect(core.knowledge.list({ includeAttachments: true }).filter((e) => e.source === join(repo, 'README.md'))).toHaveLength(1);
    // The new version is a new record of the same source.
    expect(sourceIntegrityForTask(core.db, taskId).filter((r) => r.source === 'repository' && r.path === 'README.md').map((r) => r.sha256)).toEqual([sha(README), sha(changed)]);
  });

  it('is bounded in files: past the limit files are skipped with the reason and nothing is removed', async () => {
    const docs = new RepositoryDocs({ db: core.db, knowledge: core.knowledge, clock: core.clock, logger: silentLogger(), limits: { maxFiles: 2 } });
    const out = await docs.index(taskId, core.repo);
    expect(out.read).toHaveLength(2);
    expect(out.skipped.filter((s) => s.reason.includes('limit of 2 files')).map((s) => s.path)).toEqual(['HISTORY.md', 'README.md', 'docs/big.md', 'docs/binary.md', 'docs/guide.md']);
    expect(out.removed).toEqual([]);
    // A file past the limit keeps the entry an earlier reading made.
    expect(core.knowledge.search('exponential backoff', 5, taskId, repo)[0]).toMatchObject({ title: 'docs/guide.md' });
  });

  it('the planning step indexes the repository and the planner cites its README', async () => {
    const planner = new ScriptedModel([draft], 'planner-model');
    const gateway: ModelGateway = { client: () => planner };
    const docs = new RepositoryDocs({ db: core.db, knowledge: core.knowledge, clock: core.clock, logger: silentLogger() });
    write('README.md', README);
    const steps = createGovernanceSteps({
      planner: new Planner({ client: planner, logger: silentLogger() }),
      council: new Council({ gateway, logger: silentLogger() }),
      policy: core.policy,
      waivers: core.waivers,
      records: core.governance,
      knowledge: {
        index: (id) => core.attachments.index(id),
        indexRepository: (id, path) => docs.index(id, path),
        references: (id, q, path) => core.attachments.references(id, q, 6, path ? repositoryKey(path) : undefined),
      },
      changes: async () => ({ workspaceDir: core.repo, changedFiles: [] }),
      logger: silentLogger(),
    });
    const ctx: GovernanceStepContext = {
      taskId,
      task: getTask(core.db, taskId)!,
      round: 1,
      attempt: 1,
      signal: new AbortController().signal,
      guidance: [],
      emit: (event, key) => core.journal.append(taskId, event, `${taskId}:${key ?? Math.random()}`).event,
      progress: () => undefined,
    };
    await steps.plan(ctx);
    const prompt = planner.calls[0]!.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('[README.md, lines 1-4]');
    expect(prompt).toContain('The widget cache keeps entries for thirty seconds');
    const retrieved = eventsForTask(core.db, taskId).find((e) => e.type === 'knowledge.retrieved');
    expect(retrieved?.payload.chunks.map((c) => c.title)).toContain('README.md');
    expect(sourceIntegrityForTask(core.db, taskId).some((r) => r.source === 'knowledge' && r.path === join(repo, 'README.md'))).toBe(true);
  });
});

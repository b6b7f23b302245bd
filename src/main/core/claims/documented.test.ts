import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import { ContractSession } from '../api/session';
import { attachmentsForTask } from '../db/queries/attachments';
import { knowledgeLookup } from '../knowledge/claim-lookup';
import { RepositoryDocs, repositoryKey } from '../knowledge/repository-docs';
import { silentLogger } from '../observability/logger';
import { extractClaims } from './extract';
import { reviewEvidence } from './review-evidence';
import type { Claim, ClaimEvidence } from './types';
import { verifyClaims } from './verify';

/**
 * Claims about what the docs say, checked against the knowledge base on real parts: a git
 * repository's README indexed into the real SQLite/FTS5 knowledge base of a test core, a task's
 * attachment, and a document the user added. Then each source changes, and the claims go stale.
 */
const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const README = '# Widget\n\nThe widget cache keeps entries for thirty seconds before they expire.\nUploads are never retried after a timeout.\n';
const NOTES = '# Notes from the customer\n\nThe export button must produce a CSV file with a header row.\n';
/** Hard-wrapped, as Markdown often is: the sentence spans two lines. */
const GUIDE = '# Style guide\n\nError messages name the field\nthat failed validation.\n';
const documented = (subject: string): Claim => ({ kind: 'documented', subject, text: `the docs say ${subject}`, source: 'worker', extractedBy: 'rules' });
const noChange: Omit<ClaimEvidence, 'knowledge'> = { changes: [], readFile: async () => null, gates: [], criterionTests: new Map(), criterionIds: [] };

describe('claims about what the docs say', () => {
  let core: ReturnType<typeof testCore>;
  const user = tempDir('aa-userdocs-');
  let taskId: string;
  let ev: ClaimEvidence;

  beforeAll(async () => {
    core = testCore();
    writeFileSync(join(core.repo, 'README.md'), README);
    mkdirSync(join(core.repo, 'docs'), { recursive: true });
    writeFileSync(join(user.dir, 'style.md'), GUIDE);
    await core.knowledge.add([join(user.dir, 'style.md')]);
    const session = new ContractSession(core, () => undefined);
    const submitted = await session.call('submitTask', {
      description: 'Shorten the widget cache',
      repoPath: core.repo,
      mode: 'dry-run',
      attachments: [{ name: 'notes.md', dataBase64: Buffer.from(NOTES).toString('base64') }],
    });
    if (!submitted.ok) throw new Error(submitted.error.message);
    taskId = (submitted.value as { id: string }).id;
    await new RepositoryDocs({ db: core.db, knowledge: core.knowledge, clock: core.clock, logger: silentLogger() }).index(taskId, core.repo);
    await core.attachments.index(taskId);
    ev = { ...noChange, knowledge: knowledgeLookup({ db: core.db, knowledge: core.knowledge }, taskId, core.repo) };
  });
  afterAll(() => {
    core?.cleanup();
    user.cleanup();
  });

  it('extracts "the docs say", "per the spec," and "according to X," as documented claims with the statement as subject', () => {
    const claims = extractClaims({
      text: 'The README says that the widget cache keeps entries for thirty seconds. Per the spec, uploads are never retried. According to docs/api.md, the limit is 10. Fixed the bug.',
      criterionIds: [],
      source: 'judge',
    });
    expect(claims.filter((c) => c.kind === 'documented').map((c) => c.subject)).toEqual(['the widget cache keeps entries for thirty seconds', 'uploads are never retried', 'the limit is 10']);
  });

  it('verifies a statement a doc makes, citing the chunk and listing it and its file as sources', async () => {
    const [c] = await verifyClaims([documented('the widget cache keeps entries for 30 seconds')], ev);
    expect(c).toMatchObject({ status: 'verified', evidence: '[README.md, lines 1-5]: "The widget cache keeps entries for thirty seconds before they expire."' });
    expect(c!.sources).toEqual([
      { source: 'knowledge', path: join(repositoryKey(core.repo), 'README.md'), location: 'lines 1-5', sha256: sha(README) },
      { source: 'repository', path: 'README.md', sha256: sha(README) },
    ]);
  });

  it('refutes a statement with other numbers or the opposite polarity, citing what the doc says', async () => {
    const [numbers, opposite, negatedClaim] = await verifyClaims(
      [documented('the widget cache keeps entries for ten seconds'), documented('the widget cache does not keep entries'), documented('uploads are retried after a timeout')],
      ev,
    );
    expect(numbers).toMatchObject({ status: 'refuted', evidence: expect.stringContaining('says 30, not 10') });
    expect(opposite).toMatchObject({ status: 'refuted', evidence: expect.stringMatching(/^\[README\.md, lines 1-5\]: ".*" says the opposite$/) });
    expect(negatedClaim).toMatchObject({ status: 'refuted', evidence: expect.stringContaining('Uploads are never retried after a timeout.') });
  });

  it('fails closed: nothing stating it, a vague statement, or no knowledge base is unverifiable with no source', async () => {
    const [unknown, vague] = await verifyClaims([documented('the frobnicator supports GraphQL subscriptions over websockets'), documented('it works')], ev);
    expect(unknown).toMatchObject({ status: 'unverifiable', evidence: expect.stringContaining('no passage') });
    expect(unknown!.sources).toBeUndefined();
    expect(vague).toMatchObject({ status: 'unverifiable' });
    // Sharing words with a doc is not stating it: the README talks about the widget cache's entries, not Redis.
    const [partial] = await verifyClaims([documented('the widget cache stores its entries in Redis')], ev);
    expect(partial).toMatchObject({ status: 'unverifiable', evidence: 'no passage of the knowledge base states it; the closest, [README.md, lines 1-5], holds 3 of its 5 words' });
    expect(partial!.sources).toBeUndefined();
    const [none] = await verifyClaims([documented('the widget cache keeps entries for thirty seconds')], noChange);
    expect(none).toMatchObject({ status: 'unverifiable', evidence: 'no knowledge base to check what the docs say against' });
  });

  it("reads the task's attachments and the user's documents too, and the change review's evidence carries the knowledge base", async () => {
    const review = reviewEvidence({ workspaceDir: core.repo, changedFiles: [], gates: [], standing: [], criterionIds: [], knowledge: ev.knowledge });
    const [attached, added] = await verifyClaims([documented('the export button must produce a CSV file with a header row'), documented('error messages name the field that failed validation')], review);
    expect(attached).toMatchObject({ status: 'verified' });
    expect(attached!.sources?.[1]).toEqual({ source: 'attachment', path: 'notes.md', sha256: sha(NOTES) });
    expect(added).toMatchObject({ status: 'verified' });
    expect(added!.sources?.[1]).toEqual({ source: 'knowledge', path: join(user.dir, 'style.md'), sha256: sha(GUIDE) });
  });

  it('a claim checked against a doc, an attachment or a document that later changed is stale; the others stay fresh', async () => {
    const claims = await verifyClaims(
      [
        documented('the widget cache keeps entries for thirty seconds'),
        documented('the export button must produce a CSV file with a header row'),
        documented('error messages name the field that failed validation'),
      ],
      ev,
    );
    expect(claims.map((c) => c.status)).toEqual(['verified', 'verified', 'verified']);
    core.claims.recordExecution(taskId, 1, claims, []);
    const read = async () => null;
    expect(await core.claims.refresh(taskId, read, { repoDir: core.repo })).toEqual([]);
    expect(core.claims.view(taskId).claims.map((c) => c.stale)).toEqual([false, false, false]);

    // The README changes in the repository: its claim is stale (the file's record, before any re-index).
    writeFileSync(join(core.repo, 'README.md'), README.replace('thirty', 'sixty'));
    expect(await core.claims.refresh(taskId, read, { repoDir: core.repo })).toEqual(['repository:README.md']);
    expect(core.claims.view(taskId).claims.map((c) => c.stale)).toEqual([true, false, false]);
    // Re-indexed, the chunk the claim cited is no longer what the knowledge base holds: that record goes stale too.
    await new RepositoryDocs({ db: core.db, knowledge: core.knowledge, clock: core.clock, logger: silentLogger() }).index(taskId, core.repo);
    expect(await core.claims.refresh(taskId, read, { repoDir: core.repo })).toEqual([`knowledge:${join(repositoryKey(core.repo), 'README.md')}#lines 1-5`]);
    const readme = core.claims.view(taskId).claims[0]!;
    expect(readme.sources?.map((s) => [s.source, s.stale]).sort()).toEqual([['knowledge', true], ['repository', true]]);

    // The attachment's kept copy and the user's document change on disk: their claims go stale.
    const kept = attachmentsForTask(core.db, taskId)[0]!.path;
    writeFileSync(kept, `${readFileSync(kept, 'utf8')}\nEdited after the claim was checked.\n`);
    writeFileSync(join(user.dir, 'style.md'), `${GUIDE}\nAnother rule.\n`);
    expect(await core.claims.refresh(taskId, read, { repoDir: core.repo })).toEqual(['attachment:notes.md', `knowledge:${join(user.dir, 'style.md')}`]);
    expect(core.claims.view(taskId).claims.map((c) => c.stale)).toEqual([true, true, true]);
  });
});

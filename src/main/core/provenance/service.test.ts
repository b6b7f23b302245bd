import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compactVerify, importJWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock, tempDir, testCore } from '../../../../test/helpers';
import type { VerificationReport } from '../../../shared/channels/provenance';
import { ContractSession } from '../api/session';
import { createCore } from '../composition/app-core';
import { silentLogger } from '../observability/logger';
import { sha256Hex } from '../db/canonical';
import { verifyJournal } from './journal-verify';
import { allSignatures } from '../db/queries/provenance-signatures';
import { ProvenanceService } from './service';
import { taskWithHistory } from './testing/fixture';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
function core() {
  const c = testCore();
  cleanups.push(() => c.cleanup());
  return c;
}
const submit = (c: ReturnType<typeof testCore>) =>
  c.tasks.submit({ description: 'a task to sign', repoPath: c.repo, mode: 'strict', riskTier: 1, priority: 'normal', maxIterations: 3 });

describe('decision signatures', () => {
  it('signs each decision once it is journaled, over its record hash, verifiable with the public key', async () => {
    const c = core();
    const t = submit(c);
    c.journal.append(t.id, { type: 'progress', payload: { percent: 5, message: 'not a decision' } }, 'p1');
    const { event } = c.journal.append(t.id, { type: 'approval.granted', payload: { gate: 'plan', actor: { who: 'bob', via: 'cli' } } }, 'a1');
    await c.provenance.whenIdle();
    const sigs = allSignatures(c.db).filter((s) => s.kind === 'decision');
    expect(sigs).toHaveLength(1);
    expect(sigs[0]!.subjectSeq).toBe(event.seq);
    const { payload } = await compactVerify(sigs[0]!.jws, await importJWK(c.provenance.keys.current().publicJwk, 'EdDSA'));
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({
      typ: 'agent-agency/decision',
      taskId: t.id,
      seq: event.seq,
      type: 'approval.granted',
      recordHash: sigs[0]!.subjectHash,
    });
  });

  it('signs, at the next start, a decision a crash left unsigned', async () => {
    const data = tempDir('aa-data-');
    const repo = tempDir('aa-repo-');
    cleanups.push(data.cleanup, repo.cleanup);
    const first = createCore({ dataDir: data.dir, logger: silentLogger(), scheduler: { autoStart: false } });
    const t = first.tasks.submit({ description: 'crash test', repoPath: repo.dir, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 1, allowNonGit: true });
    first.journal.append(t.id, { type: 'council.verdict', payload: { decision: 'accept', score: 0.9 } }, 'v1');
    first.journal.append(t.id, { type: 'task.completed', payload: {} }, 'done');
    first.close(); // before the queued signing ran: as if killed
    const reopened = createCore({ dataDir: data.dir, logger: silentLogger(), scheduler: { autoStart: false } });
    cleanups.push(() => reopened.close());
    expect(allSignatures(reopened.db)).toHaveLength(0);
    await reopened.provenance.whenIdle();
    expect(allSignatures(reopened.db).map((s) => s.kind).sort()).toEqual(['decision', 'task-head']);
    expect((await reopened.provenance.verifyJournal()).ok).toBe(true);
  });

  it('signs a decision payload for a caller before it journals it', async () => {
    const c = core();
    const jws = await c.provenance.signDecisionPayload({ taskId: 'tsk_0abcdefghij1234', type: 'override', payload: { decision: 'accept', reason: 'hotfix' } });
    const { payload, protectedHeader } = await compactVerify(jws, await importJWK(c.provenance.keys.current().publicJwk, 'EdDSA'));
    expect(protectedHeader.kid).toBe(c.provenance.keys.current().kid);
    expect(JSON.parse(new TextDecoder().decode(payload))).toMatchObject({ typ: 'agent-agency/decision-payload', type: 'override', payload: { reason: 'hotfix' } });
  });
});

describe('chain heads', () => {
  it('are signed every N records and when time passes', async () => {
    const c = core();
    const clock = new FakeClock();
    const p = new ProvenanceService({ db: c.db, journal: c.journal, clock, logger: silentLogger(), dataDir: c.dataDir, headEvery: { records: 4, ms: 60_000 }, mirrorOnEnd: false });
    cleanups.push(() => p.close());
    const t = submit(c);
    for (let i = 0; i < 7; i++) c.journal.append(t.id, { type: 'progress', payload: { percent: i, message: 'x' } }, `h${i}`);
    await p.whenIdle();
    const heads = () => allSignatures(c.db).filter((s) => s.kind === 'chain-head');
    expect(heads().map((h) => h.subjectSeq)).toEqual([4, 8]);
    clock.advance(61_000);
    c.journal.append(t.id, { type: 'progress', payload: { percent: 99, message: 'later' } }, 'late');
    await p.whenIdle();
    expect(heads().map((h) => h.subjectSeq)).toEqual([4, 8, 9]);
    expect((await verifyJournal(c.db, p.keys.keys())).ok).toBe(true);
  });
});

describe('source integrity', () => {
  it('records the hash of files read and written, and refuses bad input', async () => {
    const c = core();
    const t = submit(c);
    const file = join(c.repo, 'input.txt');
    writeFileSync(file, 'hello');
    const rec = await c.provenance.recordFile(t.id, file, 'read', 'input.txt');
    expect(rec).toMatchObject({ taskId: t.id, path: 'input.txt', sha256: sha256Hex('hello'), kind: 'read' });
    expect(() => c.provenance.recordSourceIntegrity(t.id, 'x', 'not-a-hash', 'written')).toThrow(/sha256: must be a lowercase hex sha256/);
    expect(() => c.provenance.recordSourceIntegrity('tsk_0nosuchtask0000', 'x', sha256Hex('x'), 'written')).toThrow(/no task/);
    const { bundle } = await c.provenance.exportBundle(t.id);
    expect(bundle.content.sourceIntegrity).toEqual([{ id: rec.id, path: 'input.txt', sha256: sha256Hex('hello'), kind: 'read', recordedAt: rec.recordedAt, source: 'workspace', claims: [] }]);
  });
});

describe('the contract channels', () => {
  it('export a bundle (file and bytes), verify it, list audit commits and keys', async () => {
    const c = core();
    const taskId = await taskWithHistory(c);
    const session = new ContractSession(c, () => undefined);
    cleanups.push(() => session.close());

    const exported = await session.call('exportBundle', { taskId, inline: true });
    if (!exported.ok) throw new Error(exported.error.message);
    const value = exported.value as { path: string; base64: string; sha256: string; size: number };
    const text = readFileSync(value.path, 'utf8');
    expect(Buffer.from(value.base64, 'base64').toString('utf8')).toBe(text);
    expect(value.sha256).toBe(sha256Hex(text));
    expect(value.path.startsWith(join(c.dataDir, 'bundles'))).toBe(true);

    const verified = await session.call('verifyBundle', { content: text, trustLocalKeys: true });
    expect(verified.ok && (verified.value as VerificationReport).ok).toBe(true);
    const tampered = text.replaceAll('"who": "alice"', '"who": "mallory"');
    const bad = await session.call('verifyBundle', { content: tampered });
    expect(bad.ok).toBe(true);
    const report = (bad as { value: VerificationReport }).value;
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.element)).toContain('event #5 (approval.granted)');

    const commits = await session.call('listAuditCommits', { taskId });
    expect(commits.ok && (commits.value as unknown[]).length).toBeGreaterThanOrEqual(1);
    const keys = await session.call('listSigningKeys', {});
    expect(keys.ok && keys.value).toEqual([expect.objectContaining({ kid: c.provenance.keys.current().kid, current: true })]);

    const missing = await session.call('exportBundle', { taskId: 'tsk_0nosuchtask0000' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const invalid = await session.call('verifyBundle', { content: '' });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});

describe('what counts as a decision', () => {
  it('signs overrides, waiver uses and applied changes, not ordinary progress or intents', async () => {
    const c = core();
    const t = submit(c);
    const actor = { who: 'carol', via: 'window' as const };
    const signed = [
      c.journal.append(t.id, { type: 'council.overridden', payload: { actor, gate: 'apply', decision: 'accept', reason: 'known flaky judge' } }, 'o1'),
      c.journal.append(t.id, { type: 'waiver.used', payload: { waiverId: 'WV-1', gate: 'coverage', detail: 'legacy module' } }, 'w1'),
      c.journal.append(t.id, { type: 'step.effect', payload: { phase: 'applying', key: 'commit', kind: 'git.commit', status: 'applied' } }, 'e2'),
    ].map((r) => r.event.seq);
    c.journal.append(t.id, { type: 'step.effect', payload: { phase: 'applying', key: 'commit', kind: 'git.commit', status: 'intent' } }, 'e1');
    c.journal.append(t.id, { type: 'progress', payload: { percent: 50, message: 'half' } }, 'p');
    await c.provenance.whenIdle();
    expect(allSignatures(c.db).filter((s) => s.kind === 'decision').map((s) => s.subjectSeq).sort()).toEqual(signed.sort());
  });
});

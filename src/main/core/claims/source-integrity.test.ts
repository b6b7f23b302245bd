import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import { sourceIntegrityForTask } from '../db/queries/source-integrity-records';
import { taskWithHistory } from '../provenance/testing/fixture';
import { withoutStale } from './ledger';
import type { Claim, ClaimEvidence } from './types';
import { verifyClaims } from './verify';

/** Source integrity of claims: each claim's files are stored hashed, and a claim whose file changed later is stale. */
let core: ReturnType<typeof testCore>;
let ws: ReturnType<typeof tempDir>;
let taskId: string;

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const claim = (kind: string, subject: string): Claim => ({ kind, subject, text: `${kind} ${subject}`, source: 'worker', extractedBy: 'rules' }) as Claim;
const read = async (p: string) => readFile(join(ws.dir, p)).catch(() => null);
function evidence(changes: ClaimEvidence['changes']): ClaimEvidence {
  return { changes, readFile: async (p) => (await read(p))?.toString('utf8') ?? null, readBytes: read, gates: [], criterionTests: new Map(), criterionIds: ['A1'] };
}

beforeEach(async () => {
  core = testCore();
  ws = tempDir('aa-ws-');
  taskId = await taskWithHistory(core);
  await writeFile(join(ws.dir, 'signup.ts'), 'export function validateEmail() {}\n');
  await writeFile(join(ws.dir, 'other.ts'), 'export const x = 1;\n');
});
afterEach(() => {
  core.cleanup();
  ws.cleanup();
});

describe('claim sources', () => {
  it('verify lists the file each claim was decided by with the hash of the bytes read', async () => {
    const [changed, symbol, refuted] = await verifyClaims(
      [claim('file_changed', 'signup.ts'), claim('symbol_present', 'validateEmail'), claim('symbol_present', 'nowhere')],
      evidence([{ path: 'other.ts', status: 'modified' }, { path: 'signup.ts', status: 'modified' }]),
    );
    expect(changed!.sources).toEqual([{ source: 'workspace', path: 'signup.ts', sha256: sha('export function validateEmail() {}\n') }]);
    // Verified by signup.ts alone; refuted by every changed file it was looked for in.
    expect(symbol!.sources?.map((s) => s.path)).toEqual(['signup.ts']);
    expect(refuted!.sources?.map((s) => s.path)).toEqual(['other.ts', 'signup.ts']);
  });

  it('stores each source hashed and linked to its claim; one version is one record', async () => {
    const verified = await verifyClaims([claim('file_changed', 'signup.ts'), claim('symbol_present', 'validateEmail')], evidence([{ path: 'signup.ts', status: 'modified' }]));
    core.claims.recordExecution(taskId, 1, verified, []);
    const records = sourceIntegrityForTask(core.db, taskId).filter((r) => r.source === 'workspace' && r.path === 'signup.ts');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ sha256: sha('export function validateEmail() {}\n'), kind: 'read' });
    const { claims } = core.claims.view(taskId);
    expect(claims.map((c) => c.sources?.map((s) => s.sha256))).toEqual([[records[0]!.sha256], [records[0]!.sha256]]);
    expect(claims.every((c) => c.stale === false)).toBe(true);
  });

  it('marks a claim stale once its file changes (a later round), and only that one', async () => {
    core.claims.recordExecution(taskId, 1, await verifyClaims([claim('file_changed', 'signup.ts'), claim('file_changed', 'other.ts')], evidence([{ path: 'signup.ts', status: 'modified' }, { path: 'other.ts', status: 'modified' }])), []);
    expect(await core.claims.refresh(taskId, read)).toEqual([]);
    await writeFile(join(ws.dir, 'signup.ts'), 'export function validateEmail(e: string) { return e; }\n');
    expect(await core.claims.refresh(taskId, read)).toEqual(['signup.ts']);
    // The second round checks its own claim against the new version: fresh; the first round's stays stale.
    core.claims.recordExecution(taskId, 2, await verifyClaims([claim('file_changed', 'signup.ts')], evidence([{ path: 'signup.ts', status: 'modified' }])), []);
    const byRound = core.claims.view(taskId).claims.map((c) => ({ round: c.round, subject: c.subject, stale: c.stale }));
    expect(byRound).toEqual([
      { round: 1, subject: 'signup.ts', stale: true },
      { round: 1, subject: 'other.ts', stale: false },
      { round: 2, subject: 'signup.ts', stale: false },
    ]);
    expect(sourceIntegrityForTask(core.db, taskId).filter((r) => r.path === 'signup.ts')).toHaveLength(2);
  });

  it('a deleted source makes its claim stale', async () => {
    core.claims.recordExecution(taskId, 1, await verifyClaims([claim('file_changed', 'signup.ts')], evidence([{ path: 'signup.ts', status: 'modified' }])), []);
    ws.cleanup();
    expect(await core.claims.refresh(taskId, read)).toEqual(['signup.ts']);
    expect(core.claims.view(taskId).claims[0]!.stale).toBe(true);
  });

  it('a criterion pending on a stale account is unmet; a fresh account keeps it pending', async () => {
    const verified = await verifyClaims([claim('criterion_met', 'A1'), claim('file_changed', 'signup.ts')], evidence([{ path: 'signup.ts', status: 'modified' }]));
    core.claims.recordExecution(taskId, 1, verified, [{ criterionId: 'A1', status: 'pending', decidedBy: 'none', evidence: 'claimed by the worker' }]);
    const fresh = core.claims.latestExecution(taskId);
    expect(withoutStale(fresh.standing, fresh.claims).map((s) => s.status)).toEqual(['pending']);
    await writeFile(join(ws.dir, 'signup.ts'), 'changed after the claim was checked\n');
    await core.claims.refresh(taskId, read);
    const later = core.claims.latestExecution(taskId);
    const [standing] = withoutStale(later.standing, later.claims);
    expect(standing).toMatchObject({ status: 'unmet', decidedBy: 'none' });
    expect(standing!.evidence).toContain('file_changed signup.ts (signup.ts changed since)');
  });
});

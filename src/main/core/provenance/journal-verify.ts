import { createPublicKey } from 'node:crypto';
import type { VerificationProblem } from '../../../shared/channels/provenance';
import type { Db } from '../db/open';
import { hashRecord } from '../db/queries/chain';
import { checkChain, type LinkInput } from './chain-check';
import { verifyJwsWithKeys } from './jws';
import type { KeyRecord } from './keys';
import { iterateChain } from '../db/queries/chain-records';
import { allSignatures } from '../db/queries/provenance-signatures';

export type JournalReport = {
  ok: boolean;
  problems: VerificationProblem[];
  records: number;
  /** Records older than the chain that no append has sealed yet (they are sealed on the next one). */
  unsealed: number;
  signatures: number;
};

/**
 * Verifies the journal in the database: the chain of the whole journal and of every task (each record
 * recomputed and linked), and every stored signature against the key history and the record it names.
 */
export async function verifyJournal(db: Db, keys: readonly KeyRecord[]): Promise<JournalReport> {
  const problems: VerificationProblem[] = [];
  const global: LinkInput[] = [];
  const perTask = new Map<string, LinkInput[]>();
  const hashBySeq = new Map<number, string>();
  let records = 0;
  let unsealed = 0;
  for (const r of iterateChain(db)) {
    records++;
    if (!r.sealed) {
      unsealed++;
      continue;
    }
    const computed = hashRecord(r);
    hashBySeq.set(r.seq, computed);
    const label = `record ${r.seq} (task ${r.taskId} #${r.taskSeq}, ${r.type})`;
    global.push({ position: r.seq, label, storedHash: r.recordHash, computedHash: computed, prev: r.prevHash });
    const list = perTask.get(r.taskId) ?? [];
    list.push({ position: r.taskSeq, label, storedHash: r.recordHash, computedHash: computed, prev: r.taskPrevHash });
    perTask.set(r.taskId, list);
  }
  const seen = new Set<string>();
  const add = (p: VerificationProblem) => {
    const key = `${p.kind}\u0000${p.element}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(p);
    }
  };
  for (const issue of checkChain(global, { nameMissing: (p) => `record ${p}` })) {
    add({ kind: issue.kind, element: issue.label, message: `journal: ${issue.message}` });
  }
  for (const [taskId, links] of perTask) {
    links.sort((a, b) => a.position - b.position);
    for (const issue of checkChain(links, { firstPosition: 1, nameMissing: (p) => `task ${taskId} #${p}` })) {
      add({ kind: issue.kind, element: issue.label, message: `task ${taskId}: ${issue.message}` });
    }
  }

  const keyObjects = keys.map((k) => ({ kid: k.kid, key: createPublicKey({ key: k.publicJwk, format: 'jwk' }) }));
  const signatures = allSignatures(db);
  for (const s of signatures) {
    const element = `signature ${s.id} (${s.kind} of record ${s.subjectSeq})`;
    const verified = await verifyJwsWithKeys(s.jws, keyObjects);
    if (!verified) {
      add({ kind: 'invalid_signature', element, message: `${element} does not verify with any key in the key history` });
      continue;
    }
    const statement = verified.payload as { recordHash?: unknown; seq?: unknown };
    if (statement.recordHash !== s.subjectHash || statement.seq !== s.subjectSeq) {
      add({ kind: 'altered', element, message: `${element} was altered: its row does not match what it signs` });
    }
    const current = hashBySeq.get(s.subjectSeq);
    if (current === undefined) {
      add({ kind: 'removed', element: `record ${s.subjectSeq}`, message: `record ${s.subjectSeq} was removed: ${element} signs it` });
    } else if (current !== statement.recordHash) {
      add({ kind: 'altered', element: `record ${s.subjectSeq}`, message: `record ${s.subjectSeq} was altered after it was signed (${element})` });
    }
  }
  return { ok: problems.length === 0, problems, records, unsealed, signatures: signatures.length };
}

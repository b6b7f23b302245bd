import { AppFailure } from '../../../shared/errors';
import { getTask } from '../db/queries/tasks';
import type { Db } from '../db/open';
import type { JsonObject } from '../db/canonical';
import { canonicalJson } from '../db/canonical';
import { contentEntries } from './bundle-entries';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  MANIFEST_TYPE,
  type Bundle,
  type BundleSignature,
  type CompleteContent,
  type Manifest,
} from './bundle-schema';
import { readBundleSources } from './bundle-sources';
import { listFederationLog } from '../db/queries/federation';
import type { KeyRecord } from './keys';
import { chainRecordsForTask, ensureSealed } from '../db/queries/chain-records';
import { signaturesForTask } from '../db/queries/provenance-signatures';
import { claimIdsByRecord, sourceIntegrityForTask } from '../db/queries/source-integrity-records';
import { spansOfTrace } from '../db/queries/task-spans';
import { traceIdOf } from '../observability/trace-id';

export type BundleExportDeps = {
  db: Db;
  /** Every key of the installation (the bundle carries them all, so rotations can be followed). */
  keys: readonly KeyRecord[];
  /** Signs the manifest with the current key. */
  sign(payload: unknown): Promise<string>;
  now: number;
  exporter: string;
};

export type BundleOptions = {
  /** Carry the task's trace (its finished spans, kept in the data folder); refused when none is kept. */
  includeTrace?: boolean;
};

/** Builds the audit bundle of one task (any mode, any state) from the database and signs its manifest. */
export async function buildBundle(deps: BundleExportDeps, taskId: string, options: BundleOptions = {}): Promise<Bundle> {
  const { db } = deps;
  ensureSealed(db);
  // One read transaction: the task, its records and its signatures are seen at the same instant.
  const read = db.transaction(() => {
    const task = getTask(db, taskId);
    if (!task) throw new AppFailure('not_found', `no task with id ${taskId}`);
    const records = chainRecordsForTask(db, taskId);
    return {
      task,
      records,
      sources: readBundleSources(db, taskId, task.spec, records),
      signatures: signaturesForTask(db, taskId),
      integrity: sourceIntegrityForTask(db, taskId),
      claimLinks: claimIdsByRecord(db, taskId),
      // Calibration and federation history up to this task's last record (the log is installation-wide).
      calibration: listFederationLog(db, { until: records.at(-1)?.ts ?? deps.now, limit: 200 }).reverse(),
      trace: options.includeTrace ? spansOfTrace(db, traceIdOf(taskId)) : undefined,
    };
  })();
  if (read.trace?.length === 0) {
    throw new AppFailure(
      'conflict',
      `includeTrace: no trace is kept for task ${taskId}: spans are kept only while "Keep task traces" is on in Settings (the default), from the start after it was turned on, and only once they finish`,
      [{ path: 'includeTrace', message: 'no spans are kept for this task' }],
    );
  }
  const { task, records, sources, integrity, claimLinks, calibration } = read;

  const signatures: BundleSignature[] = read.signatures
    .filter((s) => s.kind === 'decision' || s.kind === 'task-head')
    .map((s) => ({
      kind: s.kind as BundleSignature['kind'],
      subjectSeq: s.subjectSeq,
      subjectTaskSeq: s.subjectTaskSeq,
      subjectHash: s.subjectHash,
      kid: s.kid,
      jws: s.jws,
      createdAt: s.createdAt,
    }));

  const content: CompleteContent = {
    task: JSON.parse(JSON.stringify(task)) as JsonObject,
    spec: sources.spec,
    patch: sources.patch,
    events: records,
    verdicts: sources.verdicts,
    votes: sources.votes,
    approvals: sources.approvals,
    gateResults: sources.gateResults,
    waivers: sources.waivers,
    claims: sources.claims,
    models: sources.models,
    sourceIntegrity: integrity.map((r) => ({
      id: r.id,
      path: r.path,
      sha256: r.sha256,
      kind: r.kind,
      recordedAt: r.recordedAt,
      source: r.source,
      ...(r.location !== null ? { location: r.location } : {}),
      claims: claimLinks.get(r.id) ?? [],
    })),
    calibration: calibration.map((e) => ({ seq: e.seq, ts: e.ts, kind: e.kind, detail: JSON.parse(JSON.stringify(e.detail)) as Record<string, unknown> })),
    signatures,
    publicKeys: deps.keys.map((k) => ({
      kid: k.kid,
      jwk: k.publicJwk,
      createdAt: k.createdAt,
      retiredAt: k.retiredAt,
      endorsement: k.endorsement,
    })),
    ...(read.trace ? { trace: read.trace } : {}),
  };

  const last = records[records.length - 1];
  const manifest: Manifest = {
    typ: MANIFEST_TYPE,
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    taskId,
    mode: task.mode,
    exportedAt: deps.now,
    exporter: deps.exporter,
    chainHead: last ? { taskSeq: last.taskSeq, recordHash: last.recordHash } : null,
    entries: contentEntries(content).map(({ path, sha256 }) => ({ path, sha256 })),
  };
  return {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    manifest,
    manifestSignature: await deps.sign(manifest),
    content,
  };
}

/**
 * The file: JSON with sorted keys, indented for people. Hashes never depend on this layout (they are
 * over canonical JSON of the parsed values), so re-indenting a bundle does not break it.
 */
export function serializeBundle(bundle: Bundle): string {
  return `${JSON.stringify(JSON.parse(canonicalJson(bundle)), null, 2)}\n`;
}

/** A file name for a task's bundle: `<task>-<time>.audit.json`. */
export function bundleFileName(taskId: string, now: number): string {
  return `${taskId}-${new Date(now).toISOString().replace(/[:.]/g, '-')}.audit.json`;
}

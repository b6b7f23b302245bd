import { mkdirSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuditCommit, ExportedBundle, SigningKeyInfo, VerificationProblem, VerificationReport } from '../../../shared/channels/provenance';
import type { AgentEvent } from '../../../shared/domain/events';
import { AppFailure, describeZodError } from '../../../shared/errors';
import type { Db } from '../db/open';
import { distinctEventTypes } from '../db/queries/events';
import { getTask } from '../db/queries/tasks';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { AuditRepository } from './audit-repo';
import { bundleFileName, buildBundle, serializeBundle, type BundleOptions } from './bundle-export';
import type { Bundle } from './bundle-schema';
import { verifyBundle } from './bundle-verify';
import { sha256Hex, type JsonObject } from '../db/canonical';
import type { ChainRecord } from '../db/queries/chain';
import {
  isDecision,
  maybeDecisionType,
  TERMINAL_TYPES,
  isTerminalType,
  type ChainHeadStatement,
  type DecisionPayloadStatement,
  type DecisionStatement,
  type TaskHeadStatement,
} from './decisions';
import { signJws, type Signer } from './jws';
import { verifyJournal, type JournalReport } from './journal-verify';
import { KeyStore, type KeyRecord } from './keys';
import { chainRecordBySeq, chainRecordsForTask, ensureSealed, lastChainRecord, unsignedRecords, unsignedTerminalTasks } from '../db/queries/chain-records';
import { insertSignature, lastSignature, signaturesForTask } from '../db/queries/provenance-signatures';
import { insertSourceIntegrity, sourceIntegrityForTask, type SourceIntegrityKind, type SourceIntegrityRecord } from '../db/queries/source-integrity-records';
import { sha256File, SourceIntegrityInput } from './source-integrity';

export type ProvenanceOptions = {
  db: Db;
  journal: Journal;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  /** The whole journal's head is signed after this many records or this long, whichever comes first. */
  headEvery?: { records: number; ms: number };
  /** Mirror a task into the audit repository when it ends (default: true). */
  mirrorOnEnd?: boolean;
  /** Named in bundle manifests. */
  exporter?: string;
};

/**
 * Provenance of everything the app decides: signs decisions and chain heads as they are journaled,
 * keeps the audit repository, records source integrity, exports and verifies audit bundles.
 * Signing is asynchronous (after commit); a decision journaled just before a crash is signed at the
 * next start, so no decision stays unsigned.
 */
export class ProvenanceService implements Signer {
  readonly keys: KeyStore;
  readonly audit: AuditRepository;
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly dataDir: string;
  private readonly headEvery: { records: number; ms: number };
  private readonly mirrorOnEnd: boolean;
  private readonly exporter: string;
  private readonly unsubscribe: () => void;
  private queue: Promise<void> = Promise.resolve();
  private sinceHead = 0;
  private lastHeadAt: number;
  private closed = false;

  constructor(options: ProvenanceOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.logger = options.logger;
    this.dataDir = options.dataDir;
    this.headEvery = options.headEvery ?? { records: 256, ms: 10 * 60_000 };
    this.mirrorOnEnd = options.mirrorOnEnd ?? true;
    this.exporter = options.exporter ?? 'agent-agency';
    this.keys = new KeyStore({ dir: join(options.dataDir, 'keys'), clock: options.clock, logger: options.logger });
    this.audit = new AuditRepository({ dir: join(options.dataDir, 'audit.git'), logger: options.logger });
    this.lastHeadAt = lastSignature(this.db, 'chain-head')?.createdAt ?? options.clock.now();
    this.unsubscribe = options.journal.subscribe((event) => this.onEvent(event));
    this.enqueue('catch up', () => this.catchUp());
  }

  /** Compact JWS (EdDSA, current key id in the header) over the canonical JSON of `payload`. */
  sign(payload: unknown): Promise<string> {
    const { kid, key } = this.keys.signingKey();
    return signJws(payload, key, kid);
  }

  /** Signs a decision before it is journaled (for a caller that wants to carry the signature along). */
  signDecisionPayload(decision: { taskId: string; type: string; payload: unknown }): Promise<string> {
    const statement: DecisionPayloadStatement = {
      typ: 'agent-agency/decision-payload',
      taskId: decision.taskId,
      type: decision.type,
      payload: decision.payload,
      signedAt: this.clock.now(),
    };
    return this.sign(statement);
  }

  /** Records the hash of a file the agent read or wrote for a task. */
  recordSourceIntegrity(taskId: string, path: string, sha256: string, kind: SourceIntegrityKind): SourceIntegrityRecord {
    const parsed = SourceIntegrityInput.safeParse({ taskId, path, sha256, kind });
    if (!parsed.success) {
      const { message, issues } = describeZodError(parsed.error);
      throw new AppFailure('invalid_input', message, issues);
    }
    if (!getTask(this.db, taskId)) throw new AppFailure('not_found', `no task with id ${taskId}`);
    const rec = { ...parsed.data, recordedAt: this.clock.now(), source: 'workspace' as const, location: null };
    return { id: insertSourceIntegrity(this.db, rec), ...rec };
  }

  /** Hashes `file` and records it (`path` is how the bundle names it, e.g. relative to the workspace). */
  async recordFile(taskId: string, file: string, kind: SourceIntegrityKind, path = file): Promise<SourceIntegrityRecord> {
    return this.recordSourceIntegrity(taskId, path, await sha256File(file), kind);
  }

  /** Resolves when every signature and mirror queued so far is written. */
  whenIdle(): Promise<void> {
    return this.queue;
  }

  /** The signed audit bundle of one task. */
  async exportBundle(taskId: string, options: BundleOptions = {}): Promise<{ bundle: Bundle; text: string }> {
    if (!getTask(this.db, taskId)) throw new AppFailure('not_found', `no task with id ${taskId}`);
    await this.whenIdle();
    await this.catchUp();
    const bundle = await buildBundle(
      { db: this.db, keys: this.keys.keys(), sign: (p) => this.sign(p), now: this.clock.now(), exporter: this.exporter },
      taskId,
      options,
    );
    await this.syncAudit(taskId).catch((e: unknown) => this.logger.warn({ err: e, taskId }, 'audit repository sync failed'));
    return { bundle, text: serializeBundle(bundle) };
  }

  /** Writes the bundle to `file` (default: the data folder's `bundles/`). */
  async exportToFile(taskId: string, options: { file?: string; inline?: boolean; includeTrace?: boolean } = {}): Promise<ExportedBundle> {
    const { text } = await this.exportBundle(taskId, { includeTrace: options.includeTrace === true });
    const fileName = bundleFileName(taskId, this.clock.now());
    const path = options.file ?? join(this.dataDir, 'bundles', fileName);
    if (!options.file) mkdirSync(join(this.dataDir, 'bundles'), { recursive: true });
    writeFileSync(path, text);
    const bytes = Buffer.from(text, 'utf8');
    return {
      path,
      fileName: options.file ? (path.split(/[\\/]/).pop() ?? fileName) : fileName,
      sha256: sha256Hex(bytes),
      size: bytes.length,
      ...(options.inline ? { base64: bytes.toString('base64') } : {}),
    };
  }

  /**
   * Verifies a bundle offline; with `trustLocalKeys` only this installation's keys are accepted, and
   * with `sourcesDir` (a folder that must exist) the source files the bundle lists are hashed too.
   */
  async verify(content: unknown, options: { trustLocalKeys?: boolean; sourcesDir?: string } = {}): Promise<VerificationReport> {
    if (options.sourcesDir !== undefined && !(await isDirectory(options.sourcesDir))) {
      throw new AppFailure('invalid_input', `sourcesDir: ${options.sourcesDir} is not a folder`, [{ path: 'sourcesDir', message: 'is not a folder' }]);
    }
    return verifyBundle(content, {
      ...(options.trustLocalKeys ? { trustedKeys: this.keys.keys().map((k) => k.publicJwk) } : {}),
      ...(options.sourcesDir !== undefined ? { sourcesDir: options.sourcesDir } : {}),
    });
  }

  /** Checks the chain of the whole journal and every stored signature. */
  verifyJournal(): Promise<JournalReport> {
    return verifyJournal(this.db, this.keys.keys());
  }

  /** Mirrors one task's records into the audit repository now. */
  syncAudit(taskId: string): Promise<string | null> {
    const task = getTask(this.db, taskId);
    if (!task) return Promise.reject(new AppFailure('not_found', `no task with id ${taskId}`));
    return this.audit.mirrorTask({
      taskId,
      task: JSON.parse(JSON.stringify(task)) as JsonObject,
      records: chainRecordsForTask(this.db, taskId),
      signatures: signaturesForTask(this.db, taskId),
      sourceIntegrity: sourceIntegrityForTask(this.db, taskId),
    });
  }

  listAuditCommits(filter: { taskId?: string | undefined; limit: number }): Promise<AuditCommit[]> {
    return this.audit.listCommits(filter);
  }

  signingKeys(): SigningKeyInfo[] {
    const current = this.keys.current().kid;
    return this.keys.keys().map((k) => ({
      kid: k.kid,
      current: k.kid === current,
      createdAt: k.createdAt,
      retiredAt: k.retiredAt,
      publicJwk: k.publicJwk,
    }));
  }

  /** New signing key, endorsed by the old one; everything signed before stays verifiable. */
  async rotateKey(): Promise<KeyRecord> {
    await this.whenIdle();
    return this.keys.rotate();
  }

  /** Signs the head of the whole journal at record `seq` (default: the latest); also done periodically. */
  async signChainHead(seq?: number): Promise<void> {
    const last = seq === undefined ? lastChainRecord(this.db) : chainRecordBySeq(this.db, seq);
    if (!last?.recordHash) return;
    const statement: ChainHeadStatement = { typ: 'agent-agency/chain-head', seq: last.seq, recordHash: last.recordHash, signedAt: this.clock.now() };
    await this.store(null, 'chain-head', last, statement);
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
  }

  private onEvent(event: AgentEvent): void {
    if (this.closed) return;
    if (isDecision(event.type, event.payload)) this.enqueue('sign decision', () => this.signDecision(event.seq));
    this.sinceHead++;
    if (this.sinceHead >= this.headEvery.records || this.clock.now() - this.lastHeadAt >= this.headEvery.ms) {
      this.sinceHead = 0;
      this.lastHeadAt = this.clock.now();
      this.enqueue('sign chain head', () => this.signChainHead(event.seq));
    }
    if (isTerminalType(event.type)) {
      this.enqueue('sign task head', () => this.signTaskHead(event.taskId));
      if (this.mirrorOnEnd) this.enqueue('mirror task', async () => void (await this.syncAudit(event.taskId)));
    }
  }

  private enqueue(what: string, job: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (this.closed) return;
      try {
        await job();
      } catch (e) {
        if (!this.closed) this.logger.error({ err: e }, `provenance: ${what} failed`);
      }
    });
  }

  private async signDecision(seq: number): Promise<void> {
    const rec = chainRecordBySeq(this.db, seq);
    if (!rec?.recordHash) return;
    const statement: DecisionStatement = {
      typ: 'agent-agency/decision',
      taskId: rec.taskId,
      seq: rec.seq,
      taskSeq: rec.taskSeq,
      type: rec.type,
      recordHash: rec.recordHash,
      signedAt: this.clock.now(),
    };
    await this.store(rec.taskId, 'decision', rec, statement);
  }

  private async signTaskHead(taskId: string): Promise<void> {
    const last = lastChainRecord(this.db, taskId);
    if (!last?.recordHash) return;
    const statement: TaskHeadStatement = {
      typ: 'agent-agency/task-head',
      taskId,
      seq: last.seq,
      taskSeq: last.taskSeq,
      recordHash: last.recordHash,
      signedAt: this.clock.now(),
    };
    await this.store(taskId, 'task-head', last, statement);
  }

  private async store(
    taskId: string | null,
    kind: 'decision' | 'task-head' | 'chain-head',
    subject: ChainRecord,
    statement: DecisionStatement | TaskHeadStatement | ChainHeadStatement,
  ): Promise<void> {
    const { kid, key } = this.keys.signingKey();
    const jws = await signJws(statement, key, kid);
    if (this.closed) return;
    insertSignature(this.db, {
      taskId,
      kind,
      subjectSeq: subject.seq,
      subjectTaskSeq: kind === 'chain-head' ? null : subject.taskSeq,
      subjectHash: subject.recordHash,
      kid,
      jws,
      createdAt: statement.signedAt,
    });
  }

  /** Signs what a crash left unsigned: decisions, and the heads of tasks that ended. */
  private async catchUp(): Promise<void> {
    ensureSealed(this.db);
    const types = distinctEventTypes(this.db).filter(maybeDecisionType);
    for (const rec of unsignedRecords(this.db, types)) {
      if (this.closed) return;
      if (!isDecision(rec.type, rec.payload)) continue;
      await this.signDecision(rec.seq);
    }
    for (const taskId of unsignedTerminalTasks(this.db, TERMINAL_TYPES)) {
      if (this.closed) return;
      await this.signTaskHead(taskId);
    }
  }
}

export type { JournalReport, VerificationProblem };

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

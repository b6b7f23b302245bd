import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attachmentKind, type AttachmentInput, type AttachmentKind, type AttachmentView } from '../../../shared/domain/attachments';
import type { KnowledgeHit } from '../../../shared/domain/knowledge';
import { AppFailure } from '../../../shared/errors';
import { attachmentsForTask, insertAttachments, markAttachment, type AttachmentRow } from '../db/queries/attachments';
import type { Db } from '../db/open';
import { recordSourceVersion } from '../db/queries/source-integrity-records';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { sha256 } from '../workspace/hash';
import type { KnowledgeService } from './knowledge-service';
import { readSource, UnreadableSource } from './read-source';

/** An attachment checked at submit: decoded, its type confirmed by its first bytes. */
export type PreparedAttachment = { name: string; kind: AttachmentKind; data: Buffer; sha256: string };

/** What became of one attachment when it was read for planning. */
export type AttachmentOutcome = { name: string; status: 'read' | 'not_read'; extraction: AttachmentRow['extraction']; detail: string };

/**
 * Whether the model a role runs on takes images as input. No provider here passes image parts yet
 * (chat messages are text), so images are read by OCR and said to be; a provider that accepts images
 * would answer true here and the planner would receive the image itself.
 */
export type ImageInput = (role: 'planner') => boolean;
export const NO_IMAGE_INPUT: ImageInput = () => false;

const SIGNATURES: Readonly<Record<'pdf' | 'image', readonly { what: string; test: (b: Buffer) => boolean }[]>> = {
  pdf: [{ what: 'PDF', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' }],
  image: [
    { what: 'PNG', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
    { what: 'JPEG', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
    { what: 'GIF', test: (b) => b.subarray(0, 4).toString('latin1') === 'GIF8' },
    { what: 'WebP', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
    { what: 'BMP', test: (b) => b.subarray(0, 2).toString('latin1') === 'BM' },
  ],
};

/**
 * A task's attachments: checked at submit (too large, unknown type and unreadable files are refused
 * with their name and the reason), kept in the data folder, and read into the knowledge base for that
 * task when it is planned. A PDF or image that then fails to parse does not stop the task: its row
 * says it was not read and why, and the task page shows that.
 */
export class AttachmentService {
  constructor(private readonly o: { db: Db; logger: Logger; clock: Clock; dataDir: string; knowledge: KnowledgeService; imageInput?: ImageInput }) {}

  /** Decodes and checks every attachment; the first problem of each is reported, all at once. */
  prepare(inputs: readonly AttachmentInput[]): PreparedAttachment[] {
    const issues: { path: string; message: string }[] = [];
    const out: PreparedAttachment[] = [];
    inputs.forEach((a, i) => {
      const name = a.name.trim();
      const kind = attachmentKind(name);
      const data = Buffer.from(a.dataBase64, 'base64');
      const problem = kind === null ? `"${name}" has a type that is not accepted` : unreadable(name, kind, data);
      if (problem || kind === null) issues.push({ path: `attachments[${i}]`, message: problem ?? `"${name}" cannot be read` });
      else out.push({ name, kind, data, sha256: sha256(data) });
    });
    if (issues.length) throw new AppFailure('invalid_input', issues.map((x) => `${x.path}: ${x.message}`).join('; '), issues);
    return out;
  }

  /** Keeps the files in the data folder and their rows (call inside the task's insert transaction). */
  store(taskId: string, prepared: readonly PreparedAttachment[]): void {
    if (prepared.length === 0) return;
    const dir = join(this.o.dataDir, 'attachments', taskId);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const now = this.o.clock.now();
    try {
      const rows: AttachmentRow[] = prepared.map((p, ordinal) => {
        const path = join(dir, `${ordinal + 1}-${p.name}`);
        writeFileSync(path, p.data, { mode: 0o600 });
        return { taskId, ordinal: ordinal + 1, name: p.name, kind: p.kind, bytes: p.data.length, sha256: p.sha256, path, status: 'pending', extraction: null, detail: '', entityId: null, createdAt: now, readAt: null };
      });
      insertAttachments(this.o.db, rows);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** The attachments of an earlier task, for a retry of it (the same files, checked again). */
  carried(taskId: string): PreparedAttachment[] {
    return attachmentsForTask(this.o.db, taskId).flatMap((r) => {
      try {
        const data = readFileSync(r.path);
        return sha256(data) === r.sha256 ? [{ name: r.name, kind: r.kind, data, sha256: r.sha256 }] : [];
      } catch {
        return [];
      }
    });
  }

  list(taskId: string): AttachmentView[] {
    return attachmentsForTask(this.o.db, taskId).map((r) => ({
      ordinal: r.ordinal,
      name: r.name,
      kind: r.kind,
      bytes: r.bytes,
      sha256: r.sha256,
      status: r.status,
      extraction: r.extraction,
      detail: r.detail,
      entityId: r.entityId,
    }));
  }

  /**
   * Reads every attachment not yet read into the knowledge base for this task: text as it is, PDFs
   * per page, images by OCR (or, for a model that takes images, as the image). Never throws for one
   * file: a file that fails is marked not read with the reason. Idempotent: a read one is skipped.
   */
  async index(taskId: string): Promise<AttachmentOutcome[]> {
    const out: AttachmentOutcome[] = [];
    for (const row of attachmentsForTask(this.o.db, taskId)) {
      if (row.status !== 'pending') continue;
      let outcome: AttachmentOutcome;
      let entityId: string | null = null;
      try {
        const data = readFileSync(row.path);
        if (sha256(data) !== row.sha256) throw new UnreadableSource(row.name, 'the kept copy changed after submit (its sha256 differs)');
        const extracted = await readSource(row.name, data);
        const added = await this.o.knowledge.addData({ source: row.path, title: row.name, data, taskId, extracted });
        entityId = added.entityId;
        const words = extracted.parts.reduce((n, p) => n + p.text.trim().split(/\s+/).filter(Boolean).length, 0);
        const detail =
          extracted.extraction === 'pdf'
            ? `${extracted.parts.length} page(s) read as text${words === 0 ? '; no text found (a scanned PDF?)' : ''}`
            : extracted.extraction === 'ocr'
              ? words === 0
                ? 'image: OCR found no text'
                : `image: text read by OCR (${words} words); the model is given the OCR text, not the image`
              : `${words} words`;
        // An image or PDF with no text at all was not really read: say so rather than pretend.
        const empty = words === 0 && extracted.extraction !== 'text';
        outcome = { name: row.name, status: empty ? 'not_read' : 'read', extraction: extracted.extraction, detail };
      } catch (e) {
        const reason = e instanceof UnreadableSource ? e.reason : e instanceof Error ? e.message : String(e);
        outcome = { name: row.name, status: 'not_read', extraction: null, detail: reason };
        this.o.logger.warn({ taskId, attachment: row.name, reason }, 'attachment not read');
      }
      markAttachment(this.o.db, taskId, row.ordinal, { ...outcome, entityId, readAt: this.o.clock.now() });
      out.push(outcome);
    }
    return out;
  }

  /**
   * Reference material for planning: the chunks of this task's attachments and the user's knowledge
   * most relevant to the task (and the target repository's docs, with `repo` its key), each with its
   * source and location so the plan can cite them.
   */
  references(taskId: string, query: string, limit = 6, repo?: string): KnowledgeHit[] {
    const own = this.o.knowledge.search(query, limit, taskId, repo);
    // Every attachment is at least represented by its first chunk: the user attached it for a reason.
    const attached = attachmentsForTask(this.o.db, taskId).filter((r) => r.status === 'read' && r.entityId && !own.some((h) => h.entityId === r.entityId));
    const extra = attached.flatMap((r) => this.o.knowledge.search(`${r.name.replace(/\.[^.]+$/, '')} ${query}`, 20, taskId).filter((h) => h.entityId === r.entityId).slice(0, 1));
    const hits = [...own, ...extra].slice(0, limit + attached.length);
    this.recordRead(taskId, hits);
    return hits;
  }

  /**
   * Source integrity: the attachments read into the knowledge base (the hash of the kept file) and
   * every chunk handed to the planner (the hash of its text, at its source and location), each
   * version recorded once for the task.
   */
  private recordRead(taskId: string, hits: readonly KnowledgeHit[]): void {
    const now = this.o.clock.now();
    const read = attachmentsForTask(this.o.db, taskId).filter((r) => r.status === 'read');
    this.o.db.transaction(() => {
      for (const r of read) recordSourceVersion(this.o.db, taskId, { source: 'attachment', path: r.name, sha256: r.sha256 }, now);
      for (const h of hits) recordSourceVersion(this.o.db, taskId, { source: 'knowledge', path: h.source, location: h.location, sha256: sha256(Buffer.from(h.text, 'utf8')) }, now);
    })();
  }

  acceptsImages(): boolean {
    return (this.o.imageInput ?? NO_IMAGE_INPUT)('planner');
  }
}

/** Why a file cannot be read at all, found without parsing it (so submit answers at once); null if it looks readable. */
function unreadable(name: string, kind: AttachmentKind, data: Buffer): string | null {
  if (data.length === 0) return `"${name}" is empty`;
  if (kind === 'text' || kind === 'markdown') {
    if (data.includes(0)) return `"${name}" cannot be read as text: it holds NUL bytes (a binary file?)`;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(data);
    } catch {
      return `"${name}" cannot be read as text: it is not UTF-8`;
    }
    return null;
  }
  const signatures = SIGNATURES[kind];
  if (!signatures.some((s) => s.test(data))) return `"${name}" cannot be read: its content is not a ${signatures.map((s) => s.what).join(', ')} file`;
  return null;
}

import type { Db } from '../db/open';
import { deleteVectorFile, listVectorFiles, putVectorFile, textFiles, type VectorFile } from '../db/queries/retrieval';
import { systemClock } from '../journal/journal';
import { EmbeddingStore } from '../models/embeddings-store';
import { embedInBatches, type TextEmbedder } from '../models/text-embedder';
import type { Logger } from '../observability/logger';

/** The embeddings namespace of file chunks in a retrieval index; a vector's ref is `path#chunk`. */
export const FILE_NAMESPACE = 'retrieval';

/** How much of a repository is embedded: bounded, so a large repository costs a bounded time per question. */
export type VectorLimits = {
  /** Characters of one chunk (cut at line ends where it can be). */
  chunkChars: number;
  /** Chunks per file at most: the start of a long file stands for it. */
  chunksPerFile: number;
  /** Files embedded at most (the indexed text files, in path order). */
  files: number;
  /** Chunks embedded by one update at most; the rest are embedded by the next updates. */
  chunksPerUpdate: number;
  /** Texts per embed call. */
  batch: number;
};

export const DEFAULT_VECTOR_LIMITS: VectorLimits = { chunkChars: 1500, chunksPerFile: 8, files: 2000, chunksPerUpdate: 512, batch: 16 };

/** Characters of the task given to the embedder as the query. */
const QUERY_CHARS = 2000;

/** What an update did to the vectors: files (re)embedded and their chunks, files whose vectors went, files still to do. */
export type VectorStats = { model: string; embedded: number; chunks: number; removed: number; pending: number; failed: boolean };

/**
 * File chunks of a retrieval index in sqlite-vec (through the embeddings store, in the index's own
 * database), kept in step with the indexed files by hash: an unchanged file is not embedded again, a
 * changed one has its vectors replaced, a removed one loses them. `file_vectors` records which model
 * made each file's vectors; a file embedded by another model is embedded again, and a search only
 * ever reads one model's vectors (the store partitions by model).
 */
export class FileVectors {
  private readonly store: EmbeddingStore;
  private readonly limits: VectorLimits;

  constructor(private readonly o: { db: Db; logger: Logger; embedder?: TextEmbedder; limits?: Partial<VectorLimits> }) {
    this.store = new EmbeddingStore(o.db, systemClock);
    this.limits = { ...DEFAULT_VECTOR_LIMITS, ...o.limits };
  }

  /** The assigned embedding model, if any. */
  model(): string | undefined {
    return this.o.embedder?.model() || undefined;
  }

  /**
   * Brings the vectors in step with the indexed files. `read` gives a file's text (`texts` holds the
   * ones this update already read). Without a model nothing happens. A failed embed is logged, never
   * thrown: the files stay found by the other signals, and are tried again on the next update.
   */
  async sync(read: (path: string) => Promise<string | null>, options: { texts?: ReadonlyMap<string, string>; signal?: AbortSignal } = {}): Promise<VectorStats | undefined> {
    const model = this.model();
    if (!model || !this.o.embedder) return undefined;
    const stats: VectorStats = { model, embedded: 0, chunks: 0, removed: 0, pending: 0, failed: false };
    const eligible = new Map(textFiles(this.o.db).slice(0, this.limits.files).map((f) => [f.path, f.hash]));
    const known = new Map(listVectorFiles(this.o.db).map((v) => [v.path, v]));
    const todo: string[] = [];
    for (const [path, hash] of eligible) {
      const v = known.get(path);
      if (v && v.hash === hash && v.model === model) continue;
      // A changed file's old vectors, or another model's, go before new ones are made.
      if (v) this.forget(v);
      todo.push(path);
    }
    for (const v of known.values()) {
      if (eligible.has(v.path)) continue;
      this.forget(v);
      stats.removed++;
    }

    // This update's share: whole files, in path order, up to the chunk budget (at least one file).
    const files: Array<{ path: string; hash: string; texts: string[] }> = [];
    let budget = this.limits.chunksPerUpdate;
    for (const path of todo) {
      const text = options.texts?.get(path) ?? (await read(path));
      const texts = text === null ? [] : chunkText(text, this.limits).map((c) => `${path}\n${c}`);
      if (files.length > 0 && texts.length > budget) break;
      files.push({ path, hash: eligible.get(path)!, texts });
      budget -= texts.length;
    }
    stats.pending = todo.length - files.length;

    const all = files.flatMap((f) => f.texts);
    const owner = files.flatMap((f, i) => f.texts.map(() => i));
    const vectors: number[][] = [];
    const done = (i: number) => {
      const f = files[i]!;
      const start = owner.indexOf(i);
      this.o.db.transaction(() => {
        f.texts.forEach((text, j) => this.store.upsert({ namespace: FILE_NAMESPACE, ref: `${f.path}#${j}`, model, text, vector: vectors[start + j]! }));
        putVectorFile(this.o.db, { path: f.path, hash: f.hash, model, chunks: f.texts.length });
      })();
      stats.embedded++;
      stats.chunks += f.texts.length;
    };
    // A file without text (read failed) is recorded with no chunks, so it is not read again until it changes.
    files.forEach((f, i) => f.texts.length === 0 && done(i));
    try {
      await embedInBatches(
        this.o.embedder,
        model,
        all,
        this.limits.batch,
        (start, batch) => {
          vectors.push(...batch);
          // Files whose last chunk is now embedded are stored at once, so a later failure keeps them.
          for (let k = start; k < start + batch.length; k++) if (owner[k + 1] !== owner[k]) done(owner[k]!);
        },
        options.signal,
      );
    } catch (e) {
      stats.failed = true;
      stats.pending = todo.length - stats.embedded;
      this.o.logger.warn({ err: e, model, embedded: stats.embedded, pending: stats.pending }, 'embedding repository files failed; retrieval ranks them without vectors');
    }
    return stats;
  }

  /**
   * The indexed files nearest the query by the assigned model (each file by its nearest chunk),
   * nearest first; undefined when there is no model, no vectors of it, or embedding the query failed
   * (logged) — the caller then ranks without vectors.
   */
  async nearestFiles(query: string, k: number, signal?: AbortSignal): Promise<string[] | undefined> {
    const model = this.model();
    if (!model || !this.o.embedder || !query.trim() || this.store.count(FILE_NAMESPACE, model) === 0) return undefined;
    try {
      const [vector] = await this.o.embedder.embed(model, [query.slice(0, QUERY_CHARS)], signal);
      if (!vector) throw new Error('embedder returned no vector for the query');
      const hits = this.store.nearest({ namespace: FILE_NAMESPACE, model, vector, k: k * this.limits.chunksPerFile });
      const paths: string[] = [];
      for (const h of hits) {
        const path = h.ref.slice(0, h.ref.lastIndexOf('#'));
        if (!paths.includes(path)) paths.push(path);
        if (paths.length >= k) break;
      }
      return paths;
    } catch (e) {
      this.o.logger.warn({ err: e, model }, 'embedding the retrieval query failed; ranking without vectors');
      return undefined;
    }
  }

  /** Vectors stored by `model`. */
  count(model: string): number {
    return this.store.count(FILE_NAMESPACE, model);
  }

  private forget(v: VectorFile): void {
    this.o.db.transaction(() => {
      for (let j = 0; j < v.chunks; j++) this.store.removeRef(FILE_NAMESPACE, `${v.path}#${j}`);
      deleteVectorFile(this.o.db, v.path);
    })();
  }
}

/** A file's first chunks: pieces of at most `chunkChars`, cut after a line where one fits, blank pieces left out. */
export function chunkText(text: string, limits: Pick<VectorLimits, 'chunkChars' | 'chunksPerFile'>): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < text.length && out.length < limits.chunksPerFile) {
    let end = Math.min(text.length, at + limits.chunkChars);
    if (end < text.length) {
      const nl = text.lastIndexOf('\n', end - 1);
      if (nl > at) end = nl + 1;
    }
    const piece = text.slice(at, end);
    if (piece.trim()) out.push(piece);
    at = end;
  }
  return out;
}

import type { Db } from '../db/open';
import type { Clock } from '../journal/journal';
import { EmbeddingStore } from '../models/embeddings-store';
import { embedInBatches, type TextEmbedder } from '../models/text-embedder';
import type { Logger } from '../observability/logger';

/** The embeddings namespace of knowledge chunks; a vector's ref is its chunk's id. */
export const KNOWLEDGE_NAMESPACE = 'knowledge';
/** Texts per embed call: small enough for a small model's batch, large enough to amortise the call. */
export const EMBED_BATCH = 16;
/** Chunks embedded per entry at most; the rest are still found by FTS. */
export const MAX_EMBEDDED_CHUNKS = 2000;
/** Characters of a chunk given to the embedder (chunks are ~800; a title is added). */
const EMBED_CHARS = 1200;
/** Reciprocal rank fusion's constant (the usual 60): damps the gap between the first ranks. */
const RRF_K = 60;

/** Chunk vectors in sqlite-vec (through the embeddings store), written when an embedding model is assigned. */
export class ChunkVectors {
  private readonly store: EmbeddingStore;

  constructor(private readonly o: { db: Db; clock: Clock; logger: Logger; embedder?: TextEmbedder }) {
    this.store = new EmbeddingStore(o.db, o.clock);
  }

  /** The assigned embedding model, if any. */
  model(): string | undefined {
    return this.o.embedder?.model();
  }

  /**
   * Embeds chunks in batches of EMBED_BATCH (at most MAX_EMBEDDED_CHUNKS) with the assigned model and
   * stores their vectors; returns how many were stored. Without a model nothing happens. A failed
   * embed is logged, never thrown: the chunks are already searchable by FTS.
   */
  async embedChunks(chunks: readonly { id: number; title: string; text: string }[]): Promise<number> {
    const model = this.model();
    if (!model || !this.o.embedder || chunks.length === 0) return 0;
    if (chunks.length > MAX_EMBEDDED_CHUNKS) this.o.logger.warn({ chunks: chunks.length, embedded: MAX_EMBEDDED_CHUNKS }, 'knowledge entry has more chunks than are embedded; the rest are found by FTS only');
    const todo = chunks.slice(0, MAX_EMBEDDED_CHUNKS);
    let stored = 0;
    const texts = todo.map((c) => embedText(c.title, c.text));
    try {
      await embedInBatches(this.o.embedder, model, texts, EMBED_BATCH, (start, vectors) => {
        vectors.forEach((vector, j) => this.store.upsert({ namespace: KNOWLEDGE_NAMESPACE, ref: String(todo[start + j]!.id), model, text: texts[start + j]!, vector }));
        stored += vectors.length;
      });
    } catch (e) {
      this.o.logger.warn({ err: e, model, stored, chunks: todo.length }, 'embedding knowledge chunks failed; they are found by FTS only');
    }
    return stored;
  }

  /**
   * The chunk ids nearest the query by the assigned model, nearest first; undefined when there is no
   * model, it stored no vectors, or embedding the query failed (the caller ranks by FTS alone).
   */
  async nearest(query: string, k: number): Promise<number[] | undefined> {
    const model = this.model();
    if (!model || !this.o.embedder || this.store.count(KNOWLEDGE_NAMESPACE, model) === 0) return undefined;
    try {
      const [vector] = await this.o.embedder.embed(model, [query]);
      if (!vector) return undefined;
      return this.store.nearest({ namespace: KNOWLEDGE_NAMESPACE, model, vector, k }).map((h) => Number(h.ref));
    } catch (e) {
      this.o.logger.warn({ err: e, model }, 'embedding a knowledge query failed; ranking by FTS only');
      return undefined;
    }
  }

  /** Forgets the vectors of these chunks, whichever model made them. */
  removeChunks(ids: readonly number[]): number {
    return ids.reduce((n, id) => n + this.store.removeRef(KNOWLEDGE_NAMESPACE, String(id)), 0);
  }

  count(model: string): number {
    return this.store.count(KNOWLEDGE_NAMESPACE, model);
  }
}

function embedText(title: string, text: string): string {
  return `${title}\n${text}`.slice(0, EMBED_CHARS);
}

/**
 * Reciprocal rank fusion: each id scores the sum of 1 / (RRF_K + rank) over the lists it appears in
 * (rank from 1). Returns ids best first, ties by their first appearance.
 */
export function reciprocalRankFusion(lists: readonly (readonly number[])[]): { id: number; score: number }[] {
  const scores = new Map<number, number>();
  for (const list of lists) list.forEach((id, i) => scores.set(id, (scores.get(id) ?? 0) + 1 / (RRF_K + i + 1)));
  return [...scores.entries()].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}

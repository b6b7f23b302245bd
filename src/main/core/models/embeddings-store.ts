import { createHash } from 'node:crypto';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import {
  countEmbeddings,
  createVectorTable,
  deleteEmbedding,
  deleteVector,
  embeddingsOfRef,
  findEmbedding,
  insertEmbedding,
  insertVector,
  nearestVectors,
  updateEmbedding,
  vectorTableExists,
  type EmbeddingHit,
} from '../db/queries/embeddings';
import type { Clock } from '../journal/journal';

export type { EmbeddingHit };

/** Largest vector size accepted; real embedding models stay well below it. */
const MAX_DIMS = 8192;

/**
 * Vectors in sqlite-vec. Each vector size has its own `vec0` table (a table's size is fixed), the
 * rows of `embeddings` say what each vector is, and a vector's search space (model + namespace) is
 * the table's partition key, so a k-nearest search never mixes models or namespaces.
 */
export class EmbeddingStore {
  private readonly ready = new Set<number>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Stores (or replaces) the vector of `ref` in `namespace`; returns its id. */
  upsert(input: { namespace: string; ref: string; model: string; text: string; vector: readonly number[] }): number {
    const dims = input.vector.length;
    this.checkVector(input.vector);
    this.ensureTable(dims);
    const space = spaceOf(input.model, input.namespace);
    const sha = createHash('sha256').update(input.text).digest('hex');
    return this.db.transaction(() => {
      const existing = findEmbedding(this.db, input.namespace, input.ref, input.model);
      let id: number;
      if (existing) {
        id = existing.id;
        deleteVector(this.db, existing.dims, id);
        updateEmbedding(this.db, id, dims, sha, this.clock.now());
      } else {
        id = insertEmbedding(this.db, { namespace: input.namespace, ref: input.ref, model: input.model, dims, textSha256: sha, createdAt: this.clock.now() });
      }
      insertVector(this.db, dims, id, space, vectorBlob(input.vector));
      return id;
    }).immediate();
  }

  /** The `k` nearest stored vectors (cosine distance, nearest first) of one model and namespace. */
  nearest(input: { namespace: string; model: string; vector: readonly number[]; k: number }): EmbeddingHit[] {
    this.checkVector(input.vector);
    const k = Math.max(1, Math.min(Math.floor(input.k), 1000));
    const dims = input.vector.length;
    if (!this.tableExists(dims)) return [];
    return nearestVectors(this.db, dims, vectorBlob(input.vector), k, spaceOf(input.model, input.namespace));
  }

  remove(namespace: string, ref: string, model: string): boolean {
    return this.db.transaction(() => {
      const row = findEmbedding(this.db, namespace, ref, model);
      if (!row) return false;
      deleteVector(this.db, row.dims, row.id);
      deleteEmbedding(this.db, row.id);
      return true;
    }).immediate();
  }

  /** Forgets `ref` in `namespace` for every model; returns how many vectors went. */
  removeRef(namespace: string, ref: string): number {
    return this.db.transaction(() => {
      const rows = embeddingsOfRef(this.db, namespace, ref);
      for (const row of rows) {
        deleteVector(this.db, row.dims, row.id);
        deleteEmbedding(this.db, row.id);
      }
      return rows.length;
    }).immediate();
  }

  count(namespace: string, model: string): number {
    return countEmbeddings(this.db, namespace, model);
  }

  private checkVector(vector: readonly number[]): void {
    if (vector.length === 0 || vector.length > MAX_DIMS || !Number.isInteger(vector.length)) {
      throw new AppFailure('invalid_input', `vector: must have 1 to ${MAX_DIMS} values, got ${vector.length}`);
    }
    if (!vector.every(Number.isFinite)) throw new AppFailure('invalid_input', 'vector: every value must be a finite number');
  }

  private tableExists(dims: number): boolean {
    if (this.ready.has(dims)) return true;
    const exists = vectorTableExists(this.db, dims);
    if (exists) this.ready.add(dims);
    return exists;
  }

  private ensureTable(dims: number): void {
    if (this.tableExists(dims)) return;
    createVectorTable(this.db, dims);
    this.ready.add(dims);
  }
}

function spaceOf(model: string, namespace: string): string {
  return `${model}\u0001${namespace}`;
}

function vectorBlob(vector: readonly number[]): Buffer {
  return Buffer.from(Float32Array.from(vector).buffer);
}

import { createHash } from 'node:crypto';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import type { Clock } from '../journal/journal';

export type EmbeddingHit = { ref: string; distance: number };

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
    const table = this.table(dims);
    const space = spaceOf(input.model, input.namespace);
    const sha = createHash('sha256').update(input.text).digest('hex');
    return this.db.transaction(() => {
      const existing = this.db
        .prepare('SELECT id, dims FROM embeddings WHERE namespace = ? AND ref = ? AND model = ?')
        .get(input.namespace, input.ref, input.model) as { id: number; dims: number } | undefined;
      let id: number;
      if (existing) {
        id = existing.id;
        this.db.prepare(`DELETE FROM vec_embeddings_${existing.dims} WHERE rowid = ?`).run(BigInt(id));
        this.db.prepare('UPDATE embeddings SET dims = ?, text_sha256 = ?, created_at = ? WHERE id = ?').run(dims, sha, this.clock.now(), id);
      } else {
        const info = this.db
          .prepare('INSERT INTO embeddings (namespace, ref, model, dims, text_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(input.namespace, input.ref, input.model, dims, sha, this.clock.now());
        id = Number(info.lastInsertRowid);
      }
      // sqlite-vec accepts only integer rowids, which better-sqlite3 binds from a BigInt.
      this.db.prepare(`INSERT INTO ${table} (rowid, space, embedding) VALUES (?, ?, ?)`).run(BigInt(id), space, vectorBlob(input.vector));
      return id;
    }).immediate();
  }

  /** The `k` nearest stored vectors (cosine distance, nearest first) of one model and namespace. */
  nearest(input: { namespace: string; model: string; vector: readonly number[]; k: number }): EmbeddingHit[] {
    this.checkVector(input.vector);
    const k = Math.max(1, Math.min(Math.floor(input.k), 1000));
    const dims = input.vector.length;
    if (!this.tableExists(dims)) return [];
    const rows = this.db
      .prepare(
        `SELECT e.ref AS ref, v.distance AS distance
           FROM vec_embeddings_${dims} v JOIN embeddings e ON e.id = v.rowid
          WHERE v.embedding MATCH ? AND k = ? AND v.space = ?
          ORDER BY v.distance`,
      )
      .all(vectorBlob(input.vector), k, spaceOf(input.model, input.namespace)) as EmbeddingHit[];
    return rows;
  }

  remove(namespace: string, ref: string, model: string): boolean {
    return this.db.transaction(() => {
      const row = this.db.prepare('SELECT id, dims FROM embeddings WHERE namespace = ? AND ref = ? AND model = ?').get(namespace, ref, model) as
        | { id: number; dims: number }
        | undefined;
      if (!row) return false;
      this.db.prepare(`DELETE FROM vec_embeddings_${row.dims} WHERE rowid = ?`).run(BigInt(row.id));
      this.db.prepare('DELETE FROM embeddings WHERE id = ?').run(row.id);
      return true;
    }).immediate();
  }

  count(namespace: string, model: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM embeddings WHERE namespace = ? AND model = ?').get(namespace, model) as { n: number }).n;
  }

  private checkVector(vector: readonly number[]): void {
    if (vector.length === 0 || vector.length > MAX_DIMS || !Number.isInteger(vector.length)) {
      throw new AppFailure('invalid_input', `vector: must have 1 to ${MAX_DIMS} values, got ${vector.length}`);
    }
    if (!vector.every(Number.isFinite)) throw new AppFailure('invalid_input', 'vector: every value must be a finite number');
  }

  private tableExists(dims: number): boolean {
    if (this.ready.has(dims)) return true;
    const row = this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = ?").get(`vec_embeddings_${dims}`);
    if (row) this.ready.add(dims);
    return Boolean(row);
  }

  private table(dims: number): string {
    const name = `vec_embeddings_${dims}`;
    if (!this.tableExists(dims)) {
      // dims is a checked integer, so interpolating it into DDL is safe.
      this.db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${name} USING vec0(space text partition key, embedding float[${dims}] distance_metric=cosine)`);
      this.ready.add(dims);
    }
    return name;
  }
}

function spaceOf(model: string, namespace: string): string {
  return `${model}\u0001${namespace}`;
}

function vectorBlob(vector: readonly number[]): Buffer {
  return Buffer.from(Float32Array.from(vector).buffer);
}

import type { Db } from '../open';

/**
 * Queries of `embeddings` (what each stored vector is) and of the sqlite-vec tables
 * `vec_embeddings_<dims>` (one per vector size, a table's size being fixed). `dims` is always a
 * checked integer by the time it reaches here, so interpolating it into a table name is safe.
 */

export type EmbeddingHit = { ref: string; distance: number };

export type EmbeddingRow = { id: number; dims: number };

/**
 * The `embeddings` table as migration 0003 made it in the app database, for another database that
 * keeps vectors through the same store (the retrieval index, see queries/retrieval.ts).
 */
export const EMBEDDINGS_SCHEMA = `
CREATE TABLE embeddings (
  id INTEGER PRIMARY KEY,
  namespace TEXT NOT NULL,
  ref TEXT NOT NULL,
  model TEXT NOT NULL,
  dims INTEGER NOT NULL CHECK (dims > 0),
  text_sha256 TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (namespace, ref, model)
) STRICT;
CREATE INDEX embeddings_model ON embeddings(model, dims);
`;

const vecTable = (dims: number): string => `vec_embeddings_${dims}`;

export function findEmbedding(db: Db, namespace: string, ref: string, model: string): EmbeddingRow | undefined {
  return db.prepare('SELECT id, dims FROM embeddings WHERE namespace = ? AND ref = ? AND model = ?').get(namespace, ref, model) as EmbeddingRow | undefined;
}

export function insertEmbedding(db: Db, row: { namespace: string; ref: string; model: string; dims: number; textSha256: string; createdAt: number }): number {
  const info = db
    .prepare('INSERT INTO embeddings (namespace, ref, model, dims, text_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(row.namespace, row.ref, row.model, row.dims, row.textSha256, row.createdAt);
  return Number(info.lastInsertRowid);
}

/** Every stored vector of `ref` in `namespace`, whichever model made it. */
export function embeddingsOfRef(db: Db, namespace: string, ref: string): EmbeddingRow[] {
  return db.prepare('SELECT id, dims FROM embeddings WHERE namespace = ? AND ref = ?').all(namespace, ref) as EmbeddingRow[];
}

export function updateEmbedding(db: Db, id: number, dims: number, textSha256: string, createdAt: number): void {
  db.prepare('UPDATE embeddings SET dims = ?, text_sha256 = ?, created_at = ? WHERE id = ?').run(dims, textSha256, createdAt, id);
}

export function deleteEmbedding(db: Db, id: number): void {
  db.prepare('DELETE FROM embeddings WHERE id = ?').run(id);
}

export function countEmbeddings(db: Db, namespace: string, model: string): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM embeddings WHERE namespace = ? AND model = ?').get(namespace, model) as { n: number }).n;
}

export function vectorTableExists(db: Db, dims: number): boolean {
  return db.prepare('SELECT 1 FROM sqlite_master WHERE name = ?').get(vecTable(dims)) !== undefined;
}

/** The vec0 table for vectors of `dims` values; a vector's search space is its partition key. */
export function createVectorTable(db: Db, dims: number): string {
  const name = vecTable(dims);
  db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${name} USING vec0(space text partition key, embedding float[${dims}] distance_metric=cosine)`);
  return name;
}

/** sqlite-vec accepts only integer rowids, which better-sqlite3 binds from a BigInt. */
export function insertVector(db: Db, dims: number, id: number, space: string, blob: Buffer): void {
  db.prepare(`INSERT INTO ${vecTable(dims)} (rowid, space, embedding) VALUES (?, ?, ?)`).run(BigInt(id), space, blob);
}

export function deleteVector(db: Db, dims: number, id: number): void {
  db.prepare(`DELETE FROM ${vecTable(dims)} WHERE rowid = ?`).run(BigInt(id));
}

/** The `k` nearest vectors of one search space by cosine distance, nearest first. */
export function nearestVectors(db: Db, dims: number, blob: Buffer, k: number, space: string): EmbeddingHit[] {
  return db
    .prepare(
      `SELECT e.ref AS ref, v.distance AS distance
         FROM ${vecTable(dims)} v JOIN embeddings e ON e.id = v.rowid
        WHERE v.embedding MATCH ? AND k = ? AND v.space = ?
        ORDER BY v.distance`,
    )
    .all(blob, k, space) as EmbeddingHit[];
}

import type { Db } from '../open';

/** Queries of the knowledge base (external_knowledge_*). */

export type KnowledgeEntityRow = { id: string; kind: string; source: string; title: string; sha256: string; bytes: number; extraction: string; added_at: number };

export function findEntityBySourceHash(db: Db, source: string, sha256: string): KnowledgeEntityRow | undefined {
  return db.prepare('SELECT * FROM external_knowledge_entities WHERE source = ? AND sha256 = ?').get(source, sha256) as KnowledgeEntityRow | undefined;
}

/** Inserts the entity with its chunks and their index words in one transaction. */
export function insertEntity(db: Db, e: KnowledgeEntityRow, chunks: readonly { location: string; text: string; words: string }[]): void {
  db.transaction(() => {
    db.prepare('INSERT INTO external_knowledge_entities (id, kind, source, title, sha256, bytes, extraction, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      e.id, e.kind, e.source, e.title, e.sha256, e.bytes, e.extraction, e.added_at,
    );
    const chunk = db.prepare('INSERT INTO external_knowledge_chunks (entity_id, ordinal, location, text) VALUES (?, ?, ?, ?)');
    const fts = db.prepare('INSERT INTO external_knowledge_fts (rowid, words) VALUES (?, ?)');
    chunks.forEach((c, i) => {
      const id = chunk.run(e.id, i, c.location, c.text).lastInsertRowid;
      fts.run(id, c.words);
    });
  })();
}

export function linkEntities(db: Db, from: string, to: string, relation: string): void {
  db.prepare('INSERT OR IGNORE INTO external_knowledge_links (from_id, to_id, relation) VALUES (?, ?, ?)').run(from, to, relation);
}

export type KnowledgeHit = { chunkId: number; entityId: string; source: string; title: string; extraction: string; location: string; text: string; score: number };

/** BM25 over the chunks' words (lower is better in SQLite; returned as is). */
export function searchChunks(db: Db, match: string, limit: number): KnowledgeHit[] {
  return db
    .prepare(
      `SELECT c.id AS chunkId, e.id AS entityId, e.source AS source, e.title AS title, e.extraction AS extraction, c.location AS location, c.text AS text,
              bm25(external_knowledge_fts) AS score
         FROM external_knowledge_fts f JOIN external_knowledge_chunks c ON c.id = f.rowid JOIN external_knowledge_entities e ON e.id = c.entity_id
        WHERE external_knowledge_fts MATCH ? ORDER BY score LIMIT ?`,
    )
    .all(match, limit) as KnowledgeHit[];
}

export function countEntities(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM external_knowledge_entities').get() as { n: number }).n;
}

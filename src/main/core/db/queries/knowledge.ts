import type { Db } from '../open';

/** Queries of the knowledge base (external_knowledge_*). */

export type KnowledgeEntityRow = {
  id: string;
  kind: string;
  source: string;
  title: string;
  sha256: string;
  bytes: number;
  extraction: string;
  added_at: number;
  /** The task whose attachment this is; null for entries the user added. */
  task_id: string | null;
  /** The repository root whose doc or spec this is (migration 28); null otherwise. */
  repo?: string | null;
};

export function findEntityBySourceHash(db: Db, source: string, sha256: string): KnowledgeEntityRow | undefined {
  return db.prepare('SELECT * FROM external_knowledge_entities WHERE source = ? AND sha256 = ?').get(source, sha256) as KnowledgeEntityRow | undefined;
}

export function getEntity(db: Db, id: string): KnowledgeEntityRow | undefined {
  return db.prepare('SELECT * FROM external_knowledge_entities WHERE id = ?').get(id) as KnowledgeEntityRow | undefined;
}

/** Inserts the entity with its chunks and their index words in one transaction; returns the chunks' ids in order. */
export function insertEntity(db: Db, e: KnowledgeEntityRow, chunks: readonly { location: string; text: string; words: string }[]): number[] {
  return db.transaction(() => {
    db.prepare('INSERT INTO external_knowledge_entities (id, kind, source, title, sha256, bytes, extraction, added_at, task_id, repo) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
      e.id, e.kind, e.source, e.title, e.sha256, e.bytes, e.extraction, e.added_at, e.task_id, e.repo ?? null,
    );
    const chunk = db.prepare('INSERT INTO external_knowledge_chunks (entity_id, ordinal, location, text, words) VALUES (?, ?, ?, ?, ?)');
    const fts = db.prepare('INSERT INTO external_knowledge_fts (rowid, words) VALUES (?, ?)');
    return chunks.map((c, i) => {
      const id = chunk.run(e.id, i, c.location, c.text, c.words).lastInsertRowid;
      fts.run(id, c.words);
      return Number(id);
    });
  })();
}

/** The ids of an entity's chunks. */
export function chunkIdsOf(db: Db, entityId: string): number[] {
  return (db.prepare('SELECT id FROM external_knowledge_chunks WHERE entity_id = ? ORDER BY ordinal').all(entityId) as { id: number }[]).map((r) => r.id);
}

/**
 * Removes an entity, its chunks and their index rows. The FTS table is contentless, so each row is
 * deleted by giving back the exact words it was indexed with: stored with the chunk, or (chunks from
 * before they were stored) recomputed by `wordsOf`, which must be the function that indexed them.
 */
export function deleteEntity(db: Db, id: string, wordsOf: (entity: KnowledgeEntityRow, text: string) => string): boolean {
  return db.transaction(() => {
    const entity = getEntity(db, id);
    if (!entity) return false;
    const chunks = db.prepare('SELECT id, text, words FROM external_knowledge_chunks WHERE entity_id = ?').all(id) as { id: number; text: string; words: string | null }[];
    const unindex = db.prepare("INSERT INTO external_knowledge_fts (external_knowledge_fts, rowid, words) VALUES ('delete', ?, ?)");
    for (const c of chunks) unindex.run(c.id, c.words ?? wordsOf(entity, c.text));
    db.prepare('DELETE FROM external_knowledge_chunks WHERE entity_id = ?').run(id);
    db.prepare('DELETE FROM external_knowledge_entities WHERE id = ?').run(id);
    return true;
  })();
}

export function linkEntities(db: Db, from: string, to: string, relation: string): void {
  db.prepare('INSERT OR IGNORE INTO external_knowledge_links (from_id, to_id, relation) VALUES (?, ?, ?)').run(from, to, relation);
}

export type KnowledgeHit = { chunkId: number; entityId: string; source: string; title: string; extraction: string; location: string; text: string; score: number; taskId: string | null; repo: string | null };

/**
 * Which entries a search sees: the user's own (no task, no repository) always, a task's attachments
 * only for that task, a repository's docs only for a task on that repository.
 */
const IN_SCOPE = '((e.task_id IS NULL AND e.repo IS NULL) OR e.task_id = ? OR e.repo = ?)';

/**
 * BM25 over the chunks' words (lower is better in SQLite; returned as is). Entries the user added are
 * always searched; a task's attachments only for that task.
 */
export function searchChunks(db: Db, match: string, limit: number, taskId?: string, repo?: string): KnowledgeHit[] {
  return db
    .prepare(
      `SELECT c.id AS chunkId, e.id AS entityId, e.source AS source, e.title AS title, e.extraction AS extraction, c.location AS location, c.text AS text,
              bm25(external_knowledge_fts) AS score, e.task_id AS taskId, e.repo AS repo
         FROM external_knowledge_fts f JOIN external_knowledge_chunks c ON c.id = f.rowid JOIN external_knowledge_entities e ON e.id = c.entity_id
        WHERE external_knowledge_fts MATCH ? AND ${IN_SCOPE} ORDER BY score LIMIT ?`,
    )
    .all(match, taskId ?? null, repo ?? null, limit) as KnowledgeHit[];
}

/**
 * The chunks of `ids` as hits (score 0; the caller ranks them), limited like searchChunks: entries the
 * user added, and a task's attachments only for that task.
 */
export function chunksByIds(db: Db, ids: readonly number[], taskId?: string, repo?: string): KnowledgeHit[] {
  if (ids.length === 0) return [];
  return db
    .prepare(
      `SELECT c.id AS chunkId, e.id AS entityId, e.source AS source, e.title AS title, e.extraction AS extraction, c.location AS location, c.text AS text,
              0 AS score, e.task_id AS taskId, e.repo AS repo
         FROM external_knowledge_chunks c JOIN external_knowledge_entities e ON e.id = c.entity_id
        WHERE c.id IN (SELECT value FROM json_each(?)) AND ${IN_SCOPE}`,
    )
    .all(JSON.stringify(ids), taskId ?? null, repo ?? null) as KnowledgeHit[];
}

export type KnowledgeEntrySummary = KnowledgeEntityRow & { chunks: number };

export function listEntities(db: Db, options: { includeAttachments: boolean; limit: number }): KnowledgeEntrySummary[] {
  return db
    .prepare(
      `SELECT e.*, (SELECT COUNT(*) FROM external_knowledge_chunks c WHERE c.entity_id = e.id) AS chunks
         FROM external_knowledge_entities e WHERE (? = 1 OR (e.task_id IS NULL AND e.repo IS NULL)) ORDER BY e.added_at DESC, e.id LIMIT ?`,
    )
    .all(options.includeAttachments ? 1 : 0, options.limit) as KnowledgeEntrySummary[];
}

export function countEntities(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM external_knowledge_entities').get() as { n: number }).n;
}

/** The entities read from one file of a repository (normally one: the version last indexed). */
export function repositoryEntities(db: Db, repo: string, source: string): KnowledgeEntityRow[] {
  return db.prepare('SELECT * FROM external_knowledge_entities WHERE repo = ? AND source = ? ORDER BY added_at, id').all(repo, source) as KnowledgeEntityRow[];
}

/** Every entity kept for a repository (id and source). */
export function repositorySources(db: Db, repo: string): { id: string; source: string }[] {
  return db.prepare('SELECT id, source FROM external_knowledge_entities WHERE repo = ? ORDER BY source').all(repo) as { id: string; source: string }[];
}

/** The text of the chunk at `location` of the entry last added from `source`; undefined when there is none. */
export function currentChunkText(db: Db, source: string, location: string): string | undefined {
  const row = db
    .prepare(
      `SELECT c.text AS text FROM external_knowledge_chunks c
        WHERE c.entity_id = (SELECT id FROM external_knowledge_entities WHERE source = ? ORDER BY added_at DESC, rowid DESC LIMIT 1) AND c.location = ?
        ORDER BY c.ordinal LIMIT 1`,
    )
    .get(source, location) as { text: string } | undefined;
  return row?.text;
}

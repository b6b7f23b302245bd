import type { Db } from '../open';
import type { Migration } from '../migrations';
import { EMBEDDINGS_SCHEMA } from './embeddings';

/**
 * The retrieval index: one SQLite file per repository under the app's data folder (never in the
 * repository). Files with their content hash (for incremental updates), an FTS5 table over path
 * words, symbol names and content (BM25), definitions, and the import graph.
 */
export const RETRIEVAL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'retrieval_index',
    sql: `
CREATE TABLE files (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  hash TEXT NOT NULL,
  lang TEXT NOT NULL,
  size INTEGER NOT NULL
) STRICT;
CREATE VIRTUAL TABLE fts USING fts5(path_words, symbols, content, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE definitions (
  file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  name_lower TEXT NOT NULL,
  kind TEXT NOT NULL,
  line INTEGER NOT NULL
) STRICT;
CREATE INDEX definitions_name ON definitions(name_lower);
CREATE INDEX definitions_file ON definitions(file_id);
CREATE TABLE imports (
  file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
  target TEXT NOT NULL
) STRICT;
CREATE INDEX imports_file ON imports(file_id);
CREATE INDEX imports_target ON imports(target);
`,
  },
  {
    // The repository's history (commit messages, stemmed, and the files each commit changed) for the
    // history signals. The file tables are emptied so every file is read again on the next update;
    // file contents keep the unstemmed tokenizer. The index is a cache: nothing else is lost.
    version: 2,
    name: 'retrieval_stemming_and_history',
    sql: `
DELETE FROM definitions;
DELETE FROM imports;
DELETE FROM files;
DROP TABLE fts;
CREATE VIRTUAL TABLE fts USING fts5(path_words, symbols, content, tokenize = 'unicode61 remove_diacritics 2');
CREATE TABLE commits (
  id INTEGER PRIMARY KEY,
  sha TEXT NOT NULL UNIQUE,
  age INTEGER NOT NULL,
  file_count INTEGER NOT NULL
) STRICT;
CREATE VIRTUAL TABLE commit_fts USING fts5(message, tokenize = 'porter unicode61 remove_diacritics 2');
CREATE TABLE commit_files (
  commit_id INTEGER NOT NULL REFERENCES commits(id) ON DELETE CASCADE,
  path TEXT NOT NULL
) STRICT;
CREATE INDEX commit_files_commit ON commit_files(commit_id);
CREATE INDEX commit_files_path ON commit_files(path);
`,
  },
  {
    // File chunks embedded into sqlite-vec when an embedding model is assigned (retrieval/file-vectors.ts):
    // the embeddings store's own table, and which version of each file, by which model, they came from.
    version: 3,
    name: 'retrieval_vectors',
    sql: `${EMBEDDINGS_SCHEMA}
CREATE TABLE file_vectors (
  path TEXT PRIMARY KEY,
  hash TEXT NOT NULL,
  model TEXT NOT NULL,
  chunks INTEGER NOT NULL
) STRICT;
`,
  },
  {
    // Commit messages gain a word per conventional-commit scope (retrieval/words.ts messageWords): the
    // stored history is emptied so the next update reads it again with those words. A cache: nothing is lost.
    version: 4,
    name: 'retrieval_commit_scopes',
    sql: `
DELETE FROM commit_fts;
DELETE FROM commit_files;
DELETE FROM commits;
`,
  },
];

export type VectorFile = { path: string; hash: string; model: string; chunks: number };

/** Which files have vectors: the version (hash) and model they were made from, and how many chunks. */
export function listVectorFiles(db: Db): VectorFile[] {
  return db.prepare('SELECT path, hash, model, chunks FROM file_vectors').all() as VectorFile[];
}

export function putVectorFile(db: Db, row: VectorFile): void {
  db.prepare('INSERT INTO file_vectors (path, hash, model, chunks) VALUES (?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET hash = excluded.hash, model = excluded.model, chunks = excluded.chunks').run(
    row.path,
    row.hash,
    row.model,
    row.chunks,
  );
}

export function deleteVectorFile(db: Db, path: string): void {
  db.prepare('DELETE FROM file_vectors WHERE path = ?').run(path);
}

/** Indexed files with text (size > 0), by path: the files that may be embedded. */
export function textFiles(db: Db): Array<{ path: string; hash: string; size: number }> {
  return db.prepare('SELECT path, hash, size FROM files WHERE size > 0 ORDER BY path').all() as Array<{ path: string; hash: string; size: number }>;
}

export type IndexedFile = { id: number; path: string; hash: string };

export function listIndexedFiles(db: Db): IndexedFile[] {
  return db.prepare('SELECT id, path, hash FROM files').all() as IndexedFile[];
}

export function deleteIndexedFile(db: Db, id: number): void {
  db.prepare('DELETE FROM fts WHERE rowid = ?').run(id);
  db.prepare('DELETE FROM definitions WHERE file_id = ?').run(id);
  db.prepare('DELETE FROM imports WHERE file_id = ?').run(id);
  db.prepare('DELETE FROM files WHERE id = ?').run(id);
}

export type FileRow = {
  path: string;
  hash: string;
  lang: string;
  size: number;
  pathWords: string;
  symbolWords: string;
  content: string;
  definitions: ReadonlyArray<{ name: string; kind: string; line: number }>;
  imports: readonly string[];
};

export function insertIndexedFile(db: Db, row: FileRow): number {
  const id = Number(db.prepare('INSERT INTO files (path, hash, lang, size) VALUES (?, ?, ?, ?)').run(row.path, row.hash, row.lang, row.size).lastInsertRowid);
  db.prepare('INSERT INTO fts (rowid, path_words, symbols, content) VALUES (?, ?, ?, ?)').run(id, row.pathWords, row.symbolWords, row.content);
  const def = db.prepare('INSERT INTO definitions (file_id, name, name_lower, kind, line) VALUES (?, ?, ?, ?, ?)');
  for (const d of row.definitions) def.run(id, d.name, d.name.toLowerCase(), d.kind, d.line);
  const imp = db.prepare('INSERT INTO imports (file_id, target) VALUES (?, ?)');
  for (const t of new Set(row.imports)) imp.run(id, t);
  return id;
}

/** BM25 over the three columns with weights (path words, symbols, content); lower is better. */
export function searchFts(db: Db, match: string, weights: readonly [number, number, number], limit: number): Array<{ path: string; score: number }> {
  return db
    .prepare(
      `SELECT files.path AS path, bm25(fts, ?, ?, ?) AS score FROM fts JOIN files ON files.id = fts.rowid
       WHERE fts MATCH ? ORDER BY score LIMIT ?`,
    )
    .all(weights[0], weights[1], weights[2], match, limit) as Array<{ path: string; score: number }>;
}

/** Files defining any of the names (lowercase), with how many files define each name. */
export function findDefinitions(db: Db, names: readonly string[]): Array<{ path: string; name: string; spread: number }> {
  if (names.length === 0) return [];
  const marks = names.map(() => '?').join(', ');
  return db
    .prepare(
      `SELECT f.path AS path, d.name_lower AS name,
              (SELECT COUNT(DISTINCT d2.file_id) FROM definitions d2 WHERE d2.name_lower = d.name_lower) AS spread
       FROM definitions d JOIN files f ON f.id = d.file_id WHERE d.name_lower IN (${marks})`,
    )
    .all(...names) as Array<{ path: string; name: string; spread: number }>;
}

/** Import edges touching the paths, both directions. */
export function importNeighbours(db: Db, paths: readonly string[]): Array<{ from: string; to: string }> {
  if (paths.length === 0) return [];
  const marks = paths.map(() => '?').join(', ');
  return db
    .prepare(
      `SELECT f.path AS "from", i.target AS "to" FROM imports i JOIN files f ON f.id = i.file_id
       WHERE f.path IN (${marks}) OR i.target IN (${marks})`,
    )
    .all(...paths, ...paths) as Array<{ from: string; to: string }>;
}

export function allPaths(db: Db): string[] {
  return (db.prepare('SELECT path FROM files ORDER BY path').all() as Array<{ path: string }>).map((r) => r.path);
}

/** A plain BM25 index over whole file contents (no path or symbol columns): the benchmark's baseline. */
export const PLAIN_BM25_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'plain_bm25', sql: `CREATE VIRTUAL TABLE plain USING fts5(path UNINDEXED, content);` },
];

export function upsertPlain(db: Db, path: string, content: string | null): void {
  db.prepare('DELETE FROM plain WHERE path = ?').run(path);
  if (content !== null) db.prepare('INSERT INTO plain (path, content) VALUES (?, ?)').run(path, content);
}

export function searchPlain(db: Db, match: string, limit: number): string[] {
  return (db.prepare('SELECT path FROM plain WHERE plain MATCH ? ORDER BY bm25(plain) LIMIT ?').all(match, limit) as Array<{ path: string }>).map((r) => r.path);
}

/** One commit of the repository's history: its message (as index words) and the files it changed. */
export type HistoryCommit = { sha: string; message: string; files: readonly string[] };

/**
 * Makes the stored history the given list (newest first; `age` is the position): commits already
 * stored are kept and re-aged, new ones inserted, ones no longer in the list removed.
 */
export function syncHistory(db: Db, commits: readonly HistoryCommit[]): { added: number; removed: number } {
  const known = new Map((db.prepare('SELECT id, sha FROM commits').all() as Array<{ id: number; sha: string }>).map((r) => [r.sha, r.id]));
  const wanted = new Set(commits.map((c) => c.sha));
  let added = 0;
  let removed = 0;
  db.transaction(() => {
    for (const [sha, id] of known) {
      if (wanted.has(sha)) continue;
      db.prepare('DELETE FROM commit_fts WHERE rowid = ?').run(id);
      db.prepare('DELETE FROM commit_files WHERE commit_id = ?').run(id);
      db.prepare('DELETE FROM commits WHERE id = ?').run(id);
      removed++;
    }
    const age = db.prepare('UPDATE commits SET age = ? WHERE id = ?');
    const insert = db.prepare('INSERT INTO commits (sha, age, file_count) VALUES (?, ?, ?)');
    const text = db.prepare('INSERT INTO commit_fts (rowid, message) VALUES (?, ?)');
    const file = db.prepare('INSERT INTO commit_files (commit_id, path) VALUES (?, ?)');
    commits.forEach((c, i) => {
      const id = known.get(c.sha);
      if (id !== undefined) {
        age.run(i, id);
        return;
      }
      const files = [...new Set(c.files)];
      const newId = Number(insert.run(c.sha, i, files.length).lastInsertRowid);
      text.run(newId, c.message);
      for (const f of files) file.run(newId, f);
      known.set(c.sha, newId);
      added++;
    });
  })();
  return { added, removed };
}

/** Stored commits whose message matches (BM25, best first), with their age and size. */
export function searchCommits(db: Db, match: string, limit: number): Array<{ id: number; age: number; fileCount: number; score: number }> {
  return db
    .prepare(
      `SELECT c.id AS id, c.age AS age, c.file_count AS fileCount, bm25(commit_fts) AS score
       FROM commit_fts JOIN commits c ON c.id = commit_fts.rowid WHERE commit_fts MATCH ? ORDER BY score LIMIT ?`,
    )
    .all(match, limit) as Array<{ id: number; age: number; fileCount: number; score: number }>;
}

/** The files each of the commits changed that are in the index now. */
export function filesOfCommits(db: Db, ids: readonly number[]): Array<{ id: number; path: string }> {
  if (ids.length === 0) return [];
  const marks = ids.map(() => '?').join(', ');
  return db
    .prepare(`SELECT cf.commit_id AS id, cf.path AS path FROM commit_files cf JOIN files f ON f.path = cf.path WHERE cf.commit_id IN (${marks})`)
    .all(...ids) as Array<{ id: number; path: string }>;
}

/** Every change to a file still in the index, by commits of at most `maxFiles` files: path, commit age and size. */
export function fileChanges(db: Db, maxFiles: number): Array<{ path: string; age: number; fileCount: number }> {
  return db
    .prepare(
      `SELECT cf.path AS path, c.age AS age, c.file_count AS fileCount FROM commit_files cf
       JOIN commits c ON c.id = cf.commit_id JOIN files f ON f.path = cf.path WHERE c.file_count <= ?`,
    )
    .all(maxFiles) as Array<{ path: string; age: number; fileCount: number }>;
}

/** Pairs (seed, other) of indexed files changed by the same commit of at most `maxFiles` files. */
export function coChanges(db: Db, seeds: readonly string[], maxFiles: number): Array<{ seed: string; other: string; fileCount: number; age: number }> {
  if (seeds.length === 0) return [];
  const marks = seeds.map(() => '?').join(', ');
  return db
    .prepare(
      `SELECT a.path AS seed, b.path AS other, c.file_count AS fileCount, c.age AS age FROM commit_files a
       JOIN commit_files b ON b.commit_id = a.commit_id AND b.path != a.path
       JOIN commits c ON c.id = a.commit_id JOIN files f ON f.path = b.path
       WHERE a.path IN (${marks}) AND c.file_count <= ?`,
    )
    .all(...seeds, maxFiles) as Array<{ seed: string; other: string; fileCount: number; age: number }>;
}

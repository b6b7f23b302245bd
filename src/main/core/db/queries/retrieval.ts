import type { Db } from '../open';
import type { Migration } from '../migrations';

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
];

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

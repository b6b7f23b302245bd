/**
 * The knowledge base: external entities (documents, images, specs, user-added notes) with links
 * between them, their text in chunks with where each came from (page, line), and an FTS5 index over
 * the chunks. Embeddings of chunks go to the embeddings store when an embedding model is assigned.
 */
export const sql = /* sql */ `
CREATE TABLE external_knowledge_entities (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('document', 'pdf', 'image', 'spec', 'note')),
  source TEXT NOT NULL,
  title TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  extraction TEXT NOT NULL CHECK (extraction IN ('text', 'pdf', 'ocr')),
  added_at INTEGER NOT NULL,
  UNIQUE (source, sha256)
) STRICT;

CREATE TABLE external_knowledge_links (
  from_id TEXT NOT NULL REFERENCES external_knowledge_entities(id) ON DELETE CASCADE,
  to_id TEXT NOT NULL REFERENCES external_knowledge_entities(id) ON DELETE CASCADE,
  relation TEXT NOT NULL,
  PRIMARY KEY (from_id, to_id, relation)
) STRICT;

CREATE TABLE external_knowledge_chunks (
  id INTEGER PRIMARY KEY,
  entity_id TEXT NOT NULL REFERENCES external_knowledge_entities(id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  location TEXT NOT NULL,
  text TEXT NOT NULL
) STRICT;
CREATE INDEX external_knowledge_chunks_entity ON external_knowledge_chunks(entity_id);

CREATE VIRTUAL TABLE external_knowledge_fts USING fts5(words, content = '', tokenize = 'unicode61 remove_diacritics 2');
`;

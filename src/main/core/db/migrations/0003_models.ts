/**
 * The model registry, the role -> model mapping, and embedding records. Vectors live in sqlite-vec
 * `vec0` tables, one per vector size (`vec_embeddings_<dims>`), created on first use because the
 * size depends on the embedding model; `embeddings.id` is their rowid.
 */
export const sql = /* sql */ `
CREATE TABLE models (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('gguf', 'remote')),
  path TEXT,
  size_bytes INTEGER,
  sha256 TEXT,
  facts TEXT,
  endpoint_url TEXT,
  endpoint_model TEXT,
  api_key TEXT,
  added_at INTEGER NOT NULL,
  CHECK (
    (kind = 'gguf' AND path IS NOT NULL AND size_bytes IS NOT NULL AND sha256 IS NOT NULL AND facts IS NOT NULL)
    OR (kind = 'remote' AND endpoint_url IS NOT NULL AND endpoint_model IS NOT NULL)
  )
) STRICT;
CREATE UNIQUE INDEX models_path ON models(path) WHERE path IS NOT NULL;

CREATE TABLE model_roles (
  role TEXT PRIMARY KEY,
  model TEXT NOT NULL REFERENCES models(name),
  alternates TEXT NOT NULL DEFAULT '[]',
  canary TEXT,
  updated_at INTEGER NOT NULL
) STRICT;

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

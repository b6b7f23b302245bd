/** Model downloads kept across restarts: listed with their state and resumable from the list. */
export const sql = `
CREATE TABLE model_downloads (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  sha256 TEXT,
  file_name TEXT NOT NULL,
  name TEXT,
  model TEXT,
  state TEXT NOT NULL,
  received_bytes INTEGER NOT NULL,
  total_bytes INTEGER,
  error TEXT,
  started_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
`;

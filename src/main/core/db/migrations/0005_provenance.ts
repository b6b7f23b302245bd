/**
 * Provenance: every journal record carries the hash of its canonical form and the hashes of the
 * records before it (in the whole journal and in its task); signatures over decisions and chain
 * heads; the hashes of every file an agent read or wrote.
 */
export const sql = /* sql */ `
ALTER TABLE events ADD COLUMN prev_hash TEXT;
ALTER TABLE events ADD COLUMN task_prev_hash TEXT;
ALTER TABLE events ADD COLUMN record_hash TEXT;

-- Still append-only; the single exception lets a record written before this migration be sealed
-- (its hash columns filled in, once, nothing else changed).
DROP TRIGGER events_no_update;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN NOT (
  OLD.record_hash IS NULL AND NEW.record_hash IS NOT NULL
  AND NEW.seq IS OLD.seq AND NEW.task_id IS OLD.task_id AND NEW.task_seq IS OLD.task_seq
  AND NEW.type IS OLD.type AND NEW.ts IS OLD.ts AND NEW.idempotency_key IS OLD.idempotency_key
  AND NEW.payload IS OLD.payload
)
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- A record that skips the chain would be a hole no verifier could explain.
CREATE TRIGGER events_hash_required BEFORE INSERT ON events
WHEN NEW.record_hash IS NULL
BEGIN SELECT RAISE(ABORT, 'events must be hash-chained (insert through the journal)'); END;

CREATE TABLE provenance_signatures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  -- NULL for a head of the whole journal.
  task_id TEXT REFERENCES tasks(id),
  kind TEXT NOT NULL CHECK (kind IN ('decision', 'task-head', 'chain-head')),
  subject_seq INTEGER NOT NULL,
  subject_task_seq INTEGER,
  subject_hash TEXT NOT NULL,
  kid TEXT NOT NULL,
  jws TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (kind, subject_hash)
) STRICT;
CREATE INDEX provenance_signatures_task ON provenance_signatures(task_id, id);
CREATE INDEX provenance_signatures_subject ON provenance_signatures(subject_seq, kind);
CREATE TRIGGER provenance_signatures_no_update BEFORE UPDATE ON provenance_signatures
BEGIN SELECT RAISE(ABORT, 'signatures are append-only'); END;
CREATE TRIGGER provenance_signatures_no_delete BEFORE DELETE ON provenance_signatures
BEGIN SELECT RAISE(ABORT, 'signatures are append-only'); END;

CREATE TABLE source_integrity_records (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
  kind TEXT NOT NULL CHECK (kind IN ('read', 'written')),
  recorded_at INTEGER NOT NULL
) STRICT;
CREATE INDEX source_integrity_task ON source_integrity_records(task_id, id);
CREATE TRIGGER source_integrity_no_update BEFORE UPDATE ON source_integrity_records
BEGIN SELECT RAISE(ABORT, 'source integrity records are append-only'); END;
CREATE TRIGGER source_integrity_no_delete BEFORE DELETE ON source_integrity_records
BEGIN SELECT RAISE(ABORT, 'source integrity records are append-only'); END;
`;

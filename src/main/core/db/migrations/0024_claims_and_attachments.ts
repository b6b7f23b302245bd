/**
 * Claims and attachments (issue 21).
 * - task_claims: every claim taken from a worker's account or a judge's reasons, with its verdict
 *   (verified, refuted, unverifiable) and evidence; the claim table of the task page and the bundle.
 * - task_criteria: each acceptance criterion's standing after an execution round and after the change
 *   review: met only by a verified claim (its own test passed, or the constitutional judge accepted it).
 * - task_attachments: files submitted with a task (kept in the data folder), and whether they were read.
 * - knowledge entities may belong to one task (its attachments); chunks keep their index words, so an
 *   entry can be removed from the contentless FTS index (which needs the exact words back).
 */
export const sql = /* sql */ `
CREATE TABLE task_claims (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  stage TEXT NOT NULL CHECK (stage IN ('execute', 'review_plan', 'review_change')),
  round INTEGER NOT NULL,
  author TEXT NOT NULL,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  text TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('verified', 'refuted', 'unverifiable')),
  evidence TEXT NOT NULL,
  extracted_by TEXT NOT NULL CHECK (extracted_by IN ('rules', 'model')),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX task_claims_task ON task_claims(task_id, id);

CREATE TABLE task_criteria (
  id INTEGER PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  stage TEXT NOT NULL CHECK (stage IN ('execute', 'review_change')),
  round INTEGER NOT NULL,
  criterion_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('verified', 'refuted', 'pending', 'unmet')),
  decided_by TEXT NOT NULL CHECK (decided_by IN ('test', 'constitutional', 'none')),
  evidence TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX task_criteria_task ON task_criteria(task_id, id);

CREATE TABLE task_attachments (
  task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('text', 'markdown', 'pdf', 'image')),
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  path TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'read', 'not_read')),
  extraction TEXT CHECK (extraction IN ('text', 'pdf', 'ocr', 'image')),
  detail TEXT NOT NULL DEFAULT '',
  entity_id TEXT,
  created_at INTEGER NOT NULL,
  read_at INTEGER,
  PRIMARY KEY (task_id, ordinal)
) STRICT;

ALTER TABLE external_knowledge_entities ADD COLUMN task_id TEXT;
CREATE INDEX external_knowledge_entities_task ON external_knowledge_entities(task_id);
ALTER TABLE external_knowledge_chunks ADD COLUMN words TEXT;
`;

/**
 * Source integrity (issue 21): what kind of source each hashed record is (a file in the task's
 * workspace, a file of the user's repository, an attachment, a knowledge-base document, whose
 * chunk is named by `location`), and which sources each claim was checked against, so a claim whose
 * source later changed can be shown as stale. Records stay append-only: a change is a later record
 * of the same source with another hash.
 */
export const sql = /* sql */ `
ALTER TABLE source_integrity_records ADD COLUMN source TEXT NOT NULL DEFAULT 'workspace'
  CHECK (source IN ('workspace', 'repository', 'attachment', 'knowledge'));
ALTER TABLE source_integrity_records ADD COLUMN location TEXT;
CREATE INDEX source_integrity_path ON source_integrity_records(task_id, source, path, id);

CREATE TABLE task_claim_sources (
  claim_id INTEGER NOT NULL REFERENCES task_claims(id) ON DELETE CASCADE,
  record_id INTEGER NOT NULL REFERENCES source_integrity_records(id),
  PRIMARY KEY (claim_id, record_id)
) STRICT;
CREATE INDEX task_claim_sources_record ON task_claim_sources(record_id);
`;

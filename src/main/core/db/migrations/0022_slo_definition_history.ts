/**
 * Every change of an objective's definition (who, when, before and after), append-only: the
 * definitions table holds only the current one.
 */
export const sql = /* sql */ `
CREATE TABLE slo_definition_history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  slo_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  before_json TEXT,
  after_json TEXT NOT NULL
) STRICT;
CREATE INDEX slo_definition_history_slo ON slo_definition_history(slo_id, seq);
CREATE TRIGGER slo_definition_history_no_update BEFORE UPDATE ON slo_definition_history BEGIN SELECT RAISE(ABORT, 'slo_definition_history is append-only'); END;
CREATE TRIGGER slo_definition_history_no_delete BEFORE DELETE ON slo_definition_history BEGIN SELECT RAISE(ABORT, 'slo_definition_history is append-only'); END;
`;

/**
 * Council depth: a vote may be needs-info or conditional, and carries the judge's numeric score,
 * its rule violations (each marked waivable or not), its conditions and its questions. SQLite cannot
 * change a CHECK constraint in place, so the votes table is rebuilt with every row kept; a vote from
 * before has no score (NULL) and empty lists.
 */
export const sql = `
CREATE TABLE votes_v2 (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  verdict_id TEXT NOT NULL REFERENCES verdicts(id),
  judge_id TEXT NOT NULL,
  round INTEGER NOT NULL CHECK (round >= 1),
  weight REAL NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'uncertain', 'needs-info', 'conditional')),
  confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  score REAL CHECK (score IS NULL OR score BETWEEN 0 AND 1),
  version TEXT NOT NULL,
  reasons TEXT NOT NULL,
  evidence TEXT NOT NULL,
  violations TEXT NOT NULL DEFAULT '[]',
  conditions TEXT NOT NULL DEFAULT '[]',
  questions TEXT NOT NULL DEFAULT '[]',
  model TEXT,
  error TEXT,
  duration_ms REAL,
  UNIQUE (verdict_id, judge_id, round)
) STRICT;
INSERT INTO votes_v2 (seq, verdict_id, judge_id, round, weight, verdict, confidence, version, reasons, evidence, model, error, duration_ms)
  SELECT seq, verdict_id, judge_id, round, weight, verdict, confidence, version, reasons, evidence, model, error, duration_ms FROM votes;
DROP TABLE votes;
ALTER TABLE votes_v2 RENAME TO votes;
`;

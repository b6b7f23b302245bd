/**
 * Council calibration and its federation: outcomes of council decisions (counts and votes only, never
 * content), the calibration fitted from them, this installation's membership of a federation with its
 * privacy accountant, the coordinator's roster, invitations and rounds, and an append-only log of every
 * round, adoption and refusal.
 */
export const sql = /* sql */ `
CREATE TABLE council_outcomes (
  verdict_id TEXT PRIMARY KEY,
  task_id TEXT NOT NULL,
  risk_tier INTEGER NOT NULL CHECK (risk_tier BETWEEN 1 AND 3),
  decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'modify')),
  votes_json TEXT NOT NULL,
  good INTEGER NOT NULL CHECK (good IN (0, 1)),
  source TEXT NOT NULL CHECK (source IN ('revert', 'eval_hidden_tests', 'human_override', 'promoted_dry_run')),
  known_at INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL
) STRICT;
CREATE INDEX council_outcomes_known ON council_outcomes(known_at);

CREATE TABLE calibration_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  mode TEXT NOT NULL CHECK (mode IN ('off', 'suggest', 'apply')),
  params_json TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('default', 'local', 'federation')),
  fitted_at INTEGER NOT NULL,
  counts_json TEXT NOT NULL
) STRICT;

CREATE TABLE federation_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  kind TEXT NOT NULL,
  detail_json TEXT NOT NULL
) STRICT;
CREATE TRIGGER federation_log_no_update BEFORE UPDATE ON federation_log BEGIN SELECT RAISE(ABORT, 'federation_log is append-only'); END;
CREATE TRIGGER federation_log_no_delete BEFORE DELETE ON federation_log BEGIN SELECT RAISE(ABORT, 'federation_log is append-only'); END;

CREATE TABLE federation_membership (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  coordinator_url TEXT NOT NULL,
  coordinator_key TEXT NOT NULL,
  federation_id TEXT NOT NULL,
  name TEXT NOT NULL,
  policy_json TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  left_at INTEGER,
  period_start INTEGER NOT NULL,
  rho_spent REAL NOT NULL,
  rounds INTEGER NOT NULL
) STRICT;

CREATE TABLE federation_roster (
  member_key TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'left')),
  joined_at INTEGER NOT NULL,
  changed_at INTEGER NOT NULL
) STRICT;

CREATE TABLE federation_invitations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  used_by TEXT
) STRICT;

CREATE TABLE federation_rounds (
  id TEXT PRIMARY KEY,
  opened_at INTEGER NOT NULL,
  closed_at INTEGER,
  outcome TEXT CHECK (outcome IN ('done', 'failed')),
  participants INTEGER NOT NULL DEFAULT 0,
  dropped INTEGER NOT NULL DEFAULT 0,
  detail_json TEXT NOT NULL
) STRICT;
`;

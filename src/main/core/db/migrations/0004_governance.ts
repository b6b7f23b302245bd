/**
 * Governance: working specs, waivers and their uses, gate results, council verdicts and votes,
 * settings (policy), CAWS validations and per-task resource history.
 * A waiver's status (active, expired, revoked, exhausted) is derived when read, never stored.
 */
export const sql = /* sql */ `
CREATE TABLE specs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT REFERENCES tasks(id),
  spec_id TEXT NOT NULL,
  version INTEGER NOT NULL CHECK (version >= 1),
  yaml TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('planner', 'user', 'repository')),
  author TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (task_id, version)
) STRICT;
CREATE INDEX specs_spec_id ON specs(spec_id);

CREATE TABLE waivers (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  gates TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  approver TEXT,
  approved_at INTEGER,
  revoked_at INTEGER,
  revoked_by TEXT,
  revoke_reason TEXT,
  spec_id TEXT,
  max_uses INTEGER CHECK (max_uses IS NULL OR max_uses >= 1),
  delta_files INTEGER CHECK (delta_files IS NULL OR delta_files >= 0),
  delta_lines INTEGER CHECK (delta_lines IS NULL OR delta_lines >= 0),
  CHECK (expires_at > created_at),
  CHECK ((approver IS NULL) = (approved_at IS NULL))
) STRICT;

-- One use per waiver, task and gate: re-running the gates of a task does not spend the waiver again.
CREATE TABLE waiver_uses (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  waiver_id TEXT NOT NULL REFERENCES waivers(id),
  task_id TEXT NOT NULL REFERENCES tasks(id),
  gate TEXT NOT NULL,
  detail TEXT NOT NULL,
  used_at INTEGER NOT NULL,
  UNIQUE (waiver_id, task_id, gate)
) STRICT;
CREATE INDEX waiver_uses_task ON waiver_uses(task_id);

CREATE TABLE gate_results (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  run_id TEXT NOT NULL,
  gate TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pass', 'fail', 'warn', 'skip')),
  mode TEXT NOT NULL CHECK (mode IN ('block', 'warn', 'skip')),
  score REAL NOT NULL CHECK (score BETWEEN 0 AND 1),
  details TEXT NOT NULL,
  duration_ms REAL NOT NULL,
  waiver_id TEXT REFERENCES waivers(id),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX gate_results_task ON gate_results(task_id, run_id);

CREATE TABLE verdicts (
  id TEXT PRIMARY KEY,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  subject TEXT NOT NULL CHECK (subject IN ('plan', 'change')),
  decision TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'modify')),
  score REAL NOT NULL,
  threshold REAL NOT NULL,
  risk_tier INTEGER NOT NULL CHECK (risk_tier BETWEEN 1 AND 3),
  debate_rounds INTEGER NOT NULL,
  vetoed INTEGER NOT NULL CHECK (vetoed IN (0, 1)),
  escalated INTEGER NOT NULL CHECK (escalated IN (0, 1)),
  dissent TEXT NOT NULL,
  remediation TEXT NOT NULL,
  constitutional_refs TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX verdicts_task ON verdicts(task_id, created_at);

-- Every judge's vote in every round, so a debate can be replayed.
CREATE TABLE votes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  verdict_id TEXT NOT NULL REFERENCES verdicts(id),
  judge_id TEXT NOT NULL,
  round INTEGER NOT NULL CHECK (round >= 1),
  weight REAL NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'uncertain')),
  confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
  version TEXT NOT NULL,
  reasons TEXT NOT NULL,
  evidence TEXT NOT NULL,
  model TEXT,
  error TEXT,
  duration_ms REAL,
  UNIQUE (verdict_id, judge_id, round)
) STRICT;

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;

CREATE TABLE caws_validations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT REFERENCES tasks(id),
  spec_id TEXT,
  subject TEXT NOT NULL,
  compliance REAL NOT NULL CHECK (compliance BETWEEN 0 AND 1),
  violations TEXT NOT NULL,
  suggestions TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX caws_validations_task ON caws_validations(task_id);

CREATE TABLE task_resource_history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  task_id TEXT NOT NULL REFERENCES tasks(id),
  phase TEXT NOT NULL,
  cpu_ms REAL NOT NULL CHECK (cpu_ms >= 0),
  memory_bytes INTEGER NOT NULL CHECK (memory_bytes >= 0),
  duration_ms REAL NOT NULL CHECK (duration_ms >= 0),
  success INTEGER NOT NULL CHECK (success IN (0, 1)),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX task_resource_history_task ON task_resource_history(task_id);
`;

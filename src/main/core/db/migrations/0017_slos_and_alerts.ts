/**
 * Service-level objectives as data (defaults seeded by the app, editable), and alerts: one row per
 * alert with its current state, and an append-only history of every firing, resolution,
 * acknowledgement and silence.
 */
export const sql = /* sql */ `
CREATE TABLE slo_definitions (
  id TEXT PRIMARY KEY,
  definition_json TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;

CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  slo_id TEXT NOT NULL,
  rule TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('page', 'ticket')),
  state TEXT NOT NULL CHECK (state IN ('firing', 'resolved')),
  fired_at INTEGER NOT NULL,
  resolved_at INTEGER,
  summary TEXT NOT NULL,
  acknowledged_by TEXT,
  acknowledged_at INTEGER,
  silenced_until INTEGER,
  silenced_by TEXT
) STRICT;

CREATE TABLE alert_history (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  ts INTEGER NOT NULL,
  alert_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('fired', 'resolved', 'acknowledged', 'silenced', 'unsilenced')),
  actor TEXT,
  detail_json TEXT NOT NULL
) STRICT;
CREATE INDEX alert_history_alert ON alert_history(alert_id, seq);
CREATE TRIGGER alert_history_no_update BEFORE UPDATE ON alert_history BEGIN SELECT RAISE(ABORT, 'alert_history is append-only'); END;
CREATE TRIGGER alert_history_no_delete BEFORE DELETE ON alert_history BEGIN SELECT RAISE(ABORT, 'alert_history is append-only'); END;
`;

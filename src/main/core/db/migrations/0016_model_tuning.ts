/**
 * Per-model inference settings: what the user chose in Settings, and the runtime tuner's best
 * setting per model and machine with its measured trials (for the chart). The next load uses them.
 */
export const sql = /* sql */ `
CREATE TABLE model_settings (
  model TEXT PRIMARY KEY,
  settings_json TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE model_tuning (
  model TEXT NOT NULL,
  machine TEXT NOT NULL,
  best_json TEXT NOT NULL,
  default_tps REAL NOT NULL,
  best_tps REAL NOT NULL,
  trials_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (model, machine)
) STRICT;
`;

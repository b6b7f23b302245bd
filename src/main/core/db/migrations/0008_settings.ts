/**
 * App settings live in the shared key-value `settings` table (0004) under `app.settings`.
 * The Metrics page reads the journal by event type within a time window; without this index each
 * chart would scan every event ever written.
 */
export const sql = /* sql */ `
CREATE INDEX IF NOT EXISTS events_type_ts ON events(type, ts);
`;

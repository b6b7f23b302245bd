/**
 * The finished OpenTelemetry spans of each task's trace, kept in the data folder so an audit bundle
 * can carry the trace (nothing here leaves the machine). A task's spans share its trace id
 * (`traceIdOf(taskId)`); times are Unix nanoseconds as OTLP writes them, kept as text to stay exact.
 */
export const sql = /* sql */ `
CREATE TABLE task_spans (
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  name TEXT NOT NULL,
  kind INTEGER NOT NULL,
  start_ns TEXT NOT NULL,
  end_ns TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  status_message TEXT,
  attributes_json TEXT NOT NULL,
  events_json TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (trace_id, span_id)
) STRICT;
`;

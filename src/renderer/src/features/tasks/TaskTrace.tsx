import { useEffect, useState } from 'react';
import type { AgentEvent } from '../../../../shared/domain/events';
import { phaseLabel, PHASES, type Phase } from './phase-timeline';
import { taskTraceIds, type TaskTraceIds } from './trace-ids';

const label = (p: string) => ((PHASES as readonly string[]).includes(p) ? phaseLabel(p as Phase) : p);

/** The task's OpenTelemetry trace id and each phase's span id, with copy buttons (sent only when a collector is set up). */
export function TaskTrace({ taskId, events }: { taskId: string; events: readonly AgentEvent[] }) {
  const [ids, setIds] = useState<TaskTraceIds | null>(null);
  const [note, setNote] = useState('');
  const starts = events.filter((e) => e.type === 'phase.started').length;
  useEffect(() => {
    let live = true;
    void taskTraceIds(taskId, events).then((v) => live && setIds(v));
    return () => {
      live = false;
    };
    // Only a new phase start changes the ids.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [taskId, starts]);
  if (!ids) return null;
  const copy = (text: string, what: string) => {
    navigator.clipboard.writeText(text).then(
      () => setNote(`${what} copied.`),
      () => setNote(`Could not copy; select the ${what.toLowerCase()} instead.`),
    );
  };
  return (
    <details className="task-trace" data-testid="task-trace">
      <summary>
        Trace <span className="mono" data-testid="task-trace-id">{ids.traceId}</span>
      </summary>
      <p className="muted">Exported over OTLP when a collector is set in Settings (otlpEndpoint) or OTEL_EXPORTER_OTLP_ENDPOINT; every log line of this task carries the same trace id.</p>
      <button type="button" onClick={() => copy(ids.traceId, 'Trace id')}>Copy trace id</button>
      <ul aria-label="Phase spans">
        {ids.phases.map((p) => (
          <li key={p.seq} data-phase={p.phase} data-span-id={p.spanId}>
            {label(p.phase)} <span className="mono">{p.spanId}</span>{' '}
            <button type="button" aria-label={`Copy the span id of ${label(p.phase)}`} onClick={() => copy(p.spanId, 'Span id')}>Copy</button>
          </li>
        ))}
      </ul>
      <span role="status">{note}</span>
    </details>
  );
}

import { useEffect, useState } from 'react';
import type { AgentEvent } from '../../../../shared/domain/events';
import { useSettings } from '../settings/use-settings';
import { phaseLabel, PHASES, type Phase } from './phase-timeline';
import { taskTraceIds, type TaskTraceIds } from './trace-ids';
import { traceViewerLink } from './trace-links';

const label = (p: string) => ((PHASES as readonly string[]).includes(p) ? phaseLabel(p as Phase) : p);

/**
 * The task's OpenTelemetry trace id and each phase's span id, with copy buttons, and links into the
 * trace viewer named in Settings (`traceViewerUrl`) when one is.
 */
export function TaskTrace({ taskId, events }: { taskId: string; events: readonly AgentEvent[] }) {
  const [ids, setIds] = useState<TaskTraceIds | null>(null);
  const { view } = useSettings();
  const template = view?.settings.traceViewerUrl;
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
  const traceLink = traceViewerLink(template, ids.traceId);
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
      <p className="muted">
        Exported over OTLP when a collector is set in Settings (otlpEndpoint) or OTEL_EXPORTER_OTLP_ENDPOINT, and kept in the data folder for the audit bundle
        unless turned off; every log line of this task carries the same trace id.
        {template ? null : ' Name your trace viewer in Settings (trace viewer address) to link the trace and its phases here.'}
      </p>
      <button type="button" onClick={() => copy(ids.traceId, 'Trace id')}>Copy trace id</button>{' '}
      {traceLink ? (
        <a href={traceLink} target="_blank" rel="noreferrer" data-testid="trace-viewer-link">
          Open the trace in the viewer
        </a>
      ) : null}
      <ul aria-label="Phase spans">
        {ids.phases.map((p) => {
          const link = traceViewerLink(template, ids.traceId, p.spanId);
          return (
            <li key={p.seq} data-phase={p.phase} data-span-id={p.spanId}>
              {label(p.phase)} <span className="mono">{p.spanId}</span>{' '}
              <button type="button" aria-label={`Copy the span id of ${label(p.phase)}`} onClick={() => copy(p.spanId, 'Span id')}>Copy</button>
              {link ? (
                <>
                  {' '}
                  <a href={link} target="_blank" rel="noreferrer" aria-label={`Open the span of ${label(p.phase)} in the trace viewer`}>
                    View span
                  </a>
                </>
              ) : null}
            </li>
          );
        })}
      </ul>
      <span role="status">{note}</span>
    </details>
  );
}

import { useCallback, useEffect, useState } from 'react';
import type { AlertHistoryEntry, AlertView, SloStatus } from '../../../../shared/channels/slo';
import { api } from '../../api';
import { href } from '../../router';

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

/**
 * Objectives at a glance (meeting, missing, burning) and the alerts their burn rates raised, with
 * acknowledge and silence; every action is journaled with who did it.
 */
export function AlertsPage({ actor = 'user' }: { actor?: string }) {
  const [slos, setSlos] = useState<SloStatus[]>([]);
  const [alerts, setAlerts] = useState<AlertView[]>([]);
  const [history, setHistory] = useState<AlertHistoryEntry[]>([]);
  const [error, setError] = useState<string | null>(null);
  // When the figures were read: silences are judged against it, not against the render's clock.
  const [readAt, setReadAt] = useState(0);
  const load = useCallback(async () => {
    const [s, a] = await Promise.all([api.listSlos({}), api.listAlerts({ state: 'all' })]);
    setReadAt(Date.now());
    if (s.ok) setSlos(s.value);
    else setError(s.error.message);
    if (a.ok) {
      setAlerts(a.value.alerts);
      setHistory(a.value.history);
    } else setError(a.error.message);
  }, []);
  useEffect(() => {
    const first = setTimeout(() => void load(), 0);
    const t = setInterval(() => void load(), 15_000);
    return () => {
      clearTimeout(first);
      clearInterval(t);
    };
  }, [load]);
  const act = async (r: Promise<{ ok: boolean; error?: { message: string } }>) => {
    const res = await r;
    if (!res.ok) setError(res.error?.message ?? 'failed');
    await load();
  };
  const firing = alerts.filter((a) => a.state === 'firing');
  return (
    <section aria-labelledby="alerts-heading">
      <h1 id="alerts-heading" tabIndex={-1}>
        Objectives and alerts
      </h1>
      {error ? <p role="alert">{error}</p> : null}
      <p>{firing.length ? `${firing.length} alert${firing.length === 1 ? '' : 's'} firing.` : 'No alert is firing.'}</p>
      <p>
        <a href={href({ page: 'settings', section: 'objectives' })}>Change the objectives in Settings</a>
      </p>
      <table aria-label="Objectives">
        <thead>
          <tr>
            <th>Objective</th>
            <th>SLI</th>
            <th>Target</th>
            <th>Budget left</th>
            <th>Events</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {slos.map((s) => {
            const burning = s.burnRates.some((b) => b.burning);
            return (
              <tr key={s.definition.id} title={s.definition.description}>
                <td>{s.definition.name}</td>
                <td>{s.definition.kind === 'budget' ? `${s.valid - s.good} of ${s.definition.maxEvents ?? 0}` : pct(s.sli)}</td>
                <td>{s.definition.kind === 'budget' ? `at most ${s.definition.maxEvents ?? 0}` : pct(s.definition.target)}</td>
                <td>{pct(s.budgetRemaining)}</td>
                <td>{s.valid}</td>
                <td>{!s.definition.enabled ? 'disabled' : burning ? 'burning' : s.meeting ? 'meeting' : 'missing'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2>Alerts</h2>
      {alerts.length === 0 ? <p>None yet.</p> : null}
      <ul aria-label="Alerts">
        {alerts.map((a) => {
          const silenced = a.silencedUntil !== null && a.silencedUntil > readAt;
          return (
            <li key={a.id} data-state={a.state}>
              <strong>
                {a.state === 'firing' ? 'Firing' : 'Resolved'} ({a.severity})
              </strong>{' '}
              {a.summary} — fired {new Date(a.firedAt).toLocaleString()}
              {a.resolvedAt ? `, resolved ${new Date(a.resolvedAt).toLocaleString()}` : ''}
              {a.acknowledgedBy ? `, acknowledged by ${a.acknowledgedBy}` : ''}
              {silenced ? `, silenced until ${new Date(a.silencedUntil ?? 0).toLocaleString()}` : ''}{' '}
              {a.state === 'firing' && !a.acknowledgedBy ? (
                <button type="button" onClick={() => void act(api.acknowledgeAlert({ id: a.id, actor }))}>
                  Acknowledge
                </button>
              ) : null}{' '}
              {!silenced ? (
                <button type="button" onClick={() => void act(api.silenceAlert({ id: a.id, actor, untilMs: Date.now() + 3600_000 }))}>
                  Silence for an hour
                </button>
              ) : null}
            </li>
          );
        })}
      </ul>
      <h2>History</h2>
      <ol aria-label="Alert history">
        {history.map((h) => (
          <li key={h.seq}>
            {new Date(h.ts).toLocaleString()} — {h.kind} {h.alertId}
            {h.actor ? ` by ${h.actor}` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}

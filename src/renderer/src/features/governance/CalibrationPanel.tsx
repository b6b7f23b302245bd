import { useEffect, useState } from 'react';
import type { CalibrationViewSchema } from '../../../../shared/channels/calibration';
import { api } from '../../api';

const MODES = [
  { value: 'off', label: 'Off', hint: 'the council decides with the fixed weights' },
  { value: 'suggest', label: 'Suggest', hint: 'the calibrated decision is shown beside the council\'s' },
  { value: 'apply', label: 'Apply', hint: 'the calibrated weights and thresholds decide; a veto and fail-closed still hold' },
] as const;

const fmt = (x: number) => x.toFixed(2);

/**
 * Council calibration learned from outcomes: what it is, what it was learned from (counts only),
 * what it would have changed, and this installation's federation membership and privacy budget.
 */
export function CalibrationPanel({ actor }: { actor: string }) {
  const [view, setView] = useState<CalibrationViewSchema | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void api.getCalibration({}).then((r) => {
      if (!live) return;
      if (r.ok) setView(r.value);
      else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, []);
  if (error) return <p role="alert">Calibration: {error}</p>;
  if (!view) return <p>Loading calibration…</p>;
  const e = view.effect;
  const learned = Object.entries(view.outcomesBySource);
  const f = view.federation;
  return (
    <section aria-label="Council calibration" className="calibration">
      <h3>Council calibration</h3>
      <fieldset>
        <legend>How the council uses it</legend>
        {MODES.map((m) => (
          <label key={m.value} title={m.hint}>
            <input
              type="radio"
              name="calibration-mode"
              value={m.value}
              checked={view.mode === m.value}
              onChange={async () => {
                const r = await api.setCalibrationMode({ mode: m.value, actor });
                if (r.ok) setView(r.value);
                else setError(r.error.message);
              }}
            />{' '}
            {m.label}
          </label>
        ))}
      </fieldset>
      <p>
        Current calibration: <strong>{view.source === 'default' ? 'the fixed weights (nothing learned yet)' : view.source === 'local' ? 'learned here' : 'adopted from the federation'}</strong>
        {view.fittedAt ? `, ${new Date(view.fittedAt).toLocaleString()}` : ''}.
      </p>
      <table aria-label="Calibrated judge weights">
        <thead>
          <tr>
            <th>Judge</th>
            <th>Weight</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(view.params.weights).map(([judge, w]) => (
            <tr key={judge}>
              <td>{judge}</td>
              <td>{fmt(w)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Thresholds (probability the change is good): tier 1 {fmt(view.params.thresholds[1])}, tier 2 {fmt(view.params.thresholds[2])}, tier 3 {fmt(view.params.thresholds[3])}.
      </p>
      <p>Learned from: {learned.length ? learned.map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`).join(', ') : 'no outcomes yet'} (counts only; no task, code or vote content).</p>
      <p data-testid="calibration-effect">
        On {e.outcomes} decisions whose outcome is known, it would have rejected {e.wouldRejectBadAccepts} accepted changes that were later shown bad, accepted {e.wouldAcceptGoodRejects} rejected
        ones that were good, and rejected {e.wouldRejectGoodAccepts} good accepted ones (accuracy {fmt(e.accuracyCurrent)} → {fmt(e.accuracyCalibrated)}).
      </p>
      <button
        type="button"
        onClick={async () => {
          const r = await api.fitCalibration({ actor });
          if (r.ok) setView(r.value);
          else setError(r.error.message);
        }}
      >
        Refit from this installation&apos;s outcomes
      </button>
      <h4>Federation</h4>
      {f ? (
        <p>
          Member of <strong>{f.federationId}</strong> at {f.coordinatorUrl} as {f.name}
          {f.leftAt ? ' (left)' : ''}. Privacy budget: ε {f.epsilonSpent.toFixed(2)} of {f.maxEpsilon} spent this period (δ {f.delta}), {f.rounds} rounds; the period ends{' '}
          {new Date(f.periodEnds).toLocaleDateString()}.
        </p>
      ) : (
        <p>Not in a federation. Join one with an invitation: <code>agent-agency federation join &lt;invitation&gt;</code>.</p>
      )}
      {view.log.length ? (
        <ul aria-label="Calibration and federation log">
          {view.log.slice(0, 10).map((entry) => (
            <li key={entry.seq}>
              {new Date(entry.ts).toLocaleString()} — {entry.kind}
              {typeof entry.detail['reason'] === 'string' ? `: ${entry.detail['reason']}` : ''}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

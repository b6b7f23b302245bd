import { useState, type FormEvent } from 'react';
import { GATE_NAMES, type CreateWaiverInput, type GateName, type Waiver } from '../../../../shared/domain/governance';
import { gateLabel } from './GateResults';
import './governance.css';

export type WaiversPanelProps = {
  waivers: readonly Waiver[];
  /** Who the user is, recorded as creator, approver or revoker. */
  actor: string;
  /** Each resolves to an error message, or null on success. */
  onCreate: (input: CreateWaiverInput) => Promise<string | null>;
  onApprove: (id: string) => Promise<string | null>;
  onRevoke: (id: string, reason: string) => Promise<string | null>;
  /** The time expiry is counted from; the moment of submitting by default. */
  now?: number;
};

/** Waivers with their derived status, a form to propose one, and approve/revoke actions. */
export function WaiversPanel({ waivers, actor, onCreate, onApprove, onRevoke, now }: WaiversPanelProps) {
  const [title, setTitle] = useState('');
  const [reason, setReason] = useState('');
  const [gates, setGates] = useState<GateName[]>(['budget']);
  const [days, setDays] = useState(7);
  const [maxUses, setMaxUses] = useState('');
  const [specId, setSpecId] = useState('');
  const [allSpecs, setAllSpecs] = useState(false);
  const [deltaFiles, setDeltaFiles] = useState('');
  const [deltaLines, setDeltaLines] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const report = (error: string | null, ok: string) => setMessage(error ? { ok: false, text: error } : { ok: true, text: ok });
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const input: CreateWaiverInput = { title, reason, gates, createdBy: actor, expiresAt: (now ?? Date.now()) + days * 86_400_000 };
    if (maxUses) input.maxUses = Number(maxUses);
    if (specId.trim()) input.specId = specId.trim();
    else if (allSpecs) input.allSpecs = true;
    if (deltaFiles || deltaLines) input.budgetDelta = { files: Number(deltaFiles || 0), lines: Number(deltaLines || 0) };
    const error = await onCreate(input);
    report(error, 'Waiver proposed; it needs an approval before it counts.');
    if (!error) {
      setTitle('');
      setReason('');
    }
  };

  return (
    <section className="gov-section" aria-labelledby="waivers-title">
      <h3 id="waivers-title">Waivers</h3>
      {waivers.length === 0 ? (
        <p className="empty">No waivers.</p>
      ) : (
        <table className="gov-table" aria-label="Waivers">
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Title</th>
              <th scope="col">Gates</th>
              <th scope="col">Status</th>
              <th scope="col">Uses</th>
              <th scope="col">Expires</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {waivers.map((w) => (
              <tr key={w.id} data-waiver={w.id} data-status={w.status}>
                <td className="mono">{w.id}</td>
                <td>
                  {w.title}
                  <div className="muted">{w.reason}</div>
                  <div className="muted">{w.specId ? `spec ${w.specId}` : <strong>all specs</strong>}</div>
                  {w.budgetDelta ? <div className="muted">+{w.budgetDelta.files} files, +{w.budgetDelta.lines} lines</div> : null}
                </td>
                <td>{w.gates.map(gateLabel).join(', ')}</td>
                <td>
                  <span className={`badge status-${w.status === 'active' ? 'pass' : w.status === 'pending' ? 'warn' : 'skip'}`}>{w.status}</span>
                  {w.approver ? (
                    <div className="muted">
                      approved by {w.approver}
                      {w.approverVia ? ` (${w.approverVia}${w.approverOsUser ? `, OS user ${w.approverOsUser}` : ''})` : ''}
                    </div>
                  ) : null}
                  {w.revokedBy ? <div className="muted">revoked by {w.revokedBy}</div> : null}
                </td>
                <td>
                  {w.uses}
                  {w.maxUses !== null ? ` / ${w.maxUses}` : ''}
                </td>
                <td>{new Date(w.expiresAt).toLocaleString()}</td>
                <td>
                  {w.status === 'pending' ? (
                    <button type="button" onClick={() => void onApprove(w.id).then((e) => report(e, `${w.id} approved.`))}>
                      Approve
                    </button>
                  ) : null}
                  {w.status !== 'revoked' && w.status !== 'expired' ? (
                    <button type="button" className="secondary" onClick={() => void onRevoke(w.id, `revoked by ${actor}`).then((e) => report(e, `${w.id} revoked.`))}>
                      Revoke
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={(e) => void create(e)} aria-label="Propose a waiver">
        <h4>Propose a waiver</h4>
        <div className="field">
          <label htmlFor="waiver-title">Title</label>
          <input id="waiver-title" value={title} onChange={(e) => setTitle(e.target.value)} required minLength={5} />
        </div>
        <div className="field">
          <label htmlFor="waiver-reason">Reason</label>
          <textarea id="waiver-reason" value={reason} onChange={(e) => setReason(e.target.value)} required minLength={10} />
        </div>
        <fieldset>
          <legend>Gates covered</legend>
          {GATE_NAMES.map((g) => (
            <label key={g}>
              {/* The hidden words keep these apart from the gate command fields of the same page for screen readers. */}
              <input type="checkbox" checked={gates.includes(g)} onChange={(e) => setGates((cur) => (e.target.checked ? [...cur, g] : cur.filter((x) => x !== g)))} />{' '}
              <span className="visually-hidden">Waiver covers </span>
              {gateLabel(g)}{' '}
            </label>
          ))}
        </fieldset>
        <div className="row">
          <div className="field">
            <label htmlFor="waiver-days">Expires in (days)</label>
            <input id="waiver-days" type="number" min={1} value={days} onChange={(e) => setDays(Number(e.target.value))} />
          </div>
          <div className="field">
            <label htmlFor="waiver-uses">Maximum uses</label>
            <input id="waiver-uses" type="number" min={1} value={maxUses} onChange={(e) => setMaxUses(e.target.value)} placeholder="unlimited" />
          </div>
          <div className="field">
            <label htmlFor="waiver-spec">Spec id</label>
            <input id="waiver-spec" className="mono" value={specId} onChange={(e) => setSpecId(e.target.value)} placeholder="FEAT-0042" />
          </div>
          <div className="field">
            <label htmlFor="waiver-all-specs">
              <input id="waiver-all-specs" type="checkbox" checked={allSpecs} disabled={Boolean(specId.trim())} onChange={(e) => setAllSpecs(e.target.checked)} /> All specs (no spec id)
            </label>
          </div>
        </div>
        <div className="row">
          <div className="field">
            <label htmlFor="waiver-files">Extra files</label>
            <input id="waiver-files" type="number" min={0} value={deltaFiles} onChange={(e) => setDeltaFiles(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="waiver-lines">Extra lines</label>
            <input id="waiver-lines" type="number" min={0} value={deltaLines} onChange={(e) => setDeltaLines(e.target.value)} />
          </div>
        </div>
        <button type="submit" disabled={gates.length === 0}>
          Propose waiver
        </button>
      </form>
      {message ? (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'form-ok' : 'form-error'}>
          {message.text}
        </p>
      ) : null}
    </section>
  );
}

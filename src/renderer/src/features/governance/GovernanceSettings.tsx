import { useCallback, useEffect, useState } from 'react';
import type { Policy, Waiver } from '../../../../shared/domain/governance';
import { api } from '../../api';
import { CalibrationPanel } from './CalibrationPanel';
import { PolicyEditor } from './PolicyEditor';
import { WaiversPanel } from './WaiversPanel';

/** The Settings section for governance: the policy editor and the waivers, wired to the contract. */
export function GovernanceSettings({ actor = 'user' }: { actor?: string }) {
  const [policy, setPolicy] = useState<Policy | null>(null);
  const [waivers, setWaivers] = useState<Waiver[]>([]);
  const [error, setError] = useState<string | null>(null);

  const reloadWaivers = useCallback(async () => {
    const r = await api.listWaivers({});
    if (r.ok) setWaivers(r.value);
    else setError(r.error.message);
  }, []);

  useEffect(() => {
    let live = true;
    void api.getPolicy({}).then((r) => {
      if (!live) return;
      if (r.ok) setPolicy(r.value);
      else setError(r.error.message);
    });
    void api.listWaivers({}).then((r) => {
      if (!live) return;
      if (r.ok) setWaivers(r.value);
      else setError(r.error.message);
    });
    return () => {
      live = false;
    };
  }, []);

  const after = async (r: { ok: true } | { ok: false; error: { message: string } }) => {
    if (!r.ok) return r.error.message;
    await reloadWaivers();
    return null;
  };

  return (
    <section className="card" aria-label="Governance">
      {error ? <p role="alert">{error}</p> : null}
      {policy ? (
        <PolicyEditor
          // Mounted once per load: remounting on every saved policy would drop the editor's "saved" message.
          policy={policy}
          onSave={async (patch) => {
            const r = await api.setPolicy({ patch, actor });
            if (!r.ok) return r.error.message;
            setPolicy(r.value);
            return null;
          }}
        />
      ) : (
        <p>Loading policy…</p>
      )}
      <WaiversPanel
        waivers={waivers}
        actor={actor}
        onCreate={async (input) => after(await api.createWaiver(input))}
        onApprove={async (id) => after(await api.approveWaiver({ id, approver: actor }))}
        onRevoke={async (id, reason) => after(await api.revokeWaiver({ id, revokedBy: actor, reason }))}
      />
      <CalibrationPanel actor={actor} />
    </section>
  );
}

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { MODEL_ROLE_NAMES } from '../../../../shared/domain/model';
import { api } from '../../api';
import { keys, unwrap } from '../../queries/client';
import { AddEndpoint } from './AddEndpoint';
import { AssignRoles } from './AssignRoles';
import { UseExisting } from './UseExisting';
import './onboarding.css';

/**
 * First run, said up front: without a model nothing can plan. Three ways, in this order: the models the
 * machine already has, a recommended download, an OpenAI-compatible endpoint; then roles in one step.
 */
export function Onboarding() {
  const client = useQueryClient();
  const models = useQuery({ queryKey: keys.models, queryFn: () => unwrap(api.modelsSnapshot({})) });
  const [downloadNote, setDownloadNote] = useState<string | null>(null);
  // Set while this page showed the first-run card: once a model arrives it says so and offers roles.
  const [wasEmpty, setWasEmpty] = useState(false);
  const [dismissed, setDismissed] = useState(false);
  const snap = models.data;
  if (!snap) return null;
  if (snap.models.length === 0 && !wasEmpty) setWasEmpty(true);
  const rolesMissing = snap.roles.length < MODEL_ROLE_NAMES.length;

  if (snap.models.length > 0) {
    if (!rolesMissing && (!wasEmpty || dismissed)) return null;
    const first = snap.models[0]!.entry.name;
    return (
      <section className="card onboarding" aria-labelledby="onboarding-title">
        <h2 id="onboarding-title">{rolesMissing ? 'Almost ready: give the models their roles' : 'Ready to run tasks'}</h2>
        {!rolesMissing ? (
          <p role="status">
            <span className="mono">{first}</span> serves every role (planner, worker and the four judges). Add a second model later to give it some of
            them.
          </p>
        ) : null}
        <AssignRoles snapshot={snap} />
        {!rolesMissing ? (
          <button type="button" className="secondary" onClick={() => setDismissed(true)}>
            Done
          </button>
        ) : null}
      </section>
    );
  }

  // The largest worker that fits comfortably, and the largest judge that fits beside it.
  const fitting = snap.catalogue.filter((c) => c.fit === 'fits').sort((a, b) => b.entry.memoryBytes - a.entry.memoryBytes);
  const worker = fitting.find((c) => c.entry.goodFor.includes('worker'));
  const judge = fitting.find((c) => c !== worker && c.entry.goodFor.some((r) => r.startsWith('judge.')) && c.entry.memoryBytes + (worker?.entry.memoryBytes ?? 0) <= snap.machine.budgetBytes);
  const recommended = [worker, judge].filter((c): c is NonNullable<typeof c> => c !== undefined);
  const download = async (id: string) => {
    const r = await api.startModelDownload({ catalogueId: id });
    setDownloadNote(r.ok ? `Downloading ${r.value.fileName}; follow it on the Models page.` : r.error.message);
    await client.invalidateQueries({ queryKey: keys.models });
  };
  return (
    <section className="card onboarding" aria-labelledby="onboarding-title">
      <h2 id="onboarding-title">No model yet</h2>
      <p>Agent Agency plans, writes and reviews changes with a local model. Pick one of these to start:</p>
      <UseExisting />
      <section className="onboarding-option" aria-labelledby="download-title">
        <h3 id="download-title">2. Download a recommended model</h3>
        {recommended.length === 0 ? <p className="muted">No catalogue model fits this machine’s memory; use a server or an endpoint instead.</p> : null}
        <ul className="found-list" aria-label="Recommended downloads">
          {recommended.map((c) => (
            <li key={c.entry.id}>
              <span>
                <strong>{c.entry.name}</strong> <span className="muted">— {c === worker ? 'to write the changes' : 'to judge them'}; {c.fitMessage}</span>
              </span>
              <button type="button" className="secondary" onClick={() => void download(c.entry.id)}>
                Download
              </button>
            </li>
          ))}
        </ul>
        {downloadNote ? <p role="status">{downloadNote}</p> : null}
        <a href="#/models">All models in the catalogue</a>
      </section>
      <AddEndpoint />
    </section>
  );
}

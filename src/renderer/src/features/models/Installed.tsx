import type { ModelsSnapshot } from '../../../../shared/channels/models';
import { InstalledRow } from './InstalledRow';
import type { Action } from './use-action';

export function Installed({ snapshot, action, onTune }: { snapshot: ModelsSnapshot; action: Action; onTune: (name: string) => void }) {
  return (
    <section className="card" aria-labelledby="installed-title">
      <h2 id="installed-title">Installed</h2>
      {snapshot.models.length === 0 ? (
        <p className="empty">No models yet. Add a GGUF file by path, download one from the catalogue, or add an OpenAI-compatible endpoint.</p>
      ) : (
        <table className="task-table" aria-label="Installed models">
          <thead>
            <tr>
              <th>Name</th>
              <th>Size</th>
              <th>Quantization</th>
              <th>Fit</th>
              <th>State</th>
              <th>Roles</th>
              <th>Speed</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {snapshot.models.map((m) => (
              <InstalledRow key={m.entry.name} model={m} action={action} tuning={snapshot.tuning} onTune={onTune} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

import type { ModelsSnapshot } from '../../../../shared/channels/models';
import { bytes } from './format';

export function Machine({ snapshot }: { snapshot: ModelsSnapshot }) {
  const m = snapshot.machine;
  return (
    <dl className="totals" aria-label="This machine">
      <div>
        <dt>Memory</dt>
        <dd>{bytes(m.totalBytes)}</dd>
      </div>
      <div>
        <dt>Available now</dt>
        <dd>{bytes(m.availableBytes)}</dd>
      </div>
      <div>
        <dt>Allowed for models</dt>
        <dd>{bytes(m.budgetBytes)}</dd>
      </div>
      <div>
        <dt>Compute</dt>
        <dd>{m.gpu}</dd>
      </div>
    </dl>
  );
}

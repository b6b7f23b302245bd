import type { ModelEntry, ModelView } from '../../../shared/domain/model';
import { checkFit, type Alternative, type FitPolicy } from './fit';
import type { ModelHost } from './host';
import type { MemoryProbe } from './memory-probe';
import type { ModelMetrics } from './metrics';
import type { RoleTable } from './roles';

export type MachineReading = Awaited<ReturnType<MemoryProbe['read']>>;

/** What a model's view is read from; the model service owns each part. */
export type ModelViewSources = {
  host: Pick<ModelHost, 'status'>;
  roles: Pick<RoleTable, 'rolesUsing'>;
  metrics: Pick<ModelMetrics, 'view'>;
  policy: FitPolicy;
  alternatives: Alternative[];
  maxContextSize?: number | undefined;
  sequences?: number | undefined;
};

/** One registered model as the Models page shows it: load state, fit on this machine, roles, metrics. */
export function modelView(entry: ModelEntry, machine: MachineReading, s: ModelViewSources): ModelView {
  const status = s.host.status(entry.name);
  const fit =
    entry.kind === 'gguf'
      ? checkFit({
          name: entry.name,
          sizeBytes: entry.sizeBytes,
          facts: entry.facts,
          contextSize: Math.min(entry.facts.contextLength ?? 4096, s.maxContextSize ?? 8192),
          sequences: s.sequences ?? 1,
          machine,
          policy: s.policy,
          alternatives: s.alternatives,
        })
      : null;
  return {
    entry,
    state: status.state,
    inFlight: status.inFlight,
    memoryBytes: status.memoryBytes,
    lastError: status.lastError,
    fit,
    roles: s.roles.rolesUsing(entry.name),
    metrics: s.metrics.view(entry.name),
  };
}

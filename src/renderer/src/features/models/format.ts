import type { FitVerdict, ModelEvent } from '../../../../shared/domain/model';

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(n >= 10 * 1024 ** 2 ? 0 : 1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${n} B`;
}

export function parameters(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)}K`;
  return String(n);
}

export const FIT_LABEL: Record<FitVerdict, string> = {
  fits: 'fits',
  tight: 'tight',
  too_large: 'too large',
  unknown: 'unknown',
};

/** One line per event for the activity list. */
export function describeEvent(e: ModelEvent): { text: string; error: boolean } {
  switch (e.type) {
    case 'model.added':
      return { text: `Added ${e.model}`, error: false };
    case 'model.removed':
      return { text: `Removed ${e.model}`, error: false };
    case 'model.add_failed':
      return { text: `Could not add ${e.source}: ${e.error}`, error: true };
    case 'model.loading':
      return { text: `Loading ${e.model}…`, error: false };
    case 'model.loaded':
      return { text: `Loaded ${e.model} in ${Math.round(e.durationMs)} ms (${bytes(e.memoryBytes)})`, error: false };
    case 'model.unloaded':
      return { text: `Unloaded ${e.model} (${e.reason})`, error: false };
    case 'model.load_failed':
      return { text: `Could not load ${e.model}: ${e.error}`, error: true };
    case 'model.refused':
      return { text: `Refused to load ${e.model}: ${e.reason}`, error: true };
    case 'model.error':
      return { text: `${e.model}${e.role ? ` (${e.role})` : ''} failed: ${e.error}`, error: true };
    case 'model.role_assigned':
      return { text: `${e.role} → ${e.model}`, error: false };
    case 'model.swapped':
      return { text: `Swapped ${e.role}: ${e.from} → ${e.to} (drained in ${Math.round(e.drainMs)} ms)`, error: false };
    case 'model.canary_started':
      return { text: `Canary ${e.model} takes ${Math.round(e.share * 100)}% of ${e.role}`, error: false };
    case 'model.canary_rolled_back':
      return { text: `Canary ${e.model} for ${e.role} rolled back: ${e.reason}`, error: true };
    case 'model.canary_cleared':
      return { text: `Canary ${e.model} for ${e.role} removed`, error: false };
    case 'model.resources':
      return { text: `${e.model}: ${e.decision === 'evict' ? 'unloaded first' : `${e.value ?? '?'} sequences`} (${e.reason})`, error: false };
    case 'download.progress':
      return { text: `Download ${e.id}: ${bytes(e.receivedBytes)}${e.totalBytes ? ` of ${bytes(e.totalBytes)}` : ''}`, error: false };
    case 'download.state':
      return { text: `Download ${e.id} ${e.state}${e.error ? `: ${e.error}` : ''}`, error: e.state === 'failed' };
    case 'model.tune_started':
      return { text: `Tuning ${e.model} (${e.budget} trials)…`, error: false };
    case 'model.tune_trial':
      return { text: `Tuning ${e.model}: trial ${e.trial.n} ${e.trial.tps.toFixed(1)} tok/s${e.trial.reason ? ` (${e.trial.reason})` : ''}`, error: false };
    case 'model.tune_finished':
      return {
        text: `Tuning ${e.model} ${e.state}${e.gain !== null && e.state === 'completed' ? `: ${e.gain.toFixed(2)}× the default` : ''}${e.error && e.state === 'failed' ? `: ${e.error}` : ''}`,
        error: e.state === 'failed',
      };
    default: {
      const never: never = e;
      return { text: String(never), error: false };
    }
  }
}

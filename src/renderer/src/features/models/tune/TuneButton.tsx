import type { TuneJobBrief } from '../../../../../shared/domain/model-tune';
import type { ModelView } from '../../../../../shared/domain/model';

/** Why a model cannot be tuned now, or null. */
export function tuneBlocked(model: ModelView, tuning: TuneJobBrief | null): string | null {
  if (model.entry.kind !== 'gguf') return 'Only local GGUF models are tuned; a remote endpoint’s speed is its server’s';
  if (tuning && tuning.model !== model.entry.name) return `${tuning.model} is being tuned; one run goes at a time`;
  return null;
}

/** A model row's Tune button: opens the tuning panel for it, disabled with the reason when it cannot be tuned. */
export function TuneButton({ model, tuning, onTune }: { model: ModelView; tuning: TuneJobBrief | null; onTune: (name: string) => void }) {
  const blocked = tuneBlocked(model, tuning);
  const own = tuning?.model === model.entry.name;
  return (
    <button type="button" className="secondary" onClick={() => onTune(model.entry.name)} disabled={blocked !== null} title={blocked ?? (own ? 'Being tuned: show the progress' : 'Find the fastest settings for this machine')}>
      {own ? 'Tuning…' : 'Tune'}
    </button>
  );
}

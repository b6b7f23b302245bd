import { useQuery } from '@tanstack/react-query';
import { api } from '../../../api';
import { unwrap } from '../../../queries/client';

/** Query key of a model's running or last tuning run. */
export const tuneKey = (model: string) => ['model-tune', model] as const;

/** The running or last tuning run of `model` (null: never tuned on this machine). */
export function useTuneRun(model: string) {
  return useQuery({ queryKey: tuneKey(model), queryFn: () => unwrap(api.getModelTune({ name: model })) });
}

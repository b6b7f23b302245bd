import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ModelsSnapshot } from '../../../../shared/channels/models';
import type { ModelEvent } from '../../../../shared/domain/model';
import type { TuneRunView } from '../../../../shared/domain/model-tune';
import { applyTuneTrial } from './tune/tune-state';
import { tuneKey } from './tune/use-tune';
import { api } from '../../api';
import { keys, unwrap } from '../../queries/client';

/** How often the page asks for model events while it is visible. */
const POLL_MS = 700;
const KEEP_EVENTS = 50;

/**
 * The Models page state: the snapshot through the query layer (shared with onboarding and the task
 * form), then the model service's events after it. Progress events update downloads in the cached
 * snapshot in place; any other event means the snapshot changed, so it is read again.
 */
export function useModels() {
  const client = useQueryClient();
  const query = useQuery({ queryKey: keys.models, queryFn: () => unwrap(api.modelsSnapshot({})) });
  const [events, setEvents] = useState<ModelEvent[]>([]);
  const seq = useRef(0);

  const refresh = useCallback((): Promise<void> => client.invalidateQueries({ queryKey: keys.models }), [client]);

  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      if (stopped || document.visibilityState !== 'visible') return;
      if (seq.current === 0) {
        // Only the first snapshot places the event cursor; later ones must not skip events the activity
        // list has not shown yet (they are already reflected in the snapshot, harmlessly).
        const first = client.getQueryData<ModelsSnapshot>(keys.models);
        if (!first) return;
        seq.current = first.lastEventSeq;
      }
      const r = await api.modelEvents({ afterSeq: seq.current });
      if (!r.ok || stopped) return;
      const page = r.value;
      if (page.events.length === 0 && !page.truncated) return;
      seq.current = page.lastSeq;
      setEvents((old) => [...page.events.filter((e) => !isProgress(e)).reverse(), ...old].slice(0, KEEP_EVENTS));
      // A tuning trial moves the model's chart in place; a run starting or ending reads it again.
      for (const e of page.events) {
        if (e.type === 'model.tune_trial') client.setQueryData<TuneRunView | null>(tuneKey(e.model), (run) => applyTuneTrial(run, e.trial));
        else if (e.type === 'model.tune_started' || e.type === 'model.tune_finished') void client.invalidateQueries({ queryKey: tuneKey(e.model) });
      }
      const onlyProgress = page.events.every(isProgress);
      if (onlyProgress && !page.truncated) {
        client.setQueryData<ModelsSnapshot>(keys.models, (s) => (s ? applyProgress(s, page.events) : s));
      } else {
        await refresh();
      }
    };
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [client, refresh]);

  return { snapshot: query.data ?? null, error: query.error ? query.error.message : null, events, refresh };
}

/** Events that update state in place and are not listed in the activity. */
const isProgress = (e: ModelEvent): boolean => e.type === 'download.progress' || e.type === 'model.tune_trial';

function applyProgress(s: ModelsSnapshot, events: ModelEvent[]): ModelsSnapshot {
  const downloads = s.downloads.map((d) => {
    let next = d;
    for (const e of events) {
      if (e.type === 'download.progress' && e.id === d.id) {
        next = { ...next, receivedBytes: e.receivedBytes, totalBytes: e.totalBytes, bytesPerSecond: e.bytesPerSecond };
      }
    }
    return next;
  });
  return { ...s, downloads };
}

import { useCallback, useEffect, useRef, useState } from 'react';
import type { ModelsSnapshot } from '../../../../shared/channels/models';
import type { ModelEvent } from '../../../../shared/domain/model';
import { api } from '../../api';

/** How often the page asks for model events while it is visible. */
const POLL_MS = 700;
const KEEP_EVENTS = 50;

/**
 * The Models page state: a snapshot, then the model service's events after it. Progress events
 * update downloads in place; any other event means the snapshot changed, so it is read again.
 */
export function useModels() {
  const [snapshot, setSnapshot] = useState<ModelsSnapshot | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [events, setEvents] = useState<ModelEvent[]>([]);
  const seq = useRef(0);
  const loading = useRef(false);

  const refresh = useCallback((): Promise<void> => {
    if (loading.current) return Promise.resolve();
    loading.current = true;
    return api.modelsSnapshot({}).then((r) => {
      loading.current = false;
      if (r.ok) {
        // Only the first snapshot places the event cursor; later ones must not skip events the
        // activity list has not shown yet (they are already reflected in the snapshot, harmlessly).
        if (seq.current === 0) seq.current = r.value.lastEventSeq;
        setSnapshot(r.value);
        setError(null);
      } else {
        setError(r.error.message);
      }
    });
  }, []);

  useEffect(() => {
    void refresh();
    let stopped = false;
    const poll = async () => {
      if (stopped || document.visibilityState !== 'visible') return;
      const r = await api.modelEvents({ afterSeq: seq.current });
      if (!r.ok || stopped) return;
      const page = r.value;
      if (page.events.length === 0 && !page.truncated) return;
      seq.current = page.lastSeq;
      setEvents((old) => [...page.events.filter((e) => e.type !== 'download.progress').reverse(), ...old].slice(0, KEEP_EVENTS));
      const onlyProgress = page.events.every((e) => e.type === 'download.progress');
      if (onlyProgress && !page.truncated) {
        setSnapshot((s) => (s ? applyProgress(s, page.events) : s));
      } else {
        await refresh();
      }
    };
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [refresh]);

  return { snapshot, error, events, refresh };
}

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

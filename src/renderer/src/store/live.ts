import type { AgentAgencyApi } from '../../../shared/contract';
import type { AgentEvent } from '../../../shared/domain/events';
import { useAppStore } from './store';

/** Events are applied at most once per frame, in one store update, however fast they arrive. */
const FLUSH_MS = 50;

/**
 * Keeps the store live: snapshot first, then events. On every (re)connection it subscribes again
 * after the last applied sequence number, so a dropped transport loses nothing.
 */
export function startLiveUpdates(api: AgentAgencyApi): () => void {
  const store = useAppStore.getState;
  let buffer: AgentEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    const batch = buffer;
    buffer = [];
    store().applyEvents(batch);
  };
  const offEvent = api.onEvent((event) => {
    buffer.push(event);
    timer ??= setTimeout(flush, FLUSH_MS);
  });
  const offConnection = api.onConnection((status) => {
    store().setConnection(status);
    if (status !== 'connected') return;
    const afterSeq = store().lastSeq;
    void api.subscribe(afterSeq > 0 ? { afterSeq } : {}).then((result) => {
      if (!result.ok) return;
      const { tasks, missed, lastSeq } = result.value;
      store().upsertTasks(tasks, afterSeq === 0);
      store().applyEvents(missed);
      store().setLastSeq(lastSeq);
    });
  });
  return () => {
    offEvent();
    offConnection();
    if (timer) clearTimeout(timer);
  };
}

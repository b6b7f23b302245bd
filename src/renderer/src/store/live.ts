import type { AgentAgencyApi } from '../../../shared/contract';
import type { AgentEvent } from '../../../shared/domain/events';
import { useAppStore } from './store';

/** Events are applied at most once per this many milliseconds, in one store update, however fast they arrive. */
export const FLUSH_MS = 50;
/**
 * Most live events held between flushes (a hidden tab runs timers once a second). Past it the
 * buffer is dropped and the store catches up from the journal instead, which loses nothing.
 */
export const MAX_BUFFERED_EVENTS = 20_000;
/** Most snapshot pages read in one catch-up (each holds the server's bounded list of missed events). */
const MAX_CATCH_UP_PAGES = 1_000;

/**
 * Keeps the store live: snapshot first, then events. On every (re)connection it subscribes again
 * after the last applied sequence number and pages through everything it missed before applying
 * live events again, so a dropped transport loses nothing.
 */
export function startLiveUpdates(api: AgentAgencyApi): () => void {
  const store = useAppStore.getState;
  let buffer: AgentEvent[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let catchingUp: Promise<void> | undefined;
  let stopped = false;

  const flush = () => {
    timer = undefined;
    // Live events wait until the missed ones are in, so the store's lastSeq never skips a gap.
    if (catchingUp) return;
    const batch = buffer;
    buffer = [];
    if (batch.length > 0) store().applyEvents(batch);
  };

  let again = false;
  const catchUp = (): Promise<void> => {
    // A reconnection (or an overflow) during a catch-up needs one more pass once it ends.
    if (catchingUp) {
      again = true;
      return catchingUp;
    }
    const run = async () => {
      do {
        again = false;
        await catchUpOnce();
      } while (again && !stopped);
    };
    catchingUp = run().finally(() => {
      catchingUp = undefined;
      flush();
    });
    return catchingUp;
  };

  const catchUpOnce = async (): Promise<void> => {
    const fresh = store().lastSeq === 0;
    let afterSeq = store().lastSeq;
    for (let page = 0; page < MAX_CATCH_UP_PAGES && !stopped; page++) {
      const result = await api.subscribe(afterSeq > 0 ? { afterSeq } : {});
      // A failed call means the transport dropped again; its reconnection asks for another pass.
      if (!result.ok) return;
      const { tasks, missed, lastSeq } = result.value;
      store().applyEvents(missed);
      const reached = missed.length > 0 ? missed[missed.length - 1]!.seq : lastSeq;
      if (reached >= lastSeq || missed.length === 0) {
        // The snapshot is the truth as of lastSeq; events after it arrive live.
        store().setSnapshot(tasks, fresh);
        store().setLastSeq(lastSeq);
        return;
      }
      afterSeq = reached;
    }
  };

  const offEvent = api.onEvent((event) => {
    buffer.push(event);
    if (buffer.length > MAX_BUFFERED_EVENTS) {
      buffer = [];
      void catchUp();
      return;
    }
    timer ??= setTimeout(flush, FLUSH_MS);
  });
  const offConnection = api.onConnection((status) => {
    store().setConnection(status);
    if (status === 'connected') void catchUp();
  });
  return () => {
    stopped = true;
    offEvent();
    offConnection();
    if (timer) clearTimeout(timer);
  };
}

import type { PressureLevel } from '../../../shared/domain/scheduler';
import { abortError, raceAbort } from '../models/abort';
import { runWithHeldSlot } from '../models/held-slot';
import type { InferenceAdmission, Slot } from '../scheduler/admission';
import type { Limiter } from './limiter';

/**
 * How many judges of a council may run at once at each pressure level. Judges on one model run on
 * that many context sequences of it, evaluated together in llama.cpp's batches, so a round of four
 * costs little more than one judge while the machine is cool; under pressure it narrows to one.
 */
export const ROUND_WIDTH: Record<PressureLevel, number> = { nominal: 4, fair: 2, serious: 1, critical: 1 };

export type RoundLimiterOptions = {
  admission: InferenceAdmission;
  /** The scheduler's pressure level now. */
  level: () => PressureLevel;
  /** Most judges at once whatever the level (default 4). */
  maxWidth?: number;
  width?: Record<PressureLevel, number>;
};

type Waiter = { go: () => void; fail: (e: Error) => void };

/**
 * Judges share one scheduler slot while any of them runs: the first takes it (at council priority),
 * the others join up to the width the pressure level allows, and the last one out releases it.
 * Their model calls carry the held slot (see models/held-slot.ts) and do not queue at the scheduler
 * again. The width is read at every start, so a rise in pressure narrows the next judges at once.
 */
export function roundLimiter(options: RoundLimiterOptions): Limiter {
  const widths = options.width ?? ROUND_WIDTH;
  const maxWidth = Math.max(1, options.maxWidth ?? 4);
  const width = () => Math.max(1, Math.min(maxWidth, widths[options.level()]));
  let slot: Promise<Slot> | undefined;
  let active = 0;
  const waiting: Waiter[] = [];

  const releaseIfIdle = () => {
    if (active > 0 || waiting.length > 0 || !slot) return;
    const held = slot;
    slot = undefined;
    void held.then((s) => s.release(), () => undefined);
  };
  const wake = () => {
    while (waiting.length > 0 && active < width()) {
      active++;
      waiting.shift()!.go();
    }
  };

  return {
    async run<T>(label: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (signal?.aborted) throw abortError(signal);
      if (active < width() && waiting.length === 0) active++;
      else {
        await new Promise<void>((resolve, reject) => {
          const waiter: Waiter = {
            go: () => {
              signal?.removeEventListener('abort', onAbort);
              resolve();
            },
            fail: reject,
          };
          const onAbort = () => {
            const i = waiting.indexOf(waiter);
            if (i >= 0) waiting.splice(i, 1);
            reject(abortError(signal));
          };
          signal?.addEventListener('abort', onAbort, { once: true });
          waiting.push(waiter);
        });
      }
      try {
        if (!slot) {
          // Not tied to this judge's signal: others may be waiting on the same slot. When everyone
          // has left, releaseIfIdle gives it back as soon as it is granted.
          const acquiring = options.admission.acquire({ priority: 'council', label: `council: ${label}` });
          slot = acquiring;
          acquiring.catch(() => {
            if (slot === acquiring) slot = undefined;
          });
        }
        await raceAbort(slot, signal);
        return await runWithHeldSlot(label, fn);
      } finally {
        active--;
        wake();
        releaseIfIdle();
      }
    },
  };
}

import type { InferenceAdmission } from '../scheduler/admission';

/** Bounds how many judges run at once; the scheduler's admission control plugs in here. */
export interface Limiter {
  run<T>(label: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** At most `limit` tasks at a time, first come first served. */
export function createLimiter(limit: number): Limiter {
  const max = Math.max(1, Math.floor(limit));
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async run<T>(_label: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      // A freed slot passes straight to the next waiter, so `active` never overshoots.
      if (active >= max) {
        await new Promise<void>((resolve, reject) => {
          const go = () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          };
          const onAbort = () => {
            const i = waiting.indexOf(go);
            if (i >= 0) waiting.splice(i, 1);
            reject(signal?.reason instanceof Error ? signal.reason : new DOMException('aborted', 'AbortError'));
          };
          waiting.push(go);
          signal?.addEventListener('abort', onAbort, { once: true });
        });
      } else active++;
      try {
        return await fn();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    },
  };
}

/** Judges take inference slots from the scheduler at council priority. */
export function admissionLimiter(admission: InferenceAdmission, taskId: string): Limiter {
  return {
    async run<T>(label: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      const slot = await admission.acquire({ priority: 'council', label, taskId, ...(signal ? { signal } : {}) });
      try {
        return await fn();
      } finally {
        slot.release();
      }
    },
  };
}

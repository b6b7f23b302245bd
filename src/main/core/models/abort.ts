import { raceSignal } from '../common/abort';

/** The error every model call rejects with when its signal aborts (`name === 'AbortError'`). */
export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error(reason instanceof Error ? reason.message : 'the model call was aborted');
  error.name = 'AbortError';
  return error;
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}

/**
 * Resolves with `promise` or rejects with an AbortError as soon as `signal` aborts, whichever comes
 * first. The underlying work is not stopped here; callers pass the signal on to it as well.
 */
export function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  const settled = promise.catch((e: unknown) => {
    throw e instanceof Error ? e : new Error(String(e));
  });
  return raceSignal(settled, signal, abortError);
}

/** A signal that aborts when any of `signals` does. */
export function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length === 0) return undefined;
  if (present.length === 1) return present[0];
  return AbortSignal.any(present);
}

/**
 * The one abort race of the core: settles with `promise`, or rejects as soon as `signal` aborts,
 * whichever comes first. The rejection is `reasonOf(signal)` (the signal's own reason by default;
 * the model service turns it into an AbortError). The work itself is not stopped here: callers pass
 * the signal on to it as well. A promise left behind by an abort has its rejection handled.
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal, reasonOf: (signal: AbortSignal) => unknown = (s) => s.reason): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(reasonOf(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reasonOf(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

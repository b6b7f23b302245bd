import { useState } from 'react';
import type { Result } from '../../../../shared/errors';

/** Runs one action at a time and keeps its error to show. */
export function useAction(after: () => Promise<void>) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (label: string, call: () => Promise<Result<unknown>>) => {
    setBusy(label);
    setError(null);
    const r = await call();
    setBusy(null);
    if (!r.ok) setError(r.error.message);
    await after();
    return r.ok;
  };
  return { busy, error, run };
}

export type Action = ReturnType<typeof useAction>;

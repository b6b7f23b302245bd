import { useCallback, useState } from 'react';
import type { Task } from '../../../../shared/domain/task';
import type { Result } from '../../../../shared/errors';
import { useAppStore } from '../../store/store';

/**
 * Runs one intervention call: shows it as busy, puts the task it returns into the store at once
 * (the live events follow), and keeps the error message when the core refuses.
 */
export function useIntervention() {
  const upsertTasks = useAppStore((s) => s.upsertTasks);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async (call: () => Promise<Result<Task>>): Promise<boolean> => {
      setBusy(true);
      setError(null);
      try {
        const result = await call();
        if (!result.ok) {
          setError(result.error.message);
          return false;
        }
        upsertTasks([result.value]);
        return true;
      } catch (e) {
        setError(e instanceof Error ? e.message : String(e));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [upsertTasks],
  );
  return { busy, error, run, clearError: () => setError(null) };
}

import { useCallback, useEffect, useState } from 'react';
import type { SettingsView } from '../../../../shared/channels/settings';
import type { AppError } from '../../../../shared/errors';
import { api } from '../../api';

export type FieldErrors = Partial<Record<string, string>>;

/** Field-level messages keyed by the field's name (the `patch.` of the channel's input is dropped). */
export function fieldErrors(error: AppError): FieldErrors {
  const out: FieldErrors = {};
  for (const i of error.issues ?? []) out[i.path.replace(/^patch\./, '').split(/[.[]/)[0] || 'form'] ??= i.message;
  return out;
}

export function useSettings() {
  const [view, setView] = useState<SettingsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    void api.getSettings({}).then((r) => {
      if (r.ok) {
        setView(r.value);
        setError(null);
      } else {
        setError(r.error.message);
      }
    });
  }, []);
  useEffect(reload, [reload]);
  return { view, setView, error, reload };
}

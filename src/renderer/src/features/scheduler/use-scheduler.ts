import { useEffect, useState } from 'react';
import type { ChannelOutput } from '../../../../shared/contract';
import { api } from '../../api';

export type PressureStateView = ChannelOutput<'getSchedulerState'>;
export type PressureTimelineView = ChannelOutput<'getPressureTimeline'>;

/**
 * Polls a scheduler channel. Scheduler decisions are not task events, so there is no live feed to
 * follow; a few seconds' lag is fine for an indicator and a chart.
 */
function usePolled<T>(read: () => Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>, everyMs: number, key: string) {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      const r = await read();
      if (!live) return;
      if (r.ok) {
        setValue(r.value);
        setError(undefined);
      } else setError(r.error.message);
      timer = setTimeout(() => void tick(), everyMs);
    };
    void tick();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
    // `read` is rebuilt each render; `key` names what it reads.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, everyMs]);
  return { value, error };
}

export function usePressureState(everyMs = 5_000) {
  return usePolled(() => api.getSchedulerState({}), everyMs, 'state');
}

export function usePressureTimeline(windowMs: number, everyMs = 10_000) {
  return usePolled(() => api.getPressureTimeline({ windowMs }), everyMs, `timeline:${windowMs}`);
}

export const LEVEL_LABEL = { nominal: 'Nominal', fair: 'Fair', serious: 'Serious', critical: 'Critical' } as const;

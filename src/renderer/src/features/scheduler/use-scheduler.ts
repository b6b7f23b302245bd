import { useQuery } from '@tanstack/react-query';
import type { ChannelOutput } from '../../../../shared/contract';
import type { Result } from '../../../../shared/errors';
import { api } from '../../api';
import { keys, unwrap } from '../../queries/client';

export type PressureStateView = ChannelOutput<'getSchedulerState'>;
export type PressureTimelineView = ChannelOutput<'getPressureTimeline'>;

/**
 * Polls a scheduler channel through the query layer. Scheduler decisions are not task events, so there
 * is no live feed to follow; a few seconds' lag is fine for an indicator and a chart.
 */
function usePolled<T>(read: () => Promise<Result<T>>, everyMs: number, key: string) {
  const query = useQuery({ queryKey: [...keys.scheduler, key], queryFn: () => unwrap(read()), refetchInterval: everyMs });
  return { value: query.data, error: query.error ? query.error.message : undefined };
}

export function usePressureState(everyMs = 5_000) {
  return usePolled(() => api.getSchedulerState({}), everyMs, 'state');
}

export function usePressureTimeline(windowMs: number, everyMs = 10_000) {
  return usePolled(() => api.getPressureTimeline({ windowMs }), everyMs, `timeline:${windowMs}`);
}

export const LEVEL_LABEL = { nominal: 'Nominal', fair: 'Fair', serious: 'Serious', critical: 'Critical' } as const;

import type { metricsChannels } from '../../../../shared/channels/metrics';
import type { AreaHandlers, SessionContext } from './types';

export function metricsHandlers(ctx: SessionContext): AreaHandlers<keyof typeof metricsChannels> {
  const { metrics } = ctx.core;
  return {
    getMetrics: (input) => metrics.compute(input.windowMs),
  };
}

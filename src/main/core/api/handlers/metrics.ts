import type { metricsChannels } from '../../../../shared/channels/metrics';
import { listEvalRuns } from '../../db/queries/eval';
import type { AreaHandlers, SessionContext } from './types';

export function metricsHandlers(ctx: SessionContext): AreaHandlers<keyof typeof metricsChannels> {
  const { metrics } = ctx.core;
  return {
    getMetrics: (input) => metrics.compute(input.windowMs),
    listEvalRuns: (input) => listEvalRuns(ctx.core.db, input.limit),
    estimateTask: (input) => ctx.core.estimates.estimate(input),
    getTaskEstimate: (input) => ctx.core.estimates.forTask(input.taskId),
  };
}

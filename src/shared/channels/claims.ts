import { z } from 'zod';
import { ClaimView, CriterionView } from '../domain/claims';
import { TaskId } from '../domain/task';

/** A task's claim table and the standing of its acceptance criteria. */
export const claimChannels = {
  getTaskClaims: {
    input: z.strictObject({ taskId: TaskId }),
    output: z.object({ claims: z.array(ClaimView), criteria: z.array(CriterionView) }),
  },
} as const;

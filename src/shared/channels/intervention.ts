import { z } from 'zod';
import { Actor } from '../domain/events';
import { ApprovalGate, Task, TaskId } from '../domain/task';

/**
 * Who is acting, and from where. `system` is the engine's own voice and cannot be claimed by a
 * client; `who` is what the audit trail records.
 */
export const ActorInput = z.strictObject({
  who: Actor.shape.who,
  via: Actor.shape.via.exclude(['system']),
});

const target = { id: TaskId, actor: ActorInput };
const reason = z.string().trim().min(1, 'must not be empty').max(2_000, 'must be at most 2000 characters');

export const PauseTaskInput = z.strictObject(target);
export const ResumeTaskInput = z.strictObject(target);
export const CancelTaskInput = z.strictObject({ ...target, reason: reason.optional() });
export const GuideTaskInput = z.strictObject({
  ...target,
  text: z.string().trim().min(1, 'must not be empty').max(4_000, 'must be at most 4000 characters'),
});
export const OverrideDecisionInput = z.strictObject({
  ...target,
  decision: z.enum(['accept', 'reject']),
  reason: z.string().trim().min(3, 'must say why (at least 3 characters)').max(2_000, 'must be at most 2000 characters'),
});
export const ModifyTaskInput = z
  .strictObject({
    ...target,
    maxIterations: z.number().int().min(1).max(50).optional(),
    /** Total step time the task may use, in minutes. */
    timeBudgetMinutes: z.number().int().min(1).max(7 * 24 * 60).optional(),
  })
  .refine((v) => v.maxIterations !== undefined || v.timeBudgetMinutes !== undefined, {
    message: 'give maxIterations or timeBudgetMinutes',
    path: ['maxIterations'],
  });
/** `gate` guards against approving something else than what the user saw. */
export const ApproveInput = z.strictObject({ ...target, gate: ApprovalGate.optional() });
export const DenyInput = z.strictObject({ ...target, gate: ApprovalGate.optional(), reason });

/** Steering a running task; every command answers with the task as it is afterwards. */
export const interventionChannels = {
  pauseTask: { input: PauseTaskInput, output: Task },
  resumeTask: { input: ResumeTaskInput, output: Task },
  cancelTask: { input: CancelTaskInput, output: Task },
  guideTask: { input: GuideTaskInput, output: Task },
  overrideDecision: { input: OverrideDecisionInput, output: Task },
  modifyTask: { input: ModifyTaskInput, output: Task },
  approve: { input: ApproveInput, output: Task },
  deny: { input: DenyInput, output: Task },
} as const;

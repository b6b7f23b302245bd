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
/**
 * How far an approval reaches: `once` (this gate only), `phase` (this gate and every later approval
 * of the same gate kind in this task), `task` (every remaining plan, changeset and apply approval of
 * this task). Council rejections (escalations) and tool calls are never covered by a standing approval.
 */
export const ApprovalScope = z.enum(['once', 'phase', 'task']);
export type ApprovalScope = z.infer<typeof ApprovalScope>;
export const StandingScope = z.enum(['phase', 'task']);
export type StandingScope = z.infer<typeof StandingScope>;
/** The gates a standing approval may pass: strict mode's phase boundaries. */
export const STANDING_GATES = ['plan', 'changeset', 'apply'] as const;

/** `gate` guards against approving something else than what the user saw. */
export const ApproveInput = z.strictObject({ ...target, gate: ApprovalGate.optional(), scope: ApprovalScope.default('once') });

/** A standing approval on a task, live or revoked. */
export const StandingApproval = z.object({
  id: z.number().int().positive(),
  taskId: TaskId,
  scope: StandingScope,
  /** The gate it was given at. */
  gate: ApprovalGate,
  /** The gates it passes while live. */
  covers: z.array(ApprovalGate),
  actor: Actor,
  createdAt: z.number().int(),
  revokedAt: z.number().int().nullable(),
  revokedBy: Actor.nullable(),
});
export type StandingApproval = z.infer<typeof StandingApproval>;
export const ListStandingApprovalsInput = z.strictObject({ taskId: TaskId, includeRevoked: z.boolean().default(false) });
export const RevokeApprovalInput = z.strictObject({ taskId: TaskId, approvalId: z.number().int().positive(), actor: ActorInput });
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
  listStandingApprovals: { input: ListStandingApprovalsInput, output: z.array(StandingApproval) },
  revokeApproval: { input: RevokeApprovalInput, output: StandingApproval },
} as const;

import { z } from 'zod';
import { AttachmentList } from './attachments';

export const TaskId = z
  .string()
  .regex(/^tsk_[0-9a-z]{10,40}$/, 'must be a task id like tsk_…');
export type TaskId = z.infer<typeof TaskId>;

export const EXECUTION_MODES = ['dry-run', 'auto', 'strict'] as const;
export const ExecutionMode = z.enum(EXECUTION_MODES);
export type ExecutionMode = z.infer<typeof ExecutionMode>;

export const RiskTier = z.union([z.literal(1), z.literal(2), z.literal(3)]);
export type RiskTier = z.infer<typeof RiskTier>;

export const Priority = z.enum(['low', 'normal', 'high', 'urgent']);
export type Priority = z.infer<typeof Priority>;

/** States in which work is (or may be) happening; pause and failure apply to these. */
export const ACTIVE_STATES = [
  'queued',
  'planning',
  'reviewing_plan',
  'executing',
  'verifying',
  'reviewing_change',
  'applying',
] as const;
export const ActiveStateKind = z.enum(ACTIVE_STATES);
export type ActiveStateKind = z.infer<typeof ActiveStateKind>;

export const TERMINAL_STATES = ['completed', 'failed', 'cancelled'] as const;

export const TASK_STATE_KINDS = [...ACTIVE_STATES, 'paused', 'awaiting_approval', ...TERMINAL_STATES] as const;
export const TaskStateKind = z.enum(TASK_STATE_KINDS);
export type TaskStateKind = z.infer<typeof TaskStateKind>;

export const ApprovalGate = z.enum(['plan', 'changeset', 'apply', 'escalation', 'tool']);
export type ApprovalGate = z.infer<typeof ApprovalGate>;

/** The task lifecycle as a tagged union; `paused` and `awaiting_approval` remember where they came from. */
export const TaskState = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('queued') }),
  z.object({ kind: z.literal('planning') }),
  z.object({ kind: z.literal('reviewing_plan') }),
  z.object({ kind: z.literal('executing') }),
  z.object({ kind: z.literal('verifying') }),
  z.object({ kind: z.literal('reviewing_change') }),
  z.object({ kind: z.literal('applying') }),
  z.object({ kind: z.literal('paused'), from: ActiveStateKind }),
  z.object({ kind: z.literal('awaiting_approval'), from: ActiveStateKind, waitingFor: ApprovalGate }),
  z.object({ kind: z.literal('completed') }),
  z.object({ kind: z.literal('failed'), reason: z.string() }),
  z.object({ kind: z.literal('cancelled'), reason: z.string().optional() }),
]);
export type TaskState = z.infer<typeof TaskState>;

const description = z
  .string()
  .trim()
  .min(3, 'must be at least 3 characters')
  .max(4000, 'must be at most 4000 characters');

const repoPath = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(4096, 'is too long')
  .refine((p) => !p.includes('\0'), 'must not contain NUL bytes');

export const SubmitTaskInput = z.strictObject({
  description,
  repoPath,
  mode: ExecutionMode.default('dry-run'),
  riskTier: RiskTier.default(2),
  priority: Priority.default('normal'),
  maxIterations: z.number().int().min(1).max(50).default(5),
  /** An edited resubmission of this earlier task: the new task is linked to it. */
  retryOf: TaskId.optional(),
  /** Work on a folder that is not a git repository (explicit; otherwise the target must be one). */
  allowNonGit: z.boolean().optional(),
  /** Run against this spec of the repository (`.caws/specs/<id>.yaml` or `.caws/working-spec.yaml`) instead of planning one. */
  specId: z.string().regex(/^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-\d+[a-z]*$/, 'must be a spec id like FEAT-0042').optional(),
  /**
   * Let the commands this task causes (gates, acceptance tests, tools) use the network. Off by
   * default: the sandbox gives them no network at all; a grant is journaled and shown on the task.
   */
  allowNetwork: z.boolean().optional(),
  /** Text, Markdown, PDF and image files for the task, indexed in the knowledge base for it (base64). */
  attachments: AttachmentList.optional(),
});
export type SubmitTaskInput = z.input<typeof SubmitTaskInput>;

export const Task = z.object({
  id: TaskId,
  description: z.string(),
  repoPath: z.string(),
  mode: ExecutionMode,
  riskTier: RiskTier,
  priority: Priority,
  maxIterations: z.number().int(),
  state: TaskState,
  /** Percent complete, derived from the phase events. */
  progress: z.number().min(0).max(100),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  /** The working spec (CAWS YAML) once planned. */
  spec: z.string().nullable(),
  /** The earlier task this one retries (same or edited inputs), when it is a retry. */
  retryOf: TaskId.optional(),
  /** The repository's own spec this task runs against (the planner does not write one). */
  specId: z.string().optional(),
  /** Present (true) only when the task was granted network for the commands it causes. */
  allowNetwork: z.literal(true).optional(),
});
export type Task = z.infer<typeof Task>;

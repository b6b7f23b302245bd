import { z } from 'zod';
import {
  CawsViolation,
  CreateWaiverInput,
  FinalVerdict,
  GateResultSchema,
  JudgeVerdict,
  Policy,
  PolicyPatch,
  ReviewSubjectKind,
  Waiver,
} from '../domain/governance';
import { TaskId } from '../domain/task';
import { WorkingSpec } from '../domain/working-spec';

const specYaml = z.string().max(256 * 1024, 'must be at most 256 KiB');
const actorName = z.string().trim().min(1, 'must not be empty').max(200);
const waiverId = z.string().regex(/^WV-\d{4,}$/, 'must be a waiver id like WV-0001');

export const SpecIssue = z.object({ path: z.string(), message: z.string() });

export const SpecValidationView = z.object({
  valid: z.boolean(),
  spec: WorkingSpec.nullable(),
  issues: z.array(SpecIssue),
  /** CAWS compliance of a valid spec (rules held, violations, suggestions). */
  compliance: z.object({ compliance: z.number(), violations: z.array(CawsViolation), suggestions: z.array(z.string()) }).nullable(),
});
export type SpecValidationView = z.infer<typeof SpecValidationView>;

export const TaskSpecView = z.object({
  yaml: z.string().nullable(),
  spec: WorkingSpec.nullable(),
  version: z.number().int().nullable(),
  versions: z.array(z.object({ version: z.number().int(), specId: z.string(), source: z.enum(['planner', 'user', 'repository']), author: z.string(), createdAt: z.number().int() })),
});
export type TaskSpecView = z.infer<typeof TaskSpecView>;

export const TaskGatesView = z.object({
  runId: z.string().nullable(),
  createdAt: z.number().int().nullable(),
  results: z.array(GateResultSchema),
});
export type TaskGatesView = z.infer<typeof TaskGatesView>;

export const StoredVerdictView = z.object({
  id: z.string(),
  subject: ReviewSubjectKind,
  createdAt: z.number().int(),
  verdict: FinalVerdict,
  /** Every vote of every round (debates included). */
  rounds: z.array(JudgeVerdict),
});
export type StoredVerdictView = z.infer<typeof StoredVerdictView>;

/** Working specs, gate results, council verdicts, waivers and the governance policy. */
export const governanceChannels = {
  validateSpec: { input: z.strictObject({ yaml: specYaml }), output: SpecValidationView },
  getTaskSpec: { input: z.strictObject({ taskId: TaskId }), output: TaskSpecView },
  /** A human's edit of the plan (strict mode, before approving it); validated like any spec. */
  updateTaskSpec: { input: z.strictObject({ taskId: TaskId, yaml: specYaml, actor: actorName }), output: TaskSpecView },
  getTaskGates: { input: z.strictObject({ taskId: TaskId }), output: TaskGatesView },
  getTaskVerdicts: { input: z.strictObject({ taskId: TaskId }), output: z.object({ verdicts: z.array(StoredVerdictView) }) },
  listWaivers: { input: z.strictObject({}), output: z.array(Waiver) },
  createWaiver: { input: CreateWaiverInput, output: Waiver },
  approveWaiver: { input: z.strictObject({ id: waiverId, approver: actorName }), output: Waiver },
  revokeWaiver: { input: z.strictObject({ id: waiverId, revokedBy: actorName, reason: z.string().trim().min(3, 'must give a reason').max(2000) }), output: Waiver },
  getPolicy: { input: z.strictObject({}), output: Policy },
  setPolicy: { input: z.strictObject({ patch: PolicyPatch, actor: actorName }), output: Policy },
} as const;

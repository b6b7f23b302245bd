import { z } from 'zod';

/** Results of `agent-agency eval` runs, as stored and as the Metrics page reads them. */

export const COUNCIL_OUTCOMES = ['true_accept', 'false_accept', 'true_reject', 'false_reject', 'none'] as const;
export type CouncilOutcome = (typeof COUNCIL_OUTCOMES)[number];

/** One graded attempt at one eval task. */
export const EvalTaskResult = z.object({
  evalTask: z.string(),
  attempt: z.number().int().min(1),
  /** The engine task it ran as. */
  taskId: z.string().nullable(),
  language: z.string(),
  kind: z.string(),
  /** The hidden tests pass on the change the task kept. */
  resolved: z.boolean(),
  council: z.enum(['accept', 'reject', 'modify', 'none']),
  councilOutcome: z.enum(COUNCIL_OUTCOMES),
  planDecision: z.enum(['accept', 'reject', 'modify', 'none']),
  finalState: z.string(),
  iterations: z.number().int().nonnegative(),
  modelCalls: z.number().int().nonnegative(),
  modelErrors: z.number().int().nonnegative(),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  wallMs: z.number().nonnegative(),
  stopReason: z.string(),
  patchBytes: z.number().int().nonnegative(),
  gradeReason: z.string().nullable(),
  gradeOutput: z.string(),
});
export type EvalTaskResult = z.infer<typeof EvalTaskResult>;

export const EvalTotals = z.object({
  attempts: z.number().int(),
  resolved: z.number().int(),
  resolvedRate: z.number(),
  council: z.object({
    trueAccept: z.number().int(),
    falseAccept: z.number().int(),
    trueReject: z.number().int(),
    falseReject: z.number().int(),
    unreviewed: z.number().int(),
    /** Of the changes it accepted, the share the hidden tests pass; null when it accepted none. */
    precision: z.number().nullable(),
    /** Of the changes that pass the hidden tests, the share it accepted; null when none passed. */
    recall: z.number().nullable(),
  }),
  modelCalls: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  wallMs: z.number(),
  /** Prompt plus completion tokens per resolved task; null when none resolved. */
  tokensPerResolved: z.number().nullable(),
  wallMsPerResolved: z.number().nullable(),
});
export type EvalTotals = z.infer<typeof EvalTotals>;

export const EvalRunView = z.object({
  id: z.string(),
  suite: z.string(),
  suitePath: z.string(),
  mode: z.string(),
  models: z.record(z.string(), z.string()),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  tasks: z.number().int(),
  resolved: z.number().int(),
  totals: EvalTotals.nullable(),
});
export type EvalRunView = z.infer<typeof EvalRunView>;

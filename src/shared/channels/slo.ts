import { z } from 'zod';

/** Service-level objectives computed from the journal, and the alerts their burn rates raise. */

export const SLO_IDS = [
  'task_success',
  'time_to_first_plan',
  'council_review_latency_p95',
  'model_throughput',
  'approval_wait',
  'crash_recoveries',
  'sandbox_denials',
] as const;
export const SloId = z.enum(SLO_IDS);
export type SloId = z.infer<typeof SloId>;

const hours = (h: number) => h * 3600_000;

/** A burn-rate rule: both windows must burn faster than `factor` times the sustainable rate. */
export const BurnRule = z.strictObject({
  name: z.string().min(1).max(40),
  severity: z.enum(['page', 'ticket']),
  longWindowMs: z.number().int().min(60_000).max(hours(24 * 90)),
  shortWindowMs: z.number().int().min(60_000).max(hours(24 * 90)),
  factor: z.number().positive().max(10_000),
});
export type BurnRule = z.infer<typeof BurnRule>;

export const SloDefinition = z.strictObject({
  id: SloId,
  name: z.string().min(1).max(100),
  description: z.string().max(500),
  /** `ratio`: good/valid events must reach `target`; `budget`: at most `maxEvents` bad events per window. */
  kind: z.enum(['ratio', 'budget']),
  target: z.number().gt(0).lt(1),
  /** What makes one event good (seconds for latencies, tokens/s for throughput). */
  threshold: z.number().positive().optional(),
  maxEvents: z.number().int().positive().optional(),
  windowMs: z.number().int().min(hours(1)).max(hours(24 * 90)),
  /** Fewer valid events than this in a rule's short window raise no alert (too little to judge). */
  minEvents: z.number().int().min(1).max(10_000),
  rules: z.array(BurnRule).max(4),
  enabled: z.boolean(),
});
export type SloDefinition = z.infer<typeof SloDefinition>;

export const SloStatus = z.object({
  definition: SloDefinition,
  good: z.number().int(),
  valid: z.number().int(),
  /** good / valid over the SLO's window (null with no events); for a budget SLO, 1 − used share. */
  sli: z.number().nullable(),
  /** Share of the window's error budget left (can go below 0). */
  budgetRemaining: z.number(),
  burnRates: z.array(z.object({ rule: z.string(), long: z.number(), short: z.number(), burning: z.boolean() })),
  /** p95 of the measured value where that means something (latencies), in the threshold's unit. */
  p95: z.number().nullable(),
  meeting: z.boolean(),
});
export type SloStatus = z.infer<typeof SloStatus>;

export const AlertView = z.object({
  id: z.string(),
  sloId: z.string(),
  rule: z.string(),
  severity: z.enum(['page', 'ticket']),
  state: z.enum(['firing', 'resolved']),
  firedAt: z.number().int(),
  resolvedAt: z.number().int().nullable(),
  summary: z.string(),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: z.number().int().nullable(),
  silencedUntil: z.number().int().nullable(),
  silencedBy: z.string().nullable(),
});
export type AlertView = z.infer<typeof AlertView>;

export const AlertHistoryEntry = z.object({
  seq: z.number().int(),
  ts: z.number().int(),
  alertId: z.string(),
  kind: z.enum(['fired', 'resolved', 'acknowledged', 'silenced', 'unsilenced']),
  actor: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AlertHistoryEntry = z.infer<typeof AlertHistoryEntry>;

/** One change of an objective's definition: who made it, when, and what it was before. */
export const SloChange = z.object({
  seq: z.number().int(),
  ts: z.number().int(),
  sloId: SloId,
  actor: z.string(),
  /** Null when the shipped default was changed for the first time. */
  before: SloDefinition.nullable(),
  after: SloDefinition,
});
export type SloChange = z.infer<typeof SloChange>;

const actor = z.string().trim().min(1, 'must not be empty').max(200);

export const sloChannels = {
  listSlos: { input: z.strictObject({}), output: z.array(SloStatus) },
  setSlo: { input: z.strictObject({ definition: SloDefinition, actor }), output: SloStatus },
  /** Every change of the objectives' definitions, newest first (optionally of one objective). */
  listSloChanges: { input: z.strictObject({ sloId: SloId.optional(), limit: z.number().int().min(1).max(1000).optional() }), output: z.array(SloChange) },
  listAlerts: {
    input: z.strictObject({ state: z.enum(['firing', 'resolved', 'all']).optional(), limit: z.number().int().min(1).max(1000).optional() }),
    output: z.object({ alerts: z.array(AlertView), history: z.array(AlertHistoryEntry) }),
  },
  acknowledgeAlert: { input: z.strictObject({ id: z.string().min(1).max(200), actor }), output: AlertView },
  silenceAlert: { input: z.strictObject({ id: z.string().min(1).max(200), actor, untilMs: z.number().int().positive() }), output: AlertView },
} as const;

/** Shipped defaults: editable in Settings and through the API. */
export const DEFAULT_SLOS: readonly SloDefinition[] = (() => {
  const rules: BurnRule[] = [
    // The multi-window pattern of Google's SRE workbook, with factors a 90–99% objective can reach
    // (a 90% target cannot burn faster than 10×).
    { name: 'fast-burn', severity: 'page', longWindowMs: hours(1), shortWindowMs: 300_000, factor: 5 },
    { name: 'slow-burn', severity: 'ticket', longWindowMs: hours(6), shortWindowMs: 1_800_000, factor: 2 },
  ];
  const week = hours(24 * 7);
  return [
    { id: 'task_success', name: 'Task success rate', description: 'Finished tasks that completed rather than failed (cancelled ones do not count).', kind: 'ratio', target: 0.9, windowMs: week, minEvents: 3, rules, enabled: true },
    { id: 'time_to_first_plan', name: 'Time to first plan', description: 'Tasks whose first plan was ready within the threshold (seconds) of submission.', kind: 'ratio', target: 0.9, threshold: 120, windowMs: week, minEvents: 3, rules, enabled: true },
    { id: 'council_review_latency_p95', name: 'Council review latency (p95)', description: '95% of council reviews finish within the threshold (seconds).', kind: 'ratio', target: 0.95, threshold: 300, windowMs: week, minEvents: 3, rules, enabled: true },
    { id: 'model_throughput', name: 'Model throughput', description: 'Generations that ran at or above the threshold (tokens per second), per model.', kind: 'ratio', target: 0.9, threshold: 5, windowMs: week, minEvents: 5, rules, enabled: true },
    { id: 'approval_wait', name: 'Approval wait time', description: 'Approvals answered within the threshold (seconds) of being asked.', kind: 'ratio', target: 0.9, threshold: 3600, windowMs: week, minEvents: 3, rules, enabled: true },
    { id: 'crash_recoveries', name: 'Crash recoveries', description: 'Tasks recovered after an unclean restart: at most maxEvents per window.', kind: 'budget', target: 0.99, maxEvents: 3, windowMs: week, minEvents: 1, rules, enabled: true },
    { id: 'sandbox_denials', name: 'Sandbox and tool denials', description: 'Commands and tool calls refused by the sandbox or the guard: at most maxEvents per window.', kind: 'budget', target: 0.99, maxEvents: 50, windowMs: week, minEvents: 1, rules, enabled: true },
  ];
})();

/**
 * Which journal records are decisions (signed one by one) and which records feed which section of
 * an audit bundle. Event types are matched by name so that types other areas add later (overrides,
 * waiver uses, applied changes) are covered without this file knowing each one in advance.
 */

/** Decisions: plan approval and every other approval or denial, verdicts, overrides, waivers used, applied changes. */
const DECISION_EXACT = new Set(['council.verdict', 'approval.granted', 'approval.denied']);
const DECISION_PATTERNS = [/overrid(e|den)/, /^waiver\.(used|applied)$/, /(^|\.)applied$/, /^change\.(applied|promoted)$/];

/** Types whose records are decisions only with some payloads (see `isDecision`). */
const CONDITIONAL = new Set(['step.effect', 'tool.called', 'tool.denied']);

/** Whether records of this type may be decisions (for queries that filter by type first). */
export function maybeDecisionType(type: string): boolean {
  return DECISION_EXACT.has(type) || CONDITIONAL.has(type) || DECISION_PATTERNS.some((p) => p.test(type));
}

/**
 * Whether a journal record is a decision someone is accountable for. Besides the decision types:
 * a change applied to the target (the apply phase's side effect, once applied), a tool call a human
 * approved, and a tool call a human refused.
 */
export function isDecision(type: string, payload: unknown): boolean {
  if (DECISION_EXACT.has(type) || DECISION_PATTERNS.some((p) => p.test(type))) return true;
  if (!CONDITIONAL.has(type) || payload === null || typeof payload !== 'object') return false;
  const p = payload as Record<string, unknown>;
  if (type === 'step.effect') return p['phase'] === 'applying' && p['status'] === 'applied';
  if (type === 'tool.called') return (p['allowedBy'] as { kind?: unknown } | undefined)?.kind === 'approval';
  return p['rule'] === 'approval_denied';
}

/** A task's record after which nothing more happens: its head gets signed. */
export const TERMINAL_TYPES = ['task.completed', 'task.failed', 'task.cancelled'] as const;
export const isTerminalType = (type: string): boolean => (TERMINAL_TYPES as readonly string[]).includes(type);

/** Journal records shown in each bundle section (besides the rows of that section's tables). */
export const SECTION_EVENT_MATCHERS = {
  verdicts: (t: string) => t === 'council.verdict' || /overrid(e|den)/.test(t),
  votes: (t: string) => t === 'council.vote',
  approvals: (t: string) => t.startsWith('approval.'),
  gateResults: (t: string) => t === 'gate.result',
  waivers: (t: string) => t.startsWith('waiver.'),
  // Table rows only (task_claims, task_criteria): the worker's claims also ride in iteration.evaluated records.
  claims: (_t: string) => false,
} as const;
export type EventSection = keyof typeof SECTION_EVENT_MATCHERS;
export const EVENT_SECTIONS = Object.keys(SECTION_EVENT_MATCHERS) as EventSection[];

/** What a decision signature says: this record, with this hash, in this task, was decided. */
export type DecisionStatement = {
  typ: 'agent-agency/decision';
  taskId: string;
  seq: number;
  taskSeq: number;
  type: string;
  recordHash: string;
  signedAt: number;
};

/** What a head signature says: the task's records up to this one are exactly these. */
export type TaskHeadStatement = {
  typ: 'agent-agency/task-head';
  taskId: string;
  seq: number;
  taskSeq: number;
  recordHash: string;
  signedAt: number;
};

/** The same for the whole journal (every task), signed periodically. */
export type ChainHeadStatement = {
  typ: 'agent-agency/chain-head';
  seq: number;
  recordHash: string;
  signedAt: number;
};

/** Signed by `signDecisionPayload` for callers that want a signature before they journal a decision. */
export type DecisionPayloadStatement = {
  typ: 'agent-agency/decision-payload';
  taskId: string;
  type: string;
  payload: unknown;
  signedAt: number;
};

import { z } from 'zod';
import { ErrorCode } from '../errors';
import { SchedulerDecisionPayload } from './scheduler';
import { ActiveStateKind, ApprovalGate, Task, TaskId, TaskState, TaskStateKind } from './task';

/** Who did something a human is accountable for, and from where. */
export const Actor = z.object({
  who: z.string().min(1).max(200),
  via: z.enum(['window', 'menu-bar', 'notification', 'cli', 'api', 'mcp', 'system']),
});
export type Actor = z.infer<typeof Actor>;

const phase = ActiveStateKind;

/** Payload schema of every event type in the progress stream, keyed by type. */
export const EVENT_PAYLOADS = {
  'task.created': z.object({ task: Task }),
  'task.state': z.object({ from: TaskState, to: TaskState, cause: z.string() }),
  'phase.started': z.object({ phase }),
  'phase.completed': z.object({ phase, durationMs: z.number().nonnegative() }),
  progress: z.object({ percent: z.number().min(0).max(100), message: z.string() }),
  /** A worker slot took up one attempt at a step (the engine journals it before the step runs). */
  'worker.assigned': z.object({
    workerId: z.string(),
    step: z.string(),
    phase: phase.optional(),
    attempt: z.number().int().positive().optional(),
  }),
  'model.tokens': z.object({ model: z.string(), role: z.string(), text: z.string(), count: z.number().int() }),
  'artifact.produced': z.object({ kind: z.string(), name: z.string(), sha256: z.string().optional() }),
  /** One quality gate's outcome; `mode`, `score`, `durationMs` and `waiverId` come from the gate runner. */
  'gate.result': z.object({
    gate: z.string(),
    status: z.enum(['pass', 'fail', 'warn', 'skip']),
    details: z.string(),
    mode: z.enum(['block', 'warn', 'skip']).optional(),
    score: z.number().min(0).max(1).optional(),
    durationMs: z.number().nonnegative().optional(),
    waiverId: z.string().optional(),
    runId: z.string().optional(),
  }),
  /** One judge's vote as it arrives; `round` > 1 is a debate round. */
  'council.vote': z.object({
    judgeId: z.string(),
    verdict: z.enum(['pass', 'fail', 'uncertain', 'needs-info', 'conditional']),
    confidence: z.number(),
    reasons: z.array(z.string()).optional(),
    round: z.number().int().min(1).optional(),
    subject: z.enum(['plan', 'change']).optional(),
    error: z.string().optional(),
  }),
  'council.verdict': z.object({
    decision: z.enum(['accept', 'reject', 'modify']),
    score: z.number(),
    verdictId: z.string().optional(),
    subject: z.enum(['plan', 'change']).optional(),
    threshold: z.number().optional(),
    vetoed: z.boolean().optional(),
    escalated: z.boolean().optional(),
    dissent: z.array(z.object({ judgeId: z.string(), verdict: z.enum(['pass', 'fail', 'uncertain', 'needs-info', 'conditional']), reasons: z.array(z.string()) })).optional(),
  }),
  'approval.requested': z.object({ gate: ApprovalGate, summary: z.string() }),
  /**
   * `scope` is set when the human also gave a standing approval with it; `standing` is set when no
   * human was asked: a standing approval (whose giver is `actor`) passed the gate on its own.
   */
  'approval.granted': z.object({
    gate: ApprovalGate,
    actor: Actor,
    scope: z.enum(['once', 'phase', 'task']).optional(),
    standing: z.object({ approvalId: z.number().int().positive(), scope: z.enum(['phase', 'task']) }).optional(),
  }),
  /** A human approved the rest of this gate kind (`phase`) or every remaining gate (`task`) of the task. */
  'approval.standing': z.object({
    approvalId: z.number().int().positive(),
    gate: ApprovalGate,
    scope: z.enum(['phase', 'task']),
    covers: z.array(ApprovalGate),
    actor: Actor,
  }),
  /** A standing approval was revoked; later gates stop for a human again. */
  'approval.revoked': z.object({ approvalId: z.number().int().positive(), gate: ApprovalGate, scope: z.enum(['phase', 'task']), actor: Actor }),
  'approval.denied': z.object({ gate: ApprovalGate, actor: Actor, reason: z.string() }),
  /** A worker iteration began; `guidance` counts the user's guidance notes it takes in. */
  'iteration.started': z.object({ iteration: z.number().int(), guidance: z.number().int().nonnegative().optional() }),
  /**
   * A worker iteration ended (or the loop stopped: then `stopReason` is set, on the last iteration's
   * number, or 0 when it stopped before the first). `outcome` says what became of the proposed change.
   */
  'iteration.evaluated': z.object({
    iteration: z.number().int(),
    score: z.number(),
    stopReason: z.string().optional(),
    outcome: z.string().optional(),
    rolledBack: z.boolean().optional(),
    /** The worker's own account of the change, and its confidence (0..1). */
    summary: z.string().optional(),
    confidence: z.number().optional(),
    /** What blocked or failed, or why the loop stopped, in words. */
    detail: z.string().optional(),
    files: z.number().int().nonnegative().optional(),
    linesAdded: z.number().int().nonnegative().optional(),
    linesRemoved: z.number().int().nonnegative().optional(),
    gates: z.array(z.object({ gate: z.string(), status: z.enum(['pass', 'fail', 'warn', 'skip']) })).optional(),
    /** The worker's claims about the change, each with its verdict and evidence (claims verifier). */
    claims: z
      .array(z.object({ kind: z.string(), subject: z.string(), text: z.string(), status: z.enum(['verified', 'refuted', 'unverifiable']), evidence: z.string() }))
      .max(40)
      .optional(),
  }),
  'model.swapped': z.object({ role: z.string(), from: z.string(), to: z.string() }),
  /** A task attachment was read into the knowledge base for planning, or could not be (`detail` says why). */
  'attachment.read': z.object({ name: z.string(), status: z.enum(['read', 'not_read']), extraction: z.string().nullable(), detail: z.string() }),
  /** Knowledge chunks given to a model for a decision, each named by source and location (cited in the prompt). */
  'knowledge.retrieved': z.object({
    purpose: z.enum(['plan']),
    chunks: z.array(z.object({ title: z.string(), source: z.string(), location: z.string(), extraction: z.string(), score: z.number() })).max(50),
  }),
  /** Journaled on a task whose inference call had to wait for a slot, and when it got one. */
  'scheduler.decision': SchedulerDecisionPayload,
  'task.paused': z.object({ actor: Actor }),
  'task.resumed': z.object({ actor: Actor }),
  'task.guidance': z.object({ actor: Actor, text: z.string() }),
  'task.cancelled': z.object({ actor: Actor, reason: z.string().optional() }),
  'task.completed': z.object({}),
  'task.failed': z.object({ reason: z.string() }),
  /** An active waiver changed a gate's outcome for this task (one use, counted against its maximum). */
  'waiver.used': z.object({ waiverId: z.string(), gate: z.string(), detail: z.string() }),
  /** A step attempt failed with a retryable error; the engine tries again after `delayMs`. */
  'step.retry': z.object({
    phase,
    attempt: z.number().int().positive(),
    code: ErrorCode,
    message: z.string(),
    delayMs: z.number().int().nonnegative(),
  }),
  /** A step's side effect, journaled as intended before it is acted on and again once applied. */
  'step.effect': z.object({ phase, key: z.string(), kind: z.string(), status: z.enum(['intent', 'applied']) }),
  /** A dependency's circuit breaker changed state (journaled on the task whose call changed it). */
  'breaker.state': z.object({
    dependency: z.string(),
    from: z.enum(['closed', 'open', 'half_open']),
    to: z.enum(['closed', 'open', 'half_open']),
    reason: z.string(),
  }),
  /** The engine found work cut short (a restart, or the watchdog) and retried or failed it. */
  'task.recovered': z.object({
    cause: z.enum(['restart', 'watchdog']),
    phase: TaskStateKind,
    action: z.enum(['retry', 'fail']),
    reason: z.string(),
  }),
  /** A human replaced the council's decision. */
  'council.overridden': z.object({
    actor: Actor,
    gate: ApprovalGate,
    decision: z.enum(['accept', 'reject']),
    reason: z.string(),
  }),
  /** A human changed the task's limits while it ran. */
  'task.modified': z.object({
    actor: Actor,
    maxIterations: z.number().int().positive().optional(),
    timeBudgetMs: z.number().int().positive().optional(),
  }),
  /** The task's workspace was cleaned up after it was cancelled. */
  'task.cleanup': z.object({ status: z.enum(['done', 'failed']), message: z.string() }),
  /** A dry-run's kept patch (checked by hash) was applied to the target afterwards, by a human. */
  'change.promoted': z.object({
    actor: Actor,
    patchSha256: z.string(),
    commit: z.string().nullable(),
    branch: z.string().nullable(),
    files: z.array(z.string()),
  }),
  /**
   * A governed MCP tool call ran (whatever its outcome). `arguments` has long strings shortened;
   * `argumentsSha256` covers the full canonical JSON, `resultSha256` the result as the server sent it.
   */
  'tool.called': z.object({
    callId: z.string(),
    server: z.string(),
    tool: z.string(),
    arguments: z.record(z.string(), z.unknown()),
    argumentsSha256: z.string(),
    resultSha256: z.string().nullable(),
    isError: z.boolean(),
    error: z.string().optional(),
    durationMs: z.number().nonnegative(),
    /** Who let the call through: the permission `always`, a standing grant, or a human just now. */
    allowedBy: z.object({
      kind: z.enum(['policy', 'grant', 'approval']),
      actor: Actor,
      scope: z.enum(['once', 'task', 'always']).optional(),
      grantId: z.number().int().optional(),
    }),
  }),
  /** A tool call was refused before it reached its server. */
  /** A command ran WITHOUT a sandbox because the user turned that on in Settings (no sandbox on this machine). */
  'sandbox.unsandboxed': z.object({ command: z.string(), cwd: z.string(), policy: z.string() }),
  /** The task was granted outbound network for the commands it causes (asked for on submit). */
  'sandbox.network_granted': z.object({ scope: z.literal('task'), detail: z.string() }),
  'tool.denied': z.object({
    callId: z.string(),
    server: z.string().nullable(),
    tool: z.string(),
    arguments: z.record(z.string(), z.unknown()),
    argumentsSha256: z.string(),
    rule: z.enum(['unknown_tool', 'ambiguous', 'permission', 'approval_denied', 'path', 'budget', 'server_unavailable', 'invalid_arguments']),
    reason: z.string(),
    actor: Actor.optional(),
    path: z.string().optional(),
  }),
} as const;

export type EventType = keyof typeof EVENT_PAYLOADS;
export const EVENT_TYPES = Object.keys(EVENT_PAYLOADS) as EventType[];
export const EventTypeSchema = z.enum(EVENT_TYPES as [EventType, ...EventType[]]);

export type EventPayload<T extends EventType> = z.infer<(typeof EVENT_PAYLOADS)[T]>;

const envelope = {
  /** Global, gap-free order of the journal. */
  seq: z.number().int().positive(),
  taskId: TaskId,
  /** Order within the task. */
  taskSeq: z.number().int().positive(),
  ts: z.number().int(),
};

type EnvelopeFor<T extends EventType> = z.ZodObject<
  typeof envelope & { type: z.ZodLiteral<T>; payload: (typeof EVENT_PAYLOADS)[T] }
>;

function eventSchemaFor<T extends EventType>(type: T): EnvelopeFor<T> {
  return z.object({ ...envelope, type: z.literal(type), payload: EVENT_PAYLOADS[type] }) as unknown as EnvelopeFor<T>;
}

/** Parses one journal record; its output type is the precise union below. */
export const AgentEvent = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map((t) => eventSchemaFor(t)) as unknown as [EnvelopeFor<EventType>, ...EnvelopeFor<EventType>[]],
) as unknown as z.ZodType<AgentEvent>;

/** One journal record, narrowed by its `type`. */
export type AgentEvent = {
  [T in EventType]: { seq: number; taskId: TaskId; taskSeq: number; ts: number; type: T; payload: EventPayload<T> };
}[EventType];

/** What a producer hands the journal; it assigns the sequence numbers and timestamp. */
export type NewEvent = { [T in EventType]: { type: T; payload: EventPayload<T> } }[EventType];

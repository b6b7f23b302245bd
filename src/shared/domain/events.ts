import { z } from 'zod';
import { ActiveStateKind, ApprovalGate, Task, TaskId, TaskState } from './task';

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
  'worker.assigned': z.object({ workerId: z.string(), step: z.string() }),
  'model.tokens': z.object({ model: z.string(), role: z.string(), text: z.string(), count: z.number().int() }),
  'artifact.produced': z.object({ kind: z.string(), name: z.string(), sha256: z.string().optional() }),
  'gate.result': z.object({ gate: z.string(), status: z.enum(['pass', 'fail', 'warn', 'skip']), details: z.string() }),
  'council.vote': z.object({ judgeId: z.string(), verdict: z.enum(['pass', 'fail', 'uncertain']), confidence: z.number() }),
  'council.verdict': z.object({ decision: z.enum(['accept', 'reject', 'modify']), score: z.number() }),
  'approval.requested': z.object({ gate: ApprovalGate, summary: z.string() }),
  'approval.granted': z.object({ gate: ApprovalGate, actor: Actor }),
  'approval.denied': z.object({ gate: ApprovalGate, actor: Actor, reason: z.string() }),
  'iteration.started': z.object({ iteration: z.number().int() }),
  'iteration.evaluated': z.object({ iteration: z.number().int(), score: z.number(), stopReason: z.string().optional() }),
  'model.swapped': z.object({ role: z.string(), from: z.string(), to: z.string() }),
  'scheduler.decision': z.object({ level: z.string(), slots: z.number().int(), reason: z.string() }),
  'task.paused': z.object({ actor: Actor }),
  'task.resumed': z.object({ actor: Actor }),
  'task.guidance': z.object({ actor: Actor, text: z.string() }),
  'task.cancelled': z.object({ actor: Actor, reason: z.string().optional() }),
  'task.completed': z.object({}),
  'task.failed': z.object({ reason: z.string() }),
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

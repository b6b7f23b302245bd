import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { AgentEvent } from '../../../shared/domain/events';
import { spanIdOf, traceIdOf } from '../observability/trace-id';
import type { FinishedRun } from '../sandbox/sandbox-service';
import type { TaskIdGenerator } from './task-id-generator';

type TaskTrace = {
  root: Span;
  phases: Map<string, Span>;
  /** The open worker iteration, inside the executing phase. */
  iteration?: Span;
  /** When each role's latest model call began, so a judge's vote span covers its thinking. */
  callStarts: Map<string, number>;
};

const ENDINGS = new Set(['task.completed', 'task.failed', 'task.cancelled']);
/** Events drawn as spans or folded into them; every other event is a span event on the innermost span. */
const SPANNED = new Set(['task.created', 'phase.started', 'phase.completed', 'iteration.started', 'iteration.evaluated', 'council.vote', 'gate.result', 'tool.called', 'tool.denied', 'model.tokens', ...ENDINGS]);

/**
 * Builds each task's OpenTelemetry trace from its journal: the task is the root span, each phase and
 * worker iteration a child, each judge's vote, gate, tool call and (through `startModelCall`) model
 * call a span inside the phase it happened in. Times are the journal's own, so a span shows when the
 * engine recorded the work, not when this listener heard of it.
 */
export class TaskTracer {
  private readonly tasks = new Map<string, TaskTrace>();

  constructor(
    private readonly tracer: Tracer,
    private readonly ids: TaskIdGenerator,
    private readonly onTaskEnded: () => void = () => undefined,
  ) {}

  /** A journal listener: `journal.subscribe(tracer.listener)`. */
  readonly listener = (event: AgentEvent): void => {
    const t = this.taskFor(event);
    switch (event.type) {
      case 'phase.started': {
        t.phases.get(event.payload.phase)?.end(event.ts);
        this.ids.useSpanId(spanIdOf(event.taskId, `phase:${event.seq}`));
        const span = this.tracer.startSpan(`phase ${event.payload.phase}`, { startTime: event.ts, attributes: { 'agent_agency.phase': event.payload.phase } }, trace.setSpan(ROOT_CONTEXT, t.root));
        t.phases.set(event.payload.phase, span);
        return;
      }
      case 'phase.completed': {
        const span = t.phases.get(event.payload.phase);
        if (!span) return;
        span.setAttribute('agent_agency.phase.duration_ms', event.payload.durationMs);
        span.end(event.ts);
        t.phases.delete(event.payload.phase);
        return;
      }
      case 'iteration.started': {
        t.iteration?.end(event.ts);
        t.iteration = this.tracer.startSpan(`iteration ${event.payload.iteration}`, { startTime: event.ts, attributes: { 'agent_agency.iteration': event.payload.iteration } }, this.phaseContext(t));
        return;
      }
      case 'iteration.evaluated': {
        const span = t.iteration;
        if (!span) return;
        const p = event.payload;
        span.setAttributes(defined({ 'agent_agency.iteration.score': p.score, 'agent_agency.iteration.outcome': p.outcome, 'agent_agency.iteration.stop_reason': p.stopReason, 'agent_agency.iteration.files': p.files }));
        span.end(event.ts);
        t.iteration = undefined;
        return;
      }
      case 'council.vote': {
        const p = event.payload;
        const began = t.callStarts.get(`judge.${p.judgeId}`);
        const start = began !== undefined && began <= event.ts ? began : event.ts;
        const span = this.tracer.startSpan(`judge ${p.judgeId}`, {
          startTime: start,
          attributes: defined({ 'agent_agency.judge.id': p.judgeId, 'agent_agency.judge.verdict': p.verdict, 'agent_agency.judge.confidence': p.confidence, 'agent_agency.judge.round': p.round ?? 1, 'agent_agency.review.subject': p.subject, 'agent_agency.judge.error': p.error }),
        }, this.phaseContext(t));
        if (p.error) span.setStatus({ code: SpanStatusCode.ERROR, message: p.error });
        span.end(event.ts);
        return;
      }
      case 'gate.result': {
        const p = event.payload;
        const span = this.tracer.startSpan(`gate ${p.gate}`, {
          startTime: event.ts - (p.durationMs ?? 0),
          attributes: defined({ 'agent_agency.gate.name': p.gate, 'agent_agency.gate.status': p.status, 'agent_agency.gate.mode': p.mode, 'agent_agency.gate.score': p.score, 'agent_agency.gate.waiver_id': p.waiverId, 'agent_agency.gate.details': p.details.slice(0, 500) }),
        }, this.phaseContext(t));
        if (p.status === 'fail') span.setStatus({ code: SpanStatusCode.ERROR, message: `${p.gate} failed` });
        span.end(event.ts);
        return;
      }
      case 'tool.called': {
        const p = event.payload;
        const span = this.tracer.startSpan(`execute_tool ${p.tool}`, {
          kind: SpanKind.CLIENT,
          startTime: event.ts - p.durationMs,
          attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': p.tool, 'gen_ai.tool.call.id': p.callId, 'agent_agency.tool.server': p.server, 'agent_agency.tool.allowed_by': p.allowedBy.kind },
        }, this.phaseContext(t));
        if (p.isError) span.setStatus({ code: SpanStatusCode.ERROR, message: p.error ?? 'the tool returned an error' });
        span.end(event.ts);
        return;
      }
      case 'tool.denied': {
        const p = event.payload;
        const span = this.tracer.startSpan(`execute_tool ${p.tool}`, {
          startTime: event.ts,
          attributes: defined({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': p.tool, 'gen_ai.tool.call.id': p.callId, 'agent_agency.tool.server': p.server ?? undefined, 'agent_agency.tool.denied_rule': p.rule }),
        }, this.phaseContext(t));
        span.setStatus({ code: SpanStatusCode.ERROR, message: `denied (${p.rule}): ${p.reason}` });
        span.end(event.ts);
        return;
      }
      case 'task.completed':
      case 'task.failed':
      case 'task.cancelled':
        this.endTask(event, t);
        return;
      default:
        if (!SPANNED.has(event.type)) this.innermost(t).addEvent(event.type, eventAttributes(event), event.ts);
    }
  };

  /**
   * A model call's span, inside the task's current iteration or phase. The caller ends it; `startedAt`
   * is remembered per role so the judge's vote span starts when its thinking did.
   */
  startModelCall(taskId: string, role: string, operation: string, startedAt: number): Span {
    const t = this.tasks.get(taskId);
    t?.callStarts.set(role, startedAt);
    const parent = t ? trace.setSpan(ROOT_CONTEXT, this.innermost(t)) : ROOT_CONTEXT;
    return this.tracer.startSpan(`${operation} ${role}`, { kind: SpanKind.CLIENT, startTime: startedAt, attributes: { 'gen_ai.operation.name': operation, 'agent_agency.model.role': role, 'agent_agency.task.id': taskId } }, parent);
  }

  /** A sandboxed command that ended at `endedAt`, as a span inside the task's innermost open span. */
  sandboxRun(taskId: string, run: FinishedRun, endedAt: number): void {
    const t = this.tasks.get(taskId);
    if (!t) return;
    const argv = typeof run.command === 'string' ? run.command : run.command.join(' ');
    const r = run.result;
    const program = argv.replace(/^[\s(]+/, '').split(/\s+/)[0] ?? '';
    const span = this.tracer.startSpan(`sandbox ${program}`.trim(), {
      startTime: endedAt - r.durationMs,
      attributes: defined({ 'process.command_line': argv.slice(0, 500), 'process.exit.code': r.exitCode ?? undefined, 'agent_agency.sandbox': r.sandbox, 'agent_agency.sandbox.denial': r.denial?.kind, 'agent_agency.sandbox.truncated': r.truncated }),
    }, trace.setSpan(ROOT_CONTEXT, this.innermost(t)));
    if (r.denial || r.exitCode !== 0) span.setStatus({ code: SpanStatusCode.ERROR, message: r.denial?.message ?? `exit ${r.exitCode ?? r.signal ?? 'unknown'}` });
    span.end(endedAt);
  }

  /** The task's trace id and each open phase's span id (for the task page). */
  openSpans(taskId: string): { traceId: string; phases: Record<string, string> } | null {
    const t = this.tasks.get(taskId);
    if (!t) return null;
    return { traceId: t.root.spanContext().traceId, phases: Object.fromEntries([...t.phases].map(([k, s]) => [k, s.spanContext().spanId])) };
  }

  private taskFor(event: AgentEvent): TaskTrace {
    let t = this.tasks.get(event.taskId);
    if (t) return t;
    // A task seen first mid-way (the app restarted) still gets its own trace id.
    this.ids.useTraceId(traceIdOf(event.taskId));
    const attributes: Attributes = { 'agent_agency.task.id': event.taskId, 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'agent-agency' };
    if (event.type === 'task.created') {
      const task = event.payload.task;
      Object.assign(attributes, { 'agent_agency.task.mode': task.mode, 'agent_agency.task.risk_tier': task.riskTier });
    }
    const root = this.tracer.startSpan(`task ${event.taskId}`, { kind: SpanKind.INTERNAL, startTime: event.ts, attributes, root: true });
    t = { root, phases: new Map(), callStarts: new Map() };
    this.tasks.set(event.taskId, t);
    return t;
  }

  private phaseContext(t: TaskTrace): Context {
    const phases = [...t.phases.values()];
    return trace.setSpan(ROOT_CONTEXT, phases.at(-1) ?? t.root);
  }

  private innermost(t: TaskTrace): Span {
    return t.iteration ?? [...t.phases.values()].at(-1) ?? t.root;
  }

  private endTask(event: AgentEvent, t: TaskTrace): void {
    t.iteration?.end(event.ts);
    for (const span of t.phases.values()) span.end(event.ts);
    t.root.setAttribute('agent_agency.task.outcome', event.type.slice('task.'.length));
    if (event.type === 'task.failed') t.root.setStatus({ code: SpanStatusCode.ERROR, message: event.payload.reason });
    else if (event.type === 'task.completed') t.root.setStatus({ code: SpanStatusCode.OK });
    t.root.end(event.ts);
    this.tasks.delete(event.taskId);
    this.onTaskEnded();
  }
}

function defined(attributes: Record<string, string | number | boolean | undefined>): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined)) as Attributes;
}

/** A journal event as span-event attributes: scalar payload fields only, strings shortened. */
function eventAttributes(event: AgentEvent): Attributes {
  const out: Attributes = { 'agent_agency.event.seq': event.seq };
  for (const [k, v] of Object.entries(event.payload as Record<string, unknown>)) {
    if (typeof v === 'string') out[`agent_agency.${k}`] = v.slice(0, 300);
    else if (typeof v === 'number' || typeof v === 'boolean') out[`agent_agency.${k}`] = v;
  }
  return out;
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentEvent } from '../../../shared/domain/events';
import type { Core } from '../../core/composition/app-core';
import { followJournal } from './follow';
import { HTTP_STATUS, errorBody } from './status';

export type SseOptions = {
  /** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
  heartbeatMs: number;
  /** A client this far behind is disconnected; it resumes with Last-Event-ID. */
  maxBufferedBytes: number;
  /** Called with a function that ends the stream (the host ends every stream when it closes). */
  onOpen?(end: () => void): void;
  onClose?(end: () => void): void;
  onEvent?(): void;
};

/** One event's SSE frame, serialized once however many streams carry it (they share the object). */
const frames = new WeakMap<AgentEvent, string>();
function frameOf(event: AgentEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame = `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
    frames.set(event, frame);
  }
  return frame;
}

/**
 * Streams journal events as Server-Sent Events through the contract's `subscribe` channel. Each
 * event's `id:` is its global sequence number, so a client that reconnects with Last-Event-ID (or
 * `?after=`) gets exactly the events it missed, in order, then the live ones.
 */
export async function streamEvents(
  core: Core,
  request: FastifyRequest,
  reply: FastifyReply,
  route: { taskId: unknown; defaultAfter: number | undefined },
  options: SseOptions,
): Promise<void> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  const lastEventId = request.headers['last-event-id'];
  // A reconnecting EventSource repeats its original URL, so the header is the fresher position.
  const source = lastEventId !== undefined ? 'Last-Event-ID' : query['after'] !== undefined ? 'after' : undefined;
  const rawAfter = source === 'Last-Event-ID' ? lastEventId : source === 'after' ? query['after'] : route.defaultAfter;
  const afterSeq = typeof rawAfter === 'string' && /^\d+$/.test(rawAfter.trim()) ? Number(rawAfter) : rawAfter;

  const res = reply.raw;
  let opened = false;
  const pending: AgentEvent[] = [];
  const write = (event: AgentEvent) => {
    if (res.destroyed) return;
    res.write(frameOf(event));
    options.onEvent?.();
    if (res.writableLength > options.maxBufferedBytes) res.destroy();
  };
  // The backlog is delivered before followJournal returns, that is before the headers are sent.
  const follow = await followJournal(core, { taskId: route.taskId, afterSeq }, (event) => (opened ? write(event) : pending.push(event)));
  if (!follow.ok) {
    // Name the parameter the client actually sent, not the contract field it fills.
    const issues = follow.error.issues?.map((i) => (i.path === 'afterSeq' ? { ...i, path: source ?? 'after' } : i));
    const error = issues ? { ...follow.error, issues, message: issues.map((i) => `${i.path}: ${i.message}`).join('; ') } : follow.error;
    await reply.code(HTTP_STATUS[error.code]).send(errorBody(error));
    return;
  }

  reply.hijack();
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Content-Type-Options': 'nosniff',
    // Tells reverse proxies not to hold events back.
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  opened = true;
  for (const event of pending.splice(0)) write(event);

  // Ends the stream and its connection: a kept-alive socket would hold the closing host open.
  const socket = res.socket;
  const end = () => res.end(() => socket?.destroy());
  options.onOpen?.(end);
  let closed = false;
  const heartbeat = setInterval(() => {
    if (!res.destroyed) res.write(': ping\n\n');
  }, options.heartbeatMs);
  heartbeat.unref();
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    follow.value.close();
    options.onClose?.(end);
  };
  request.raw.on('close', close);
  res.on('close', close);
  if (res.destroyed) close();
}

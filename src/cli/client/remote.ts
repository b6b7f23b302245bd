import { z } from 'zod';
import { channels, type ChannelInput, type ChannelName, type ChannelOutput } from '../../shared/contract';
import { AgentEvent } from '../../shared/domain/events';
import { AppErrorSchema, err, ok, type AppError, type Result } from '../../shared/errors';
import { resolveRoutes } from '../../main/server/api/served-routes';
import { API_PREFIX, bodyCarriesInput, paramField, pathParams, ROUTES, type RestRoute } from '../../main/server/api/routes';
import { readSse } from '../../main/server/api/sse-reader';
import type { AgencyClient, Subscription } from './types';

export type RemoteOptions = {
  url: string;
  token: string;
  /** Longest a single call may take. */
  timeoutMs?: number;
  /** Consecutive failed reconnects of an event stream before giving up. */
  maxReconnects?: number;
};

const Reply = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: AppErrorSchema }),
]);

/** Names this client to the instance's rate limiter, so scripts do not eat the window's budget. */
const CLIENT_ID = 'agent-agency-cli';

/**
 * A running instance over its REST API. Requests are built from the same route table the server
 * serves, so a channel call becomes exactly the HTTP request the server maps back onto it.
 */
export class RemoteClient implements AgencyClient {
  readonly kind = 'remote' as const;
  readonly runsTasks = undefined;
  readonly location: string;
  private readonly routes: Map<string, RestRoute>;
  private readonly streams = new Set<Subscription>();

  constructor(private readonly options: RemoteOptions) {
    this.location = options.url;
    this.routes = new Map();
    for (const { route } of resolveRoutes(ROUTES).served) {
      if (!route.stream && !this.routes.has(route.channel)) this.routes.set(route.channel, route);
    }
  }

  has(channel: string): boolean {
    return this.routes.has(channel);
  }

  async call<C extends ChannelName>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>> {
    const reply = await this.callByName(channel, input);
    if (!reply.ok) return reply;
    // The reply crossed a process boundary: it is checked against the contract like any input.
    const value = channels[channel].output.safeParse(reply.value);
    if (!value.success) return err('internal', `the instance answered ${channel} with data this version does not understand`);
    return ok(value.data as ChannelOutput<C>);
  }

  async callByName(channel: string, input: unknown): Promise<Result<unknown>> {
    const route = this.routes.get(channel);
    if (!route) return err('unavailable', `${channel} is not available over the REST API in this version`);
    const fields: Record<string, unknown> = { ...(input as Record<string, unknown>) };
    let path = route.path;
    for (const param of pathParams(route.path)) {
      const field = paramField(route, param);
      const value = fields[field];
      if (typeof value !== 'string' || value === '') return err('invalid_input', `${field}: is required`, [{ path: field, message: 'is required' }]);
      path = path.replace(`:${param}`, encodeURIComponent(value));
      delete fields[field];
    }
    const url = new URL(`${API_PREFIX}${path}`, this.options.url);
    let body: string | undefined;
    if (bodyCarriesInput(route.method)) body = JSON.stringify(fields);
    else {
      for (const [key, value] of Object.entries(fields)) {
        if (value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, typeof v === 'object' ? JSON.stringify(v) : String(v));
      }
    }
    const reply = await this.request(route.method, url, body);
    if (!reply.ok) return reply;
    const parsed = Reply.safeParse(reply.value);
    if (!parsed.success) return err('internal', `unexpected reply from ${this.options.url} to ${route.method} ${url.pathname}`);
    if (!parsed.data.ok) return { ok: false, error: parsed.data.error };
    return ok(parsed.data.value);
  }

  async follow(
    filter: { taskId?: string; afterSeq?: number },
    onEvent: (event: AgentEvent) => void,
    onLost?: (error: AppError) => void,
  ): Promise<Result<Subscription>> {
    const path = filter.taskId ? `${API_PREFIX}/tasks/${encodeURIComponent(filter.taskId)}/events` : `${API_PREFIX}/events`;
    let lastSeq = filter.afterSeq;
    let closed = false;
    let controller = new AbortController();
    const connect = async (): Promise<Result<Response>> => {
      controller = new AbortController();
      const url = new URL(path, this.options.url);
      if (filter.afterSeq !== undefined) url.searchParams.set('after', String(filter.afterSeq));
      const headers: Record<string, string> = { ...this.headers(), accept: 'text/event-stream' };
      if (lastSeq !== undefined) headers['last-event-id'] = String(lastSeq);
      try {
        const res = await fetch(url, { headers, signal: controller.signal });
        if (res.status === 200 && res.body) return ok(res);
        return { ok: false, error: await errorOf(res) };
      } catch (e) {
        return err('unavailable', `cannot reach ${this.options.url}: ${describe(e)}`);
      }
    };
    const pump = async (res: Response): Promise<void> => {
      try {
        for await (const message of readSse(res.body!)) {
          const event = AgentEvent.safeParse(JSON.parse(message.data));
          if (!event.success) continue;
          if (lastSeq !== undefined && event.data.seq <= lastSeq) continue;
          lastSeq = event.data.seq;
          if (!closed) onEvent(event.data);
        }
      } catch {
        // The connection dropped; resumed below.
      }
    };

    const first = await connect();
    if (!first.ok) return first;
    const sub: Subscription = {
      close: () => {
        closed = true;
        controller.abort();
        this.streams.delete(sub);
      },
    };
    this.streams.add(sub);
    void (async () => {
      let res: Response = first.value;
      const max = this.options.maxReconnects ?? 10;
      for (;;) {
        await pump(res);
        if (closed) return;
        let failures = 0;
        let next: Result<Response> | undefined;
        while (!closed && failures < max) {
          await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** failures)));
          next = await connect();
          if (next.ok || next.error.code === 'not_found' || next.error.code === 'unauthorized') break;
          failures++;
        }
        if (closed) return;
        if (!next?.ok) {
          sub.close();
          onLost?.(next?.error ?? { code: 'unavailable', message: 'the event stream ended' });
          return;
        }
        res = next.value;
      }
    })();
    return ok(sub);
  }

  async close(): Promise<void> {
    for (const s of [...this.streams]) s.close();
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.options.token}`, 'x-client-id': CLIENT_ID };
  }

  private async request(method: string, url: URL, body: string | undefined): Promise<Result<unknown>> {
    const headers: Record<string, string> = this.headers();
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000) });
    } catch (e) {
      if (e instanceof Error && e.name === 'TimeoutError') return err('timeout', `${this.options.url} did not answer in time`);
      return err('unavailable', `cannot reach ${this.options.url}: ${describe(e)}`);
    }
    const text = await res.text();
    try {
      return ok(JSON.parse(text));
    } catch {
      return err('internal', `${this.options.url} answered ${res.status} without JSON`);
    }
  }
}

async function errorOf(res: Response): Promise<AppError> {
  try {
    const parsed = Reply.safeParse(await res.json());
    if (parsed.success && !parsed.data.ok) return parsed.data.error;
  } catch {
    // Not JSON; described by its status below.
  }
  return { code: res.status === 401 ? 'unauthorized' : res.status === 404 ? 'not_found' : 'internal', message: `HTTP ${res.status}` };
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: { code?: string } }).cause;
    return cause?.code ?? e.message;
  }
  return String(e);
}

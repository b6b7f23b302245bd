import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AppFailure, describeZodError, type ErrorCode } from '../../../shared/errors';
import type { Core } from '../../core/composition/app-core';
import { isAbortError } from '../../core/models/abort';
import type { ChatMessage, GenerateOptions, Generation, ModelClient } from '../../core/models/types';
import { bearerToken } from '../access';
import { ChatCompletionRequest, CompletionRequest, EmbeddingRequest, type ChatMessageIn } from './schemas';

const STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  cancelled: 499,
  internal: 500,
  unavailable: 503,
  timeout: 504,
};

/** The error body OpenAI clients understand. */
function errorBody(message: string, type: string, code: string | null) {
  return { error: { message, type, param: null, code } };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

function toHttp(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (e instanceof AppFailure) {
    const status = STATUS[e.code];
    return new HttpError(status, e.message, status < 500 ? 'invalid_request_error' : 'server_error', e.code);
  }
  if (isAbortError(e)) return new HttpError(499, 'the request was cancelled', 'invalid_request_error', 'cancelled');
  return new HttpError(500, 'internal error; see the app log', 'server_error', 'internal');
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error).message, 'invalid_request_error', 'invalid_input');
  return parsed.data;
}

const id = (prefix: string) => `${prefix}-${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

/**
 * The registered models behind an OpenAI-compatible API on the headless host: `/v1/models`,
 * `/v1/chat/completions` (streaming and `json_schema` response format), `/v1/completions` and
 * `/v1/embeddings`, all behind the host's API token as a Bearer token. Calls go through the model
 * service, so they are admitted by the scheduler and never unload a model mid-call.
 */
export function registerOpenAiRoutes(app: FastifyInstance, core: Core): void {
  void app.register(
    async (scope) => {
      scope.addHook('onRequest', async (request, reply) => {
        if (!core.apiToken.matches(bearerToken(request.headers.authorization))) {
          return reply.code(401).send(errorBody('missing or wrong API token (send it as a Bearer token)', 'invalid_request_error', 'invalid_api_key'));
        }
      });
      scope.setErrorHandler((e, _request, reply) => {
        const status = (e as { statusCode?: number }).statusCode;
        if (status && status >= 400 && status < 500) {
          return reply.code(status).send(errorBody(e instanceof Error ? e.message : 'bad request', 'invalid_request_error', 'invalid_input'));
        }
        core.logger.error({ err: e }, 'openai endpoint failed');
        return reply.code(500).send(errorBody('internal error; see the app log', 'server_error', 'internal'));
      });

      scope.get('/models', async () => ({
        object: 'list',
        data: core.models.registry.list().map((m) => ({ id: m.name, object: 'model', created: Math.floor(m.addedAt / 1000), owned_by: 'agent-agency' })),
      }));

      scope.get<{ Params: { model: string } }>('/models/:model', async (request, reply) => {
        const m = core.models.registry.get(request.params.model);
        if (!m) return reply.code(404).send(errorBody(`The model ${request.params.model} does not exist`, 'invalid_request_error', 'model_not_found'));
        return { id: m.name, object: 'model', created: Math.floor(m.addedAt / 1000), owned_by: 'agent-agency' };
      });

      scope.post('/chat/completions', (request, reply) => handle(reply, () => chatCompletion(core, request, reply)));
      scope.post('/completions', (request, reply) => handle(reply, () => completion(core, request, reply)));
      scope.post('/embeddings', (request, reply) => handle(reply, () => embeddings(core, request)));
    },
    { prefix: '/v1' },
  );
}

async function handle(reply: FastifyReply, work: () => Promise<unknown>): Promise<unknown> {
  try {
    const body = await work();
    return reply.sent ? undefined : reply.send(body);
  } catch (e) {
    const http = toHttp(e);
    if (reply.sent || reply.raw.headersSent) return undefined;
    return reply.code(http.status).send(errorBody(http.message, http.type, http.code));
  }
}

function clientFor(core: Core, model: string): ModelClient {
  if (!core.models.registry.get(model)) throw new HttpError(404, `The model ${model} does not exist`, 'invalid_request_error', 'model_not_found');
  return core.models.clientForModel(model);
}

function toMessages(messages: Array<z.infer<typeof ChatMessageIn>>): ChatMessage[] {
  return messages.map((m) => ({
    role: m.role === 'developer' ? 'system' : m.role,
    content: m.content === null ? '' : typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join(''),
  }));
}

/** Aborts the model call when the client goes away. */
function disconnectSignal(request: FastifyRequest, reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  request.raw.on('aborted', () => controller.abort());
  return controller.signal;
}

function stopList(stop: string | string[] | null | undefined): string[] | undefined {
  if (stop === null || stop === undefined) return undefined;
  return Array.isArray(stop) ? stop : [stop];
}

async function chatCompletion(core: Core, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const body = parse(ChatCompletionRequest, request.body);
  const client = clientFor(core, body.model);
  const messages = toMessages(body.messages);
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const stop = stopList(body.stop);
  const signal = disconnectSignal(request, reply);
  const options: GenerateOptions = {
    ...(maxTokens ? { maxTokens } : {}),
    ...(body.temperature !== null && body.temperature !== undefined ? { temperature: body.temperature } : {}),
    ...(stop ? { stop } : {}),
    signal,
    priority: 'interactive',
  };
  const format = body.response_format;
  const schema = format?.type === 'json_schema' ? format.json_schema.schema : format?.type === 'json_object' ? { type: 'object' } : undefined;
  const run = (o: GenerateOptions): Promise<Generation> =>
    schema ? client.generateJson(messages, schema, o).then((r) => r.generation) : client.chat(messages, o);
  const completionId = id('chatcmpl');
  const created = now();
  const promptTokens = await client.countTokens(messages.map((m) => m.content).join('\n'));
  const finish = (g: Generation) => (g.stopReason === 'length' || (maxTokens !== undefined && g.tokens >= maxTokens) ? 'length' : 'stop');
  const usage = (g: Generation) => ({ prompt_tokens: promptTokens, completion_tokens: g.tokens, total_tokens: promptTokens + g.tokens });

  if (!body.stream) {
    const g = await run(options);
    return {
      id: completionId,
      object: 'chat.completion',
      created,
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: g.text, refusal: null }, logprobs: null, finish_reason: finish(g) }],
      usage: usage(g),
    };
  }
  const sse = openSse(reply);
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
    id: completionId,
    object: 'chat.completion.chunk',
    created,
    model: body.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
  sse.send(chunk({ role: 'assistant', content: '' }, null));
  try {
    const g = await run({ ...options, onToken: (text) => sse.send(chunk({ content: text }, null)) });
    sse.send(chunk({}, finish(g)));
    if (body.stream_options?.include_usage) sse.send({ id: completionId, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage: usage(g) });
    sse.done();
  } catch (e) {
    sse.fail(e);
  }
  return undefined;
}

async function completion(core: Core, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const body = parse(CompletionRequest, request.body);
  const client = clientFor(core, body.model);
  const prompt = Array.isArray(body.prompt) ? body.prompt[0]! : body.prompt;
  const stop = stopList(body.stop);
  const options: GenerateOptions = {
    ...(body.max_tokens ? { maxTokens: body.max_tokens } : {}),
    ...(body.temperature !== null && body.temperature !== undefined ? { temperature: body.temperature } : {}),
    ...(stop ? { stop } : {}),
    signal: disconnectSignal(request, reply),
    priority: 'interactive',
  };
  const completionId = id('cmpl');
  const created = now();
  const promptTokens = await client.countTokens(prompt);
  const finish = (g: Generation) => (g.stopReason === 'length' || (body.max_tokens && g.tokens >= body.max_tokens) ? 'length' : 'stop');
  const usage = (g: Generation) => ({ prompt_tokens: promptTokens, completion_tokens: g.tokens, total_tokens: promptTokens + g.tokens });
  if (!body.stream) {
    const g = await client.complete(prompt, options);
    return {
      id: completionId,
      object: 'text_completion',
      created,
      model: body.model,
      choices: [{ index: 0, text: g.text, logprobs: null, finish_reason: finish(g) }],
      usage: usage(g),
    };
  }
  const sse = openSse(reply);
  const chunk = (text: string, finishReason: string | null) => ({
    id: completionId,
    object: 'text_completion',
    created,
    model: body.model,
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
  });
  try {
    const g = await client.complete(prompt, { ...options, onToken: (text) => sse.send(chunk(text, null)) });
    sse.send(chunk('', finish(g)));
    if (body.stream_options?.include_usage) sse.send({ id: completionId, object: 'text_completion', created, model: body.model, choices: [], usage: usage(g) });
    sse.done();
  } catch (e) {
    sse.fail(e);
  }
  return undefined;
}

async function embeddings(core: Core, request: FastifyRequest): Promise<unknown> {
  const body = parse(EmbeddingRequest, request.body);
  const client = clientFor(core, body.model);
  const input = Array.isArray(body.input) ? body.input : [body.input];
  const vectors = await client.embed(input);
  let tokens = 0;
  for (const text of input) tokens += await client.countTokens(text);
  return {
    object: 'list',
    model: body.model,
    data: vectors.map((v, index) => ({
      object: 'embedding',
      index,
      // The official client asks for base64 (little-endian float32) by default.
      embedding: body.encoding_format === 'base64' ? Buffer.from(Float32Array.from(v).buffer).toString('base64') : v,
    })),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/** A server-sent-events reply written straight to the socket (Fastify steps aside). */
function openSse(reply: FastifyReply) {
  reply.hijack();
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-content-type-options': 'nosniff',
  });
  const write = (data: string) => {
    if (!reply.raw.writableEnded && !reply.raw.destroyed) reply.raw.write(`data: ${data}\n\n`);
  };
  return {
    send: (value: unknown) => write(JSON.stringify(value)),
    done: () => {
      write('[DONE]');
      reply.raw.end();
    },
    /** An error after the stream started can only travel inside it. */
    fail: (e: unknown) => {
      const http = toHttp(e);
      write(JSON.stringify(errorBody(http.message, http.type, http.code)));
      reply.raw.end();
    },
  };
}

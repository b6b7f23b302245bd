import { z } from 'zod';
import { AppFailure, type ErrorCode } from '../../../../shared/errors';
import type { Clock } from '../../journal/journal';
import { abortError, anySignal } from '../abort';
import { nonFinitePath, parseJsonSchema } from '../json-schema';
import type { LoadedModel } from '../loaded-model';
import type { ChatMessage, GenerateOptions, Generation, JsonSchema } from '../types';
import { readSseData } from './sse';

export type OpenAiModelOptions = {
  clock: Clock;
  /** Registry name (what Generation.model reports). */
  name: string;
  /** e.g. http://127.0.0.1:8080/v1 */
  baseUrl: string;
  /** The model's name at the endpoint. */
  model: string;
  apiKey?: string | undefined;
  /** Longest a call may take before it fails with `timeout`. Default 10 minutes. */
  requestTimeoutMs?: number;
  /** Longest the endpoint may take to answer the reachability check. Default 5 seconds. */
  connectTimeoutMs?: number;
  defaultMaxTokens?: number;
  fetch?: typeof fetch;
};

const ErrorBody = z.object({ error: z.union([z.string(), z.object({ message: z.string() }).loose()]) }).loose();
const Usage = z.object({ completion_tokens: z.number().int().nonnegative().optional() }).loose();
const ChatReply = z
  .object({
    choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }).loose(), finish_reason: z.string().nullable().optional() }).loose()).min(1),
    usage: Usage.nullable().optional(),
  })
  .loose();
const CompletionReply = z
  .object({ choices: z.array(z.object({ text: z.string() }).loose()).min(1), usage: Usage.nullable().optional() })
  .loose();
const ChatChunk = z
  .object({
    choices: z.array(z.object({ delta: z.object({ content: z.string().nullable().optional() }).loose().optional() }).loose()),
    usage: Usage.nullable().optional(),
  })
  .loose();
const CompletionChunk = z
  .object({ choices: z.array(z.object({ text: z.string().optional() }).loose()), usage: Usage.nullable().optional() })
  .loose();
const EmbeddingReply = z.object({ data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) }).loose()) }).loose();

/**
 * A model served by an OpenAI-compatible HTTP endpoint (llama.cpp server, Ollama, vLLM, LM Studio,
 * or another Agent Agency). Every reply is parsed with zod; an unreachable endpoint, a refusal or a
 * malformed reply becomes an AppFailure with a message naming the endpoint.
 */
export class OpenAiLoadedModel implements LoadedModel {
  readonly name: string;
  readonly memoryBytes = 0;
  private readonly fetch: typeof fetch;
  private readonly baseUrl: string;

  private constructor(private readonly options: OpenAiModelOptions) {
    this.name = options.name;
    this.fetch = options.fetch ?? fetch;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /** Checks that the endpoint answers (GET /models) before the model counts as loaded. */
  static async connect(options: OpenAiModelOptions, signal?: AbortSignal): Promise<OpenAiLoadedModel> {
    const model = new OpenAiLoadedModel(options);
    await model.request('GET', '/models', undefined, anySignal(signal, AbortSignal.timeout(options.connectTimeoutMs ?? 5_000))!);
    return model;
  }

  async complete(prompt: string, options: GenerateOptions = {}): Promise<Generation> {
    const started = this.options.clock.now();
    const body = { model: this.options.model, prompt, ...this.sampling(options) };
    if (options.onToken) {
      const { text, tokens } = await this.stream('/completions', body, options, (data) => {
        const chunk = this.parse(CompletionChunk, data, 'completion chunk');
        return { text: chunk.choices[0]?.text ?? '', usage: chunk.usage?.completion_tokens };
      });
      return { text, tokens, model: this.name, durationMs: this.options.clock.now() - started };
    }
    const reply = this.parse(CompletionReply, await this.request('POST', '/completions', body, this.callSignal(options.signal)), 'completion');
    const text = reply.choices[0]!.text;
    return { text, tokens: reply.usage?.completion_tokens ?? estimateTokens(text), model: this.name, durationMs: this.options.clock.now() - started };
  }

  chat(messages: ChatMessage[], options: GenerateOptions = {}): Promise<Generation> {
    return this.chatWith(messages, options, undefined);
  }

  async generateJson(messages: ChatMessage[], schema: JsonSchema, options: GenerateOptions = {}): Promise<{ value: unknown; generation: Generation }> {
    const checked = parseJsonSchema(schema);
    const generation = await this.chatWith(messages, options, {
      type: 'json_schema',
      json_schema: { name: 'output', schema: checked, strict: true },
    });
    let value: unknown;
    try {
      value = JSON.parse(generation.text) as unknown;
    } catch (cause) {
      throw new AppFailure(
        'unavailable',
        `${this.name} at ${this.baseUrl} returned output that is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}; output began ${JSON.stringify(generation.text.slice(0, 120))}`,
      );
    }
    const bad = nonFinitePath(value);
    if (bad) throw new AppFailure('unavailable', `${this.name} at ${this.baseUrl} returned a number too large to represent at ${bad}`);
    return { value, generation };
  }

  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    if (texts.length === 0) return [];
    const reply = this.parse(
      EmbeddingReply,
      await this.request('POST', '/embeddings', { model: this.options.model, input: texts }, this.callSignal(options.signal)),
      'embeddings',
    );
    const sorted = [...reply.data].sort((a, b) => a.index - b.index);
    if (sorted.length !== texts.length) throw this.failure('unavailable', `returned ${sorted.length} embeddings for ${texts.length} texts`);
    return sorted.map((d) => d.embedding);
  }

  /** The protocol has no tokenizer call; about four characters per token is the usual estimate. */
  async countTokens(text: string): Promise<number> {
    return estimateTokens(text);
  }

  async warm(signal?: AbortSignal): Promise<void> {
    await this.complete('Hello', { maxTokens: 1, ...(signal ? { signal } : {}) });
  }

  async dispose(): Promise<void> {
    // Nothing is held locally.
  }

  private async chatWith(messages: ChatMessage[], options: GenerateOptions, responseFormat: Record<string, unknown> | undefined): Promise<Generation> {
    if (messages.length === 0) throw new AppFailure('invalid_input', 'a chat needs at least one message');
    const started = this.options.clock.now();
    const body = {
      model: this.options.model,
      messages,
      ...this.sampling(options),
      ...(responseFormat ? { response_format: responseFormat } : {}),
    };
    if (options.onToken) {
      const { text, tokens } = await this.stream('/chat/completions', body, options, (data) => {
        const chunk = this.parse(ChatChunk, data, 'chat chunk');
        return { text: chunk.choices[0]?.delta?.content ?? '', usage: chunk.usage?.completion_tokens };
      });
      return { text, tokens, model: this.name, durationMs: this.options.clock.now() - started };
    }
    const reply = this.parse(ChatReply, await this.request('POST', '/chat/completions', body, this.callSignal(options.signal)), 'chat completion');
    const text = reply.choices[0]!.message.content ?? '';
    return { text, tokens: reply.usage?.completion_tokens ?? estimateTokens(text), model: this.name, durationMs: this.options.clock.now() - started };
  }

  private sampling(options: GenerateOptions): Record<string, unknown> {
    return {
      max_tokens: options.maxTokens ?? this.options.defaultMaxTokens ?? 1024,
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      ...(options.stop && options.stop.length > 0 ? { stop: options.stop } : {}),
    };
  }

  private async stream(
    path: string,
    body: Record<string, unknown>,
    options: GenerateOptions,
    pieceOf: (data: unknown) => { text: string; usage: number | undefined },
  ): Promise<{ text: string; tokens: number }> {
    const signal = this.callSignal(options.signal);
    const response = await this.send('POST', path, { ...body, stream: true, stream_options: { include_usage: true } }, signal);
    if (!response.body) throw this.failure('unavailable', 'sent an empty stream');
    let text = '';
    let pieces = 0;
    let usage: number | undefined;
    try {
      for await (const data of readSseData(response.body, signal)) {
        if (data === '[DONE]') break;
        const piece = pieceOf(this.json(data, 'stream chunk'));
        if (piece.usage !== undefined) usage = piece.usage;
        if (piece.text) {
          text += piece.text;
          pieces++;
          options.onToken?.(piece.text);
        }
      }
    } catch (cause) {
      throw this.callError(cause, options.signal, signal);
    }
    if (signal.aborted) throw this.callError(signal.reason, options.signal, signal);
    return { text, tokens: usage ?? pieces };
  }

  private async request(method: string, path: string, body: unknown, signal: AbortSignal): Promise<unknown> {
    const response = await this.send(method, path, body, signal);
    let text: string;
    try {
      text = await response.text();
    } catch (cause) {
      throw this.callError(cause, undefined, signal);
    }
    return this.json(text, path);
  }

  private async send(method: string, path: string, body: unknown, signal: AbortSignal): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal,
      });
    } catch (cause) {
      throw this.callError(cause, undefined, signal);
    }
    if (!response.ok) {
      const raw = await response.text().catch(() => '');
      let detail = raw.slice(0, 300);
      try {
        const parsed = ErrorBody.safeParse(JSON.parse(raw));
        if (parsed.success) detail = typeof parsed.data.error === 'string' ? parsed.data.error : parsed.data.error.message;
      } catch {
        // Not JSON: keep the raw text.
      }
      const code: ErrorCode =
        response.status === 401 ? 'unauthorized' : response.status === 403 ? 'forbidden' : response.status === 404 ? 'not_found' : response.status === 400 ? 'invalid_input' : response.status === 429 ? 'rate_limited' : 'unavailable';
      throw this.failure(code, `answered ${method} ${path} with HTTP ${response.status}${detail ? `: ${detail}` : ''}`);
    }
    return response;
  }

  private callSignal(signal: AbortSignal | undefined): AbortSignal {
    return anySignal(signal, AbortSignal.timeout(this.options.requestTimeoutMs ?? 10 * 60_000))!;
  }

  /** Tells the caller's abort (AbortError), our timeout and a network failure apart. */
  private callError(cause: unknown, callerSignal: AbortSignal | undefined, signal: AbortSignal): Error {
    if (callerSignal?.aborted) return abortError(callerSignal);
    if (cause instanceof AppFailure) return cause;
    // The combined signal fired but the caller's did not: our own time limit ran out.
    if (signal.aborted) return this.failure('timeout', 'did not answer in time');
    const code = (cause as { cause?: { code?: string } })?.cause?.code;
    const why = code ?? (cause instanceof Error ? cause.message : String(cause));
    return this.failure('unavailable', `cannot be reached (${why})`);
  }

  private json(text: string, what: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw this.failure('unavailable', `sent a ${what} reply that is not JSON: ${JSON.stringify(text.slice(0, 120))}`);
    }
  }

  private parse<T extends z.ZodType>(schema: T, data: unknown, what: string): z.output<T> {
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw this.failure('unavailable', `sent a malformed ${what} reply: ${parsed.error.issues[0]?.message ?? 'unexpected shape'}`);
    return parsed.data;
  }

  private failure(code: ErrorCode, what: string): AppFailure {
    return new AppFailure(code, `model endpoint ${this.baseUrl} (${this.options.model}) ${what}`);
  }
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

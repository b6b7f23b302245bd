import { SpanStatusCode, type Span } from '@opentelemetry/api';
import type { ChatMessage, GenerateOptions, Generation, JsonSchema, ModelClient, ModelGateway, ModelRole } from '../models/types';
import type { TaskTracer } from './task-tracer';

/**
 * A ModelGateway whose task calls (chat, JSON, completion) each become a span with the GenAI
 * semantic conventions: operation, requested and answering model, input and output tokens, and
 * the time to the first token (an attribute in seconds and a `gen_ai.first_token` event). The
 * journal has no record of a call's start, end or prompt size, hence this thin wrapper.
 */
export function tracedGateway(inner: ModelGateway, tracer: TaskTracer, now: () => number): ModelGateway {
  const clients = new Map<ModelRole, ModelClient>();
  return {
    client(role: ModelRole): ModelClient {
      let c = clients.get(role);
      if (!c) {
        c = new TracedClient(inner.client(role), role, tracer, now);
        clients.set(role, c);
      }
      return c;
    },
  };
}

class TracedClient implements ModelClient {
  constructor(
    private readonly inner: ModelClient,
    private readonly role: ModelRole,
    private readonly tracer: TaskTracer,
    private readonly now: () => number,
  ) {}

  chat(messages: ChatMessage[], options: GenerateOptions = {}): Promise<Generation> {
    return this.traced('chat', options, messagesText(messages), (o) => this.inner.chat(messages, o), (g) => g);
  }

  generateJson(messages: ChatMessage[], schema: JsonSchema, options: GenerateOptions = {}): Promise<{ value: unknown; generation: Generation }> {
    return this.traced('chat', options, messagesText(messages), (o) => this.inner.generateJson(messages, schema, o), (r) => r.generation);
  }

  complete(prompt: string, options: GenerateOptions = {}): Promise<Generation> {
    return this.traced('text_completion', options, prompt, (o) => this.inner.complete(prompt, o), (g) => g);
  }

  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<number[][]> {
    return this.inner.embed(texts, options);
  }

  countTokens(text: string): Promise<number> {
    return this.inner.countTokens(text);
  }

  private async traced<T>(operation: string, options: GenerateOptions, prompt: string, call: (o: GenerateOptions) => Promise<T>, generationOf: (r: T) => Generation): Promise<T> {
    const taskId = options.taskId;
    if (!taskId) return call(options);
    const started = this.now();
    const span = this.tracer.startModelCall(taskId, this.role, operation, started);
    let firstToken: number | undefined;
    const tracked: GenerateOptions = {
      ...options,
      onToken: (t) => {
        if (firstToken === undefined) {
          firstToken = this.now();
          span.addEvent('gen_ai.first_token', {}, firstToken);
        }
        options.onToken?.(t);
      },
    };
    try {
      const result = await call(tracked);
      const g = generationOf(result);
      const ttftMs = firstToken !== undefined ? firstToken - started : g.firstTokenMs;
      span.updateName(`${operation} ${g.model}`);
      span.setAttributes({
        'gen_ai.request.model': g.model,
        'gen_ai.response.model': g.model,
        'gen_ai.usage.output_tokens': g.tokens,
        'gen_ai.usage.input_tokens': g.promptTokens ?? (await this.countPrompt(prompt)),
        ...(ttftMs !== undefined ? { 'gen_ai.server.time_to_first_token': ttftMs / 1000 } : {}),
        ...(g.stopReason ? { 'gen_ai.response.finish_reasons': [g.stopReason] } : {}),
      });
      end(span, this.now());
      return result;
    } catch (e) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
      span.setAttribute('error.type', e instanceof Error ? e.name : 'error');
      end(span, this.now());
      throw e;
    }
  }

  /** Remote models do not say how many prompt tokens they read; the model's own tokenizer does. */
  private async countPrompt(text: string): Promise<number> {
    try {
      return await this.inner.countTokens(text);
    } catch {
      return 0;
    }
  }
}

function end(span: Span, at: number): void {
  span.end(at);
}

function messagesText(messages: ChatMessage[]): string {
  return messages.map((m) => m.content).join('\n');
}

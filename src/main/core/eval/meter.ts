import type { ChatMessage, GenerateOptions, Generation, JsonSchema, ModelClient, ModelGateway, ModelRole } from '../models/types';

export type Usage = { calls: number; errors: number; promptTokens: number; completionTokens: number; byRole: Partial<Record<ModelRole, number>> };

const empty = (): Usage => ({ calls: 0, errors: 0, promptTokens: 0, completionTokens: 0, byRole: {} });

/**
 * Counts the model calls of each task as they pass: calls, failed calls, prompt tokens (the
 * messages as the model's own tokenizer counts them) and completion tokens (as the model reports).
 * It wraps the gateway the steps are built on, so the engine runs exactly as it does for `execute`.
 * A call without a task id counts for the task the eval is running (the eval runs one at a time).
 */
export class UsageMeter implements ModelGateway {
  private readonly usage = new Map<string, Usage>();
  current: string | undefined;

  constructor(private readonly inner: ModelGateway) {}

  client(role: ModelRole): ModelClient {
    const inner = this.inner.client(role);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the wrapper reports to its meter
    const meter = this;
    const measured = async <T extends { generation: Generation } | Generation>(prompt: string, options: GenerateOptions | undefined, call: () => Promise<T>): Promise<T> => {
      const u = meter.of(options?.taskId ?? meter.current);
      if (u) {
        u.calls++;
        u.byRole[role] = (u.byRole[role] ?? 0) + 1;
      }
      try {
        const r = await call();
        if (u) {
          const g: Generation = 'generation' in r ? r.generation : (r as Generation);
          u.completionTokens += g.tokens;
          u.promptTokens += await inner.countTokens(prompt).catch(() => 0);
        }
        return r;
      } catch (e) {
        if (u) u.errors++;
        throw e;
      }
    };
    const text = (messages: ChatMessage[]) => messages.map((m) => m.content).join('\n');
    return {
      complete: (prompt, options) => measured(prompt, options, () => inner.complete(prompt, options)),
      chat: (messages, options) => measured(text(messages), options, () => inner.chat(messages, options)),
      generateJson: (messages: ChatMessage[], schema: JsonSchema, options?: GenerateOptions) =>
        measured(text(messages), options, () => inner.generateJson(messages, schema, options)),
      embed: (texts, options) => inner.embed(texts, options),
      countTokens: (t) => inner.countTokens(t),
    };
  }

  /** What the task's calls used so far (zeros when it made none). */
  take(taskId: string): Usage {
    const u = this.usage.get(taskId) ?? empty();
    this.usage.delete(taskId);
    return u;
  }

  private of(taskId: string | undefined): Usage | undefined {
    if (!taskId) return undefined;
    let u = this.usage.get(taskId);
    if (!u) {
      u = empty();
      this.usage.set(taskId, u);
    }
    return u;
  }
}

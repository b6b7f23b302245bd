import type { ChatMessage, Generation, GenerateOptions, JsonSchema, ModelClient } from '../src/main/core/models/types';

/**
 * A scripted model for tests of code that consumes ModelClient: `generateJson` answers from a
 * queue (a value, an Error to throw, or a function of the call), and `embed` returns hashed
 * bag-of-words vectors, so texts sharing words really are close.
 */
export class ScriptedModel implements ModelClient {
  readonly calls: { messages: ChatMessage[]; schema: JsonSchema; options?: GenerateOptions }[] = [];
  embedCalls = 0;
  embedError: Error | undefined;

  constructor(
    private readonly answers: (unknown | Error | ((call: { messages: ChatMessage[]; options?: GenerateOptions }) => unknown))[] = [],
    readonly name = 'scripted',
  ) {}

  push(...answers: unknown[]): void {
    this.answers.push(...answers);
  }

  async generateJson(messages: ChatMessage[], schema: JsonSchema, options?: GenerateOptions): Promise<{ value: unknown; generation: Generation }> {
    this.calls.push({ messages, schema, ...(options ? { options } : {}) });
    if (options?.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const next = this.answers.shift();
    if (next === undefined) throw new Error('ScriptedModel: no answer left');
    const value = typeof next === 'function' ? await (next as (c: unknown) => unknown)({ messages, options }) : next;
    if (value instanceof Error) throw value;
    return { value, generation: { text: JSON.stringify(value), tokens: 1, model: this.name, durationMs: 1 } };
  }

  async embed(texts: string[]): Promise<number[][]> {
    this.embedCalls++;
    if (this.embedError) throw this.embedError;
    return texts.map((t) => {
      const v = new Array<number>(64).fill(0);
      for (const w of t.toLowerCase().split(/[^a-z0-9]+/).filter((x) => x.length > 2)) {
        let h = 0;
        for (const c of w) h = (h * 31 + c.charCodeAt(0)) >>> 0;
        v[h % 64]! += 1;
      }
      return v;
    });
  }

  async complete(): Promise<Generation> {
    throw new Error('ScriptedModel.complete is not scripted');
  }

  async chat(): Promise<Generation> {
    throw new Error('ScriptedModel.chat is not scripted');
  }

  async countTokens(text: string): Promise<number> {
    return Math.ceil(text.length / 4);
  }
}

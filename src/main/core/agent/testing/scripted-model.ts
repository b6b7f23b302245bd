import type { ChatMessage, GenerateOptions, Generation, JsonSchema, ModelClient } from '../../models/types';

/**
 * A worker model that answers from a script: each `generateJson` call takes the next planned step.
 * A step is a value to return, a function of the conversation, an Error to throw, or `hang` (wait
 * until the call is aborted). Test support: it records every conversation it was given.
 */
export type ScriptStep = unknown | ((messages: ChatMessage[]) => unknown) | Error | typeof HANG;
export const HANG = Symbol('hang');

export class ScriptedModel implements ModelClient {
  readonly calls: ChatMessage[][] = [];
  private index = 0;

  constructor(
    private readonly script: readonly ScriptStep[],
    /** What to answer once the script is used up. */
    private readonly after: ScriptStep = { action: 'no-op', reason: 'script finished', confidence: 0.1, criteria_met: [], edits: [] },
  ) {}

  get remaining(): number {
    return Math.max(0, this.script.length - this.index);
  }

  async generateJson(messages: ChatMessage[], _schema: JsonSchema, options: GenerateOptions = {}): Promise<{ value: unknown; generation: Generation }> {
    this.calls.push(messages);
    const step = this.index < this.script.length ? this.script[this.index++] : this.after;
    if (step === HANG) {
      await new Promise<never>((_, reject) => {
        const abort = () => reject(new DOMException('aborted', 'AbortError'));
        if (options.signal?.aborted) abort();
        options.signal?.addEventListener('abort', abort, { once: true });
      });
    }
    if (step instanceof Error) throw step;
    const value = typeof step === 'function' ? (step as (m: ChatMessage[]) => unknown)(messages) : step;
    return { value, generation: { text: JSON.stringify(value) ?? '', tokens: 1, model: 'scripted', durationMs: 0 } };
  }

  async complete(): Promise<Generation> {
    throw new Error('ScriptedModel only answers generateJson');
  }
  async chat(): Promise<Generation> {
    throw new Error('ScriptedModel only answers generateJson');
  }
  async embed(texts: string[]): Promise<number[][]> {
    return texts.map(() => [0]);
  }
  async countTokens(text: string): Promise<number> {
    return Math.ceil(text.length / 4);
  }
}

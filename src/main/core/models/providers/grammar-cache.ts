import type { LlamaGrammar } from 'node-llama-cpp';
import { AppFailure } from '../../../../shared/errors';
import { parseJsonSchema } from '../json-schema';
import type { JsonSchema } from '../types';
import type { LlamaRuntime } from './llama-runtime';

/** A compiled JSON-schema grammar; `parse` checks the text against the schema. */
export type JsonGrammar = LlamaGrammar & { parse(json: string): unknown };

/** Largest number of distinct grammars (JSON schemas and GBNF texts together) kept compiled. */
const GRAMMAR_CACHE = 32;

/**
 * The grammars one loaded model constrains its output with, compiled once per distinct schema or
 * GBNF text and kept (oldest dropped first) so a task's repeated calls do not recompile them. A
 * grammar that fails to compile is not kept, and the caller gets `invalid_input` saying why.
 */
export class GrammarCache {
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

  constructor(private readonly runtime: LlamaRuntime) {}

  /** The grammar for a JSON schema (checked first: a schema that is not one is refused). */
  async forJsonSchema(schema: JsonSchema): Promise<JsonGrammar> {
    const key = JSON.stringify(parseJsonSchema(schema));
    const compiled = this.compiled(key, async () => {
      const llama = await this.runtime.llama();
      // The schema was checked above; node-llama-cpp's own type for it is a deep generic.
      return llama.createGrammarForJsonSchema(JSON.parse(key) as never) as unknown as Promise<LlamaGrammar>;
    });
    return (await this.awaited(compiled, 'the JSON schema cannot be turned into a grammar')) as JsonGrammar;
  }

  /** The grammar for a GBNF text (a chat answer's shape). */
  async forGbnf(gbnf: string): Promise<LlamaGrammar> {
    const compiled = this.compiled(`gbnf:${gbnf}`, async () => (await this.runtime.llama()).createGrammar({ grammar: gbnf }));
    return this.awaited(compiled, 'the grammar cannot be compiled');
  }

  private compiled(key: string, compile: () => Promise<LlamaGrammar>): Promise<LlamaGrammar> {
    const cached = this.grammars.get(key);
    if (cached) return cached;
    const pending = compile();
    pending.catch(() => this.grammars.delete(key));
    if (this.grammars.size >= GRAMMAR_CACHE) this.grammars.delete(this.grammars.keys().next().value!);
    this.grammars.set(key, pending);
    return pending;
  }

  private async awaited(pending: Promise<LlamaGrammar>, what: string): Promise<LlamaGrammar> {
    try {
      return await pending;
    } catch (cause) {
      throw new AppFailure('invalid_input', `${what}: ${cause instanceof Error ? cause.message : String(cause)}`);
    }
  }
}

import { MODEL_ROLE_NAMES, type ModelRoleName } from '../../../shared/domain/model';
import type { WorkPriority } from '../scheduler/admission';

/**
 * What the rest of the core sees of a model: a client bound to a role. The model service (registry,
 * fit checks, scheduling, hot-swap, routing) sits behind it; planner, judges and workers only call it.
 */
/** The roles, from the contract (shared/domain/model.ts is the one list). */
export const MODEL_ROLES = MODEL_ROLE_NAMES;
export type ModelRole = ModelRoleName;

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

export type GenerateOptions = {
  maxTokens?: number;
  temperature?: number;
  /** Aborting rejects the call with an AbortError promptly and frees the model. */
  signal?: AbortSignal;
  /** Streaming: called with each piece of text as it is generated. */
  onToken?: (text: string) => void;
  stop?: string[];
  /** Journal attribution (model.tokens events, metrics). */
  taskId?: string;
  /** Scheduler priority of the call; by default judges ask as `council`, planner and worker as `background`. */
  priority?: WorkPriority;
  /**
   * A GBNF grammar (llama.cpp's grammar language) the text of a `chat` answer must follow. Embedded
   * models are constrained by it; providers that cannot constrain (OpenAI-compatible endpoints) ignore
   * it, so callers parse the answer tolerantly and validate it either way.
   */
  grammar?: string;
};

export type Generation = {
  text: string;
  tokens: number;
  /** Which model answered (registry name), for provenance. */
  model: string;
  durationMs: number;
  /** Time to the first generated token (local models), for the performance monitor. */
  firstTokenMs?: number;
  /** Prompt tokens the model evaluated for this call (local models): a reused prefix is not counted. */
  promptTokens?: number;
  /** Why generation ended: `length` at the token limit or the context's end, `stop` otherwise (local models). */
  stopReason?: 'stop' | 'length';
};

/** A JSON Schema object (draft 2020-12 subset accepted by node-llama-cpp's grammar builder). */
export type JsonSchema = Record<string, unknown>;

export interface ModelClient {
  complete(prompt: string, options?: GenerateOptions): Promise<Generation>;
  chat(messages: ChatMessage[], options?: GenerateOptions): Promise<Generation>;
  /**
   * Generation constrained to `schema`; returns the parsed JSON value. The caller still validates it
   * with zod: model output is untrusted even when grammar-constrained.
   */
  generateJson(messages: ChatMessage[], schema: JsonSchema, options?: GenerateOptions): Promise<{ value: unknown; generation: Generation }>;
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<number[][]>;
  countTokens(text: string): Promise<number>;
}

/** Hands out the client serving a role; one model may serve several roles. */
export interface ModelGateway {
  client(role: ModelRole): ModelClient;
}

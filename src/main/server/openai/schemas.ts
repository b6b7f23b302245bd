import { z } from 'zod';

/** Content as OpenAI clients send it: a string, or parts of which only text is understood here. */
const Content = z.union([
  z.string(),
  z.array(z.object({ type: z.literal('text'), text: z.string() }).loose()).max(200),
]);

export const ChatMessageIn = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant']),
    content: Content.nullable(),
  })
  .loose();

const Stop = z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional();

export const ResponseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }).loose(),
  z.object({ type: z.literal('json_object') }).loose(),
  z
    .object({
      type: z.literal('json_schema'),
      json_schema: z.object({ name: z.string().max(64), schema: z.record(z.string(), z.unknown()), strict: z.boolean().nullable().optional() }).loose(),
    })
    .loose(),
]);

const Sampling = {
  model: z.string().min(1).max(200),
  max_tokens: z.number().int().positive().max(131_072).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  stop: Stop,
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable().optional(),
  /** One choice per request: n > 1 is refused by name rather than silently answered once. */
  n: z.literal(1, { message: 'only n = 1 is supported (one choice per request)' }).nullable().optional(),
  best_of: z.literal(1, { message: 'only best_of = 1 is supported' }).nullable().optional(),
};

/** Tool calling is not supported: a request that relies on it is refused with the field named. */
const refused = (what: string) => z.unknown().refine((v) => v === undefined || v === null || (Array.isArray(v) && v.length === 0), `${what} is not supported by this server`).optional();

/** POST /v1/chat/completions; fields this server does not use are accepted and ignored. */
export const ChatCompletionRequest = z
  .object({
    ...Sampling,
    messages: z.array(ChatMessageIn).min(1).max(500),
    max_completion_tokens: z.number().int().positive().max(131_072).nullable().optional(),
    response_format: ResponseFormat.nullable().optional(),
    tools: refused('tool calling (tools)'),
    tool_choice: z.union([z.literal('none'), z.null()], { message: 'tool calling (tool_choice) is not supported by this server; only "none"' }).optional(),
    functions: refused('function calling (functions)'),
    function_call: z.union([z.literal('none'), z.null()], { message: 'function calling (function_call) is not supported by this server; only "none"' }).optional(),
  })
  .loose();
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

/** POST /v1/completions */
export const CompletionRequest = z
  .object({
    ...Sampling,
    prompt: z.union([z.string(), z.array(z.string()).length(1)]),
  })
  .loose();
export type CompletionRequest = z.infer<typeof CompletionRequest>;

/** POST /v1/embeddings */
export const EmbeddingRequest = z
  .object({
    model: z.string().min(1).max(200),
    input: z.union([z.string(), z.array(z.string()).min(1).max(256)]),
    encoding_format: z.enum(['float', 'base64']).optional(),
  })
  .loose();
export type EmbeddingRequest = z.infer<typeof EmbeddingRequest>;

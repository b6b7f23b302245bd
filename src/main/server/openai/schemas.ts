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
};

/** POST /v1/chat/completions; fields this server does not use are accepted and ignored. */
export const ChatCompletionRequest = z
  .object({
    ...Sampling,
    messages: z.array(ChatMessageIn).min(1).max(500),
    max_completion_tokens: z.number().int().positive().max(131_072).nullable().optional(),
    response_format: ResponseFormat.nullable().optional(),
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

import { z } from 'zod';

export const LocalServer = z.object({
  kind: z.enum(['ollama', 'lmstudio', 'llama.cpp', 'openai']),
  /** OpenAI-compatible base URL (ends in /v1), as addRemoteModel takes it. */
  baseUrl: z.string(),
  models: z.array(z.string()),
});
export type LocalServer = z.infer<typeof LocalServer>;

export const DiskModel = z.object({
  source: z.enum(['lmstudio', 'ollama']),
  path: z.string(),
  /** A readable name (LM Studio's file name, Ollama's `model:tag`). */
  name: z.string(),
  sizeBytes: z.number().nonnegative(),
});
export type DiskModel = z.infer<typeof DiskModel>;

export const LocalModels = z.object({
  servers: z.array(LocalServer),
  files: z.array(DiskModel.extend({ registered: z.boolean() })),
});
export type LocalModels = z.infer<typeof LocalModels>;

/** First run: the models this machine already has, in running local servers and on disk. */
export const discoveryChannels = {
  discoverLocalModels: { input: z.strictObject({}), output: LocalModels },
} as const;

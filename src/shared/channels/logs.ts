import { z } from 'zod';

export const LogLineView = z.object({
  time: z.number(),
  level: z.string(),
  msg: z.string(),
  taskId: z.string().nullable(),
  traceId: z.string().nullable(),
  /** The rest of the line's fields, as JSON. */
  fields: z.string(),
});
export type LogLineView = z.infer<typeof LogLineView>;

/** The host's structured log (the data folder's rotating log file), optionally of one task. */
export const logChannels = {
  getLogs: {
    input: z.strictObject({ taskId: z.string().min(1).max(100).optional(), limit: z.number().int().min(1).max(5000).optional() }),
    output: z.array(LogLineView),
  },
} as const;

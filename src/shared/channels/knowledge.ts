import { z } from 'zod';
import { AttachmentView } from '../domain/attachments';
import { KnowledgeAddResult, KnowledgeEntry, KnowledgeHit } from '../domain/knowledge';
import { TaskId } from '../domain/task';

const path = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(4096)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path (the app reads it on its own machine)');

/** The knowledge base (documents, PDFs, images the user adds; task attachments) and a task's attachments. */
export const knowledgeChannels = {
  addKnowledge: {
    input: z.strictObject({ paths: z.array(path).min(1, 'must name at least one file').max(50) }),
    output: z.array(KnowledgeAddResult),
  },
  searchKnowledge: {
    input: z.strictObject({
      query: z.string().trim().min(1, 'must not be empty').max(500),
      limit: z.number().int().min(1).max(50).optional(),
      /** Also search this task's attachments (entries the user added are always searched). */
      taskId: TaskId.optional(),
      /** Also search this repository's docs and specs (indexed when a task on it is planned). */
      repo: path.optional(),
    }),
    output: z.array(KnowledgeHit),
  },
  listKnowledge: {
    input: z.strictObject({ includeAttachments: z.boolean().optional() }),
    output: z.array(KnowledgeEntry),
  },
  removeKnowledge: {
    input: z.strictObject({ id: z.string().trim().regex(/^kno_[A-Za-z0-9]+$/, 'must be a knowledge entry id like kno_…') }),
    output: z.object({ id: z.string(), removed: z.literal(true) }),
  },
  getTaskAttachments: { input: z.strictObject({ taskId: TaskId }), output: z.array(AttachmentView) },
} as const;

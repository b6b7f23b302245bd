import { z } from 'zod';

/** The knowledge base as the contract shows it: entries (documents, PDFs, images) and ranked chunks. */

export const KnowledgeEntry = z.object({
  id: z.string(),
  kind: z.string(),
  /** Where it came from: the file's path (an attachment's copy in the data folder for a task's). */
  source: z.string(),
  title: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
  extraction: z.enum(['text', 'pdf', 'ocr']),
  addedAt: z.number().int(),
  chunks: z.number().int(),
  /** The task whose attachment this is; null for entries the user added. */
  taskId: z.string().nullable(),
});
export type KnowledgeEntry = z.infer<typeof KnowledgeEntry>;

export const KnowledgeAddResult = z.discriminatedUnion('status', [
  z.object({ file: z.string(), status: z.enum(['added', 'unchanged']), entityId: z.string(), chunks: z.number().int(), extraction: z.string() }),
  z.object({ file: z.string(), status: z.literal('refused'), reason: z.string() }),
]);
export type KnowledgeAddResult = z.infer<typeof KnowledgeAddResult>;

/** One retrieved chunk, always with its source and location so it can be cited. */
export const KnowledgeHit = z.object({
  entityId: z.string(),
  source: z.string(),
  title: z.string(),
  location: z.string(),
  /** `ocr` marks text read from an image by OCR. */
  extraction: z.string(),
  /** Relevance, higher is better: BM25 when `ranking` is `fts`, the reciprocal-rank-fused score of BM25 and vector similarity when `hybrid`. */
  score: z.number(),
  text: z.string(),
  taskId: z.string().nullable(),
  /** The repository whose doc or spec this chunk is (its root), when it was read from one. */
  repo: z.string().optional(),
  /** How the hits were ranked: `fts` (BM25 only; no embedding model) or `hybrid` (BM25 fused with sqlite-vec similarity). */
  ranking: z.enum(['fts', 'hybrid']).optional(),
});
export type KnowledgeHit = z.infer<typeof KnowledgeHit>;

import { z } from 'zod';

/**
 * Files a task carries from its submission: text, Markdown, PDF and images. They travel inside the
 * submit call (base64), so the window, the REST API and the CLI send them the same way; the core
 * keeps them in the data folder and indexes them in the knowledge base for that task.
 */

export const MAX_ATTACHMENTS = 8;
export const MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024;
export const MAX_ATTACHMENTS_TOTAL_BYTES = 16 * 1024 * 1024;

export const ATTACHMENT_KINDS = ['text', 'markdown', 'pdf', 'image'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

const EXTENSIONS: Readonly<Record<string, AttachmentKind>> = {
  '.txt': 'text',
  '.log': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.pdf': 'pdf',
  '.png': 'image',
  '.jpg': 'image',
  '.jpeg': 'image',
  '.gif': 'image',
  '.webp': 'image',
  '.bmp': 'image',
};
/** What a file name's extension says it is, or null for a type that is not accepted. */
export function attachmentKind(name: string): AttachmentKind | null {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? (EXTENSIONS[name.slice(dot).toLowerCase()] ?? null) : null;
}
export const ATTACHMENT_EXTENSIONS = Object.keys(EXTENSIONS);

/** Bytes of a base64 text without decoding it. */
export function base64Bytes(data: string): number {
  const pad = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - pad;
}

const megabytes = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

export const AttachmentInput = z
  .strictObject({
    /** The file's own name (no folders); its extension decides how it is read. */
    name: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200)
      .refine((n) => !/[/\\]/.test(n) && !n.includes('\u0000') && n !== '.' && n !== '..', 'must be a file name without folders'),
    dataBase64: z
      .string()
      .max(Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4 + 4, `is too large: an attachment may have at most ${megabytes(MAX_ATTACHMENT_BYTES)}`)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'),
  })
  .superRefine((a, ctx) => {
    if (attachmentKind(a.name) === null) {
      const ext = a.name.includes('.') ? a.name.slice(a.name.lastIndexOf('.')) : '(no extension)';
      ctx.addIssue({ code: 'custom', path: ['name'], message: `"${a.name}" has a type that is not accepted (${ext}): text, Markdown, PDF and images (${ATTACHMENT_EXTENSIONS.join(' ')}) are` });
    }
    const bytes = base64Bytes(a.dataBase64);
    if (bytes > MAX_ATTACHMENT_BYTES) ctx.addIssue({ code: 'custom', path: ['dataBase64'], message: `"${a.name}" is too large (${megabytes(bytes)}; at most ${megabytes(MAX_ATTACHMENT_BYTES)})` });
    if (bytes === 0) ctx.addIssue({ code: 'custom', path: ['dataBase64'], message: `"${a.name}" is empty` });
  });
export type AttachmentInput = z.input<typeof AttachmentInput>;

export const AttachmentList = z
  .array(AttachmentInput)
  .max(MAX_ATTACHMENTS, `at most ${MAX_ATTACHMENTS} files`)
  .superRefine((list, ctx) => {
    const total = list.reduce((n, a) => n + base64Bytes(a.dataBase64), 0);
    if (total > MAX_ATTACHMENTS_TOTAL_BYTES) ctx.addIssue({ code: 'custom', message: `are too large together (${megabytes(total)}; at most ${megabytes(MAX_ATTACHMENTS_TOTAL_BYTES)})` });
    const seen = new Set<string>();
    list.forEach((a, i) => {
      const key = a.name.trim().toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `"${a.name}" is attached twice` });
      seen.add(key);
    });
  });

/** An attachment as the task page shows it: whether it was read, how, and if not, why. */
export const AttachmentView = z.object({
  ordinal: z.number().int(),
  name: z.string(),
  kind: z.enum(ATTACHMENT_KINDS),
  bytes: z.number().int(),
  sha256: z.string(),
  /** pending until planning reads it; not_read says why in `detail`. */
  status: z.enum(['pending', 'read', 'not_read']),
  /** How its text was obtained: as text, from the PDF's pages, by OCR, or given to the model as an image. */
  extraction: z.enum(['text', 'pdf', 'ocr', 'image']).nullable(),
  detail: z.string(),
  /** The knowledge base entry holding its chunks. */
  entityId: z.string().nullable(),
});
export type AttachmentView = z.infer<typeof AttachmentView>;

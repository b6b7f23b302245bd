import { createRequire } from 'node:module';
import { extname } from 'node:path';

/** Text out of a file: plain text and Markdown as they are, PDF per page (unpdf), images by OCR (tesseract.js). */

export type Extracted = { kind: 'document' | 'spec' | 'pdf' | 'image'; extraction: 'text' | 'pdf' | 'ocr'; parts: { location: string; text: string }[] };

export const MAX_SOURCE_BYTES = 20 * 1024 * 1024;
const TEXT = new Set(['.md', '.markdown', '.txt', '.log', '.rst', '.adoc', '.json', '.yaml', '.yml', '.toml', '.csv', '.html']);
const IMAGE = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.webp', '.gif']);

export class UnreadableSource extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

export async function readSource(file: string, data: Buffer): Promise<Extracted> {
  if (data.length > MAX_SOURCE_BYTES) throw new UnreadableSource(file, `too large (${data.length} bytes; the limit is ${MAX_SOURCE_BYTES})`);
  const ext = extname(file).toLowerCase();
  if (TEXT.has(ext)) {
    const text = data.toString('utf8');
    if (text.includes('\u0000')) throw new UnreadableSource(file, 'not text (it holds NUL bytes)');
    return { kind: 'document', extraction: 'text', parts: [{ location: 'line 1', text }] };
  }
  if (ext === '.pdf') {
    try {
      const { extractText, getDocumentProxy } = await import('unpdf');
      const pdf = await getDocumentProxy(new Uint8Array(data));
      const { text } = await extractText(pdf, { mergePages: false });
      return { kind: 'pdf', extraction: 'pdf', parts: text.map((t, i) => ({ location: `page ${i + 1}`, text: t })) };
    } catch (e) {
      throw new UnreadableSource(file, `the PDF could not be read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (IMAGE.has(ext)) return { kind: 'image', extraction: 'ocr', parts: [{ location: 'image (OCR)', text: await ocr(file, data) }] };
  throw new UnreadableSource(file, `unknown type "${ext || '(no extension)'}": text, Markdown, PDF and images are read`);
}

/**
 * OCR with the English data from the @tesseract.js-data/eng package: never downloaded at run time
 * (langPath is the package's folder, the cache is off).
 */
async function ocr(file: string, data: Buffer): Promise<string> {
  const require = createRequire(import.meta.url);
  const lang = require('@tesseract.js-data/eng') as { langPath: string; gzip: boolean };
  const { createWorker } = await import('tesseract.js');
  const worker = await createWorker('eng', 1, { langPath: lang.langPath, gzip: lang.gzip, cacheMethod: 'none' });
  try {
    const { data: result } = await worker.recognize(data);
    return result.text;
  } catch (e) {
    throw new UnreadableSource(file, `OCR failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await worker.terminate();
  }
}

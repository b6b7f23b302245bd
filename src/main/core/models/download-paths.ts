import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';

/** Where a download's bytes go while they arrive, and what its finished file may be called. */

/**
 * The partial file of a download: named by its URL and expected hash, not by the file name alone, so
 * a resume (also after a restart) only ever continues bytes of the same file from the same place.
 */
export function partPath(dest: string, url: string, sha256: string | undefined): string {
  const key = createHash('sha256').update(`${url}\n${sha256 ?? ''}`).digest('hex').slice(0, 16);
  return `${dest}.${key}.part`;
}

/** The bytes already on disk, 0 when there is no file yet. */
export async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** A plain file name ending in .gguf: no folders, nothing hidden. */
export function safeFileName(raw: string): string {
  let name = raw.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '');
  if (!name) name = 'model';
  if (!/\.gguf$/i.test(name)) name += '.gguf';
  return name;
}

import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** sha256 (hex) of a file's bytes, streamed (inputs can be large). */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Input of `recordSourceIntegrity`, checked before it is stored. */
export const SourceIntegrityInput = z.object({
  taskId: z.string().min(1),
  path: z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'must not contain NUL bytes'),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex sha256'),
  kind: z.enum(['read', 'written']),
});

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { Db } from '../db/open';
import { attachmentsForTask } from '../db/queries/attachments';
import { currentChunkText } from '../db/queries/knowledge';
import { ABSENT_SHA256 } from '../db/queries/source-integrity-records';
import { readBytesInside } from './review-evidence';
import type { ClaimSource } from './types';

/** The largest file hashed again to see whether it changed (a knowledge source's own limit). */
const MAX_BYTES = 20 * 1024 * 1024;
const hash = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/**
 * Where a claim's non-workspace sources are now: a repository doc read again inside the repository,
 * an attachment's kept copy, a knowledge chunk as the knowledge base holds it now (the entry last
 * indexed from its source), a document the user added read again from its path. Each is its sha256
 * as it would be recorded now, ABSENT_SHA256 when it is gone; undefined when it cannot be looked at
 * (no repository given), so nothing is recorded for it.
 */
export async function currentHash(db: Db, taskId: string, s: Pick<ClaimSource, 'source' | 'path' | 'location'>, repoDir: string | undefined): Promise<string | undefined> {
  switch (s.source) {
    case 'workspace':
      return undefined;
    case 'repository': {
      if (!repoDir) return undefined;
      const bytes = await readBytesInside(repoDir, s.path);
      return bytes === null ? ABSENT_SHA256 : hash(bytes);
    }
    case 'attachment': {
      const row = attachmentsForTask(db, taskId).find((r) => r.name === s.path);
      return row ? fileHash(row.path) : ABSENT_SHA256;
    }
    case 'knowledge': {
      if (s.location) {
        const text = currentChunkText(db, s.path, s.location);
        return text === undefined ? ABSENT_SHA256 : hash(Buffer.from(text, 'utf8'));
      }
      return fileHash(s.path);
    }
  }
}

async function fileHash(path: string): Promise<string> {
  try {
    if ((await stat(path)).size > MAX_BYTES) return ABSENT_SHA256;
    return hash(await readFile(path));
  } catch {
    return ABSENT_SHA256;
  }
}

import { z } from 'zod';
import type { Db } from '../open';
import { cachedStatement } from './statement-cache';

const Promoted = z.object({ commit: z.string().nullable(), patchSha256: z.string() });

/** The last promote journaled for a task (its `change.promoted` record), or null. */
export function lastPromotion(db: Db, taskId: string): { commit: string | null; patchSha256: string } | null {
  const row = cachedStatement(db, "SELECT payload FROM events WHERE task_id = ? AND type = 'change.promoted' ORDER BY seq DESC LIMIT 1").get(taskId) as
    | { payload: string }
    | undefined;
  if (!row) return null;
  const parsed = Promoted.safeParse(JSON.parse(row.payload));
  return parsed.success ? parsed.data : null;
}

import { z } from 'zod';
import { DownloadState } from '../../../../shared/domain/model';
import type { Db } from '../open';

/** A download as kept in the database, so it outlives a restart of the model service. */
export const StoredDownload = z.object({
  id: z.string().min(1),
  url: z.string().url(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  fileName: z.string().min(1),
  name: z.string().nullable(),
  model: z.string().nullable(),
  state: DownloadState,
  receivedBytes: z.number().int().nonnegative(),
  totalBytes: z.number().int().nonnegative().nullable(),
  error: z.string().nullable(),
  startedAt: z.number().int(),
});
export type StoredDownload = z.infer<typeof StoredDownload>;

type Row = {
  id: string;
  url: string;
  sha256: string | null;
  file_name: string;
  name: string | null;
  model: string | null;
  state: string;
  received_bytes: number;
  total_bytes: number | null;
  error: string | null;
  started_at: number;
};

export function saveDownload(db: Db, d: StoredDownload, now: number): void {
  db.prepare(
    `INSERT INTO model_downloads (id, url, sha256, file_name, name, model, state, received_bytes, total_bytes, error, started_at, updated_at)
     VALUES (@id, @url, @sha256, @fileName, @name, @model, @state, @receivedBytes, @totalBytes, @error, @startedAt, @now)
     ON CONFLICT(id) DO UPDATE SET model = excluded.model, state = excluded.state, received_bytes = excluded.received_bytes,
       total_bytes = excluded.total_bytes, error = excluded.error, updated_at = excluded.updated_at`,
  ).run({ ...d, now });
}

/** Every stored download, oldest first; rows are parsed on the way out like any other input. */
export function listStoredDownloads(db: Db): StoredDownload[] {
  const rows = db.prepare('SELECT * FROM model_downloads ORDER BY started_at, id').all() as Row[];
  return rows.map((r) =>
    StoredDownload.parse({
      id: r.id,
      url: r.url,
      sha256: r.sha256,
      fileName: r.file_name,
      name: r.name,
      model: r.model,
      state: r.state,
      receivedBytes: r.received_bytes,
      totalBytes: r.total_bytes,
      error: r.error,
      startedAt: r.started_at,
    }),
  );
}

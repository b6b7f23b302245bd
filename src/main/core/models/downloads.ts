import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DownloadState, DownloadView } from '../../../shared/domain/model';
import { AppFailure } from '../../../shared/errors';
import { listStoredDownloads, saveDownload } from '../db/queries/downloads';
import type { Db } from '../db/open';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { partPath, safeFileName, sizeOf } from './download-paths';
import type { ModelEventBus } from './events';
import { sha256File } from './gguf/read-model-file';
import { networkReason } from './network-reason';
import type { ModelRegistry } from './registry';

export type DownloadManagerOptions = {
  /** Where finished models are kept (and partial files while downloading). */
  dir: string;
  registry: ModelRegistry;
  events: ModelEventBus;
  clock: Clock;
  logger: Logger;
  fetch?: typeof fetch;
  /** Where downloads are kept so they outlive a restart (listed, resumable). */
  db?: Db;
  /** Least time between progress events. Default 250 ms. */
  progressIntervalMs?: number;
};

export type StartDownload = {
  url: string;
  /** Expected sha256 (hex); a mismatch deletes the file and never registers it. */
  sha256?: string | undefined;
  /** Registry name to give the model. */
  name?: string | undefined;
  fileName?: string | undefined;
};

type Job = {
  id: string;
  url: string;
  fileName: string;
  dest: string;
  part: string;
  sha256: string | undefined;
  name: string | undefined;
  model: string | null;
  state: DownloadState;
  received: number;
  total: number | null;
  bytesPerSecond: number;
  error: string | null;
  startedAt: number;
  controller: AbortController | undefined;
  /** Why the running transfer was stopped, so the loop knows what to do next. */
  stopping: 'pause' | 'cancel' | undefined;
  running: Promise<void> | undefined;
  settled: Array<() => void>;
};

/**
 * Downloads model files by URL into the models folder: progress events, pause and resume with HTTP
 * Range requests, checksum verification, cancel, and partial files removed when they cannot be
 * used. A file is registered only after its checksum (when given) and its GGUF header check pass.
 */
export class DownloadManager {
  private readonly jobs = new Map<string, Job>();
  private readonly fetch: typeof fetch;

  constructor(private readonly options: DownloadManagerOptions) {
    this.fetch = options.fetch ?? fetch;
    if (options.db) this.restore(options.db);
  }

  /**
   * Downloads from before a restart come back in the list. One that was running or verifying when
   * the service stopped is paused: resume continues from its partial file, which is named by the URL
   * and the expected hash, so it is never confused with another download of the same file name.
   */
  private restore(db: Db): void {
    for (const d of listStoredDownloads(db)) {
      const dest = join(this.options.dir, d.fileName);
      const interrupted = d.state === 'running' || d.state === 'verifying';
      const job: Job = {
        id: d.id,
        url: d.url,
        fileName: d.fileName,
        dest,
        part: partPath(dest, d.url, d.sha256 ?? undefined),
        sha256: d.sha256 ?? undefined,
        name: d.name ?? undefined,
        model: d.model,
        state: interrupted ? 'paused' : d.state,
        received: d.receivedBytes,
        total: d.totalBytes,
        bytesPerSecond: 0,
        error: interrupted ? 'the app stopped during the download; resume to continue' : d.error,
        startedAt: d.startedAt,
        controller: undefined,
        stopping: undefined,
        running: undefined,
        settled: [],
      };
      this.jobs.set(job.id, job);
      if (interrupted) this.persist(job);
    }
  }

  private persist(job: Job): void {
    if (!this.options.db) return;
    try {
      saveDownload(
        this.options.db,
        {
          id: job.id,
          url: job.url,
          sha256: job.sha256 ?? null,
          fileName: job.fileName,
          name: job.name ?? null,
          model: job.model,
          state: job.state,
          receivedBytes: job.received,
          totalBytes: job.total,
          error: job.error,
          startedAt: job.startedAt,
        },
        this.options.clock.now(),
      );
    } catch (e) {
      this.options.logger.error({ err: e, download: job.id }, 'could not save the download state');
    }
  }

  start(input: StartDownload): DownloadView {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw new AppFailure('invalid_input', 'url: not a valid URL', [{ path: 'url', message: 'not a valid URL' }]);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new AppFailure('invalid_input', 'url: only http and https downloads are supported', [{ path: 'url', message: 'must be http or https' }]);
    }
    const fileName = safeFileName(input.fileName ?? decodeURIComponent(basename(url.pathname)));
    mkdirSync(this.options.dir, { recursive: true });
    const dest = join(this.options.dir, fileName);
    for (const j of this.jobs.values()) {
      if (j.dest === dest && (j.state === 'running' || j.state === 'paused' || j.state === 'verifying')) {
        throw new AppFailure('conflict', `${fileName} is already being downloaded (${j.id})`);
      }
    }
    const job: Job = {
      id: `dl_${randomBytes(6).toString('hex')}`,
      url: url.toString(),
      fileName,
      dest,
      part: partPath(dest, url.toString(), input.sha256?.toLowerCase()),
      sha256: input.sha256?.toLowerCase(),
      name: input.name,
      model: null,
      state: 'running',
      received: 0,
      total: null,
      bytesPerSecond: 0,
      error: null,
      startedAt: this.options.clock.now(),
      controller: undefined,
      stopping: undefined,
      running: undefined,
      settled: [],
    };
    this.jobs.set(job.id, job);
    this.persist(job);
    this.run(job);
    return this.view(job);
  }

  /** Stops the transfer and keeps the partial file, so `resume` continues where it stopped. */
  pause(id: string): DownloadView {
    const job = this.require(id);
    if (job.state !== 'running') throw new AppFailure('conflict', `download ${id} is ${job.state}, not running`);
    job.stopping = 'pause';
    job.controller?.abort();
    return this.view(job);
  }

  resume(id: string): DownloadView {
    const job = this.require(id);
    if (job.state !== 'paused' && job.state !== 'failed') throw new AppFailure('conflict', `download ${id} is ${job.state}; only a paused or failed download resumes`);
    this.run(job);
    return this.view(job);
  }

  /** Stops the transfer and deletes the partial file. */
  async cancel(id: string): Promise<DownloadView> {
    const job = this.require(id);
    if (job.state === 'completed' || job.state === 'cancelled') return this.view(job);
    job.stopping = 'cancel';
    job.controller?.abort();
    await job.running;
    if ((job.state as DownloadState) !== 'cancelled') {
      await rm(job.part, { force: true });
      this.setState(job, 'cancelled', null);
    }
    return this.view(job);
  }

  list(): DownloadView[] {
    return [...this.jobs.values()].map((j) => this.view(j));
  }

  get(id: string): DownloadView {
    return this.view(this.require(id));
  }

  /** Resolves when the download stops running (completed, paused, failed or cancelled). */
  settled(id: string): Promise<DownloadView> {
    const job = this.require(id);
    if (job.state !== 'running' && job.state !== 'verifying') return Promise.resolve(this.view(job));
    return new Promise((resolve) => job.settled.push(() => resolve(this.view(job))));
  }

  async close(): Promise<void> {
    for (const job of this.jobs.values()) {
      if (job.state === 'running') {
        job.stopping = 'pause';
        job.controller?.abort();
      }
    }
    await Promise.all([...this.jobs.values()].map((j) => j.running));
  }

  private run(job: Job): void {
    const controller = new AbortController();
    job.controller = controller;
    job.stopping = undefined;
    job.error = null;
    this.setState(job, 'running', null);
    const running = this.transfer(job, controller.signal)
      .then(() => this.finish(job))
      .catch(async (e: unknown) => {
        if (job.stopping === 'pause') {
          this.setState(job, 'paused', null);
        } else if (job.stopping === 'cancel') {
          await rm(job.part, { force: true });
          this.setState(job, 'cancelled', null);
        } else {
          const message = e instanceof AppFailure ? e.message : `download failed: ${networkReason(e, job.url)}`;
          this.options.logger.warn({ url: job.url, err: message }, 'model download failed');
          this.setState(job, 'failed', message);
        }
      })
      .finally(() => {
        job.controller = undefined;
        if (job.running === running) job.running = undefined;
        for (const s of job.settled.splice(0)) s();
      });
    job.running = running;
  }

  /** Appends the rest of the file to the partial file, asking the server to start where it ends. */
  private async transfer(job: Job, signal: AbortSignal): Promise<void> {
    let offset = await sizeOf(job.part);
    const response = await this.fetch(job.url, {
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      redirect: 'follow',
      signal,
    });
    if (response.status === 416 && offset > 0) {
      // Nothing left to send: the partial file is already whole.
      await response.body?.cancel();
      job.received = offset;
      return;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new AppFailure('unavailable', `the server answered HTTP ${response.status} for ${job.url}`);
    }
    const length = Number(response.headers.get('content-length') ?? NaN);
    if (response.status === 206) {
      const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== offset) {
        await response.body?.cancel();
        throw new AppFailure('unavailable', `the server resumed at the wrong place (${response.headers.get('content-range') ?? 'no Content-Range'}); cancel and start again`);
      }
      job.total = range[2] === '*' ? (Number.isFinite(length) ? offset + length : null) : Number(range[2]);
    } else {
      // 200: the server ignored the Range header (or there was none); start from the beginning.
      offset = 0;
      job.total = Number.isFinite(length) ? length : null;
    }
    job.received = offset;
    if (!response.body) throw new AppFailure('unavailable', `the server sent no body for ${job.url}`);
    const file = await open(job.part, offset > 0 ? 'a' : 'w');
    const interval = this.options.progressIntervalMs ?? 250;
    let lastAt = this.options.clock.now();
    let lastBytes = job.received;
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        await file.write(chunk);
        job.received += chunk.byteLength;
        const now = this.options.clock.now();
        if (now - lastAt >= interval) {
          job.bytesPerSecond = ((job.received - lastBytes) * 1000) / Math.max(1, now - lastAt);
          lastAt = now;
          lastBytes = job.received;
          this.progress(job);
        }
      }
    } finally {
      await file.close();
    }
    this.progress(job);
    if (job.total !== null && job.received !== job.total) {
      throw new AppFailure('unavailable', `the connection closed after ${job.received} of ${job.total} bytes; resume to continue`);
    }
  }

  /** Verifies and registers a complete file; a bad file is deleted, never registered. */
  private async finish(job: Job): Promise<void> {
    this.setState(job, 'verifying', null);
    const actual = await sha256File(job.part);
    if (job.sha256 && actual !== job.sha256) {
      await rm(job.part, { force: true });
      throw new AppFailure('invalid_input', `checksum mismatch for ${job.fileName}: expected ${job.sha256}, got ${actual}; the file was deleted and not registered`);
    }
    if (job.stopping === 'cancel') throw new AppFailure('cancelled', 'download cancelled');
    await rename(job.part, job.dest);
    try {
      const entry = await this.options.registry.addByPath({ path: job.dest, name: job.name });
      job.model = entry.name;
    } catch (e) {
      await rm(job.dest, { force: true });
      throw e instanceof AppFailure ? new AppFailure(e.code, `${e.message}; the downloaded file was deleted`) : e;
    }
    this.setState(job, 'completed', null);
  }

  private progress(job: Job): void {
    this.options.events.emit({
      type: 'download.progress',
      id: job.id,
      receivedBytes: job.received,
      totalBytes: job.total,
      bytesPerSecond: job.bytesPerSecond,
    });
  }

  private setState(job: Job, state: DownloadState, error: string | null): void {
    job.state = state;
    job.error = error;
    this.persist(job);
    this.options.events.emit({ type: 'download.state', id: job.id, state, error });
  }

  private require(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new AppFailure('not_found', `no download with id ${id}`);
    return job;
  }

  private view(job: Job): DownloadView {
    return {
      id: job.id,
      url: job.url,
      fileName: job.fileName,
      model: job.model,
      state: job.state,
      receivedBytes: job.received,
      totalBytes: job.total,
      bytesPerSecond: job.bytesPerSecond,
      error: job.error,
      startedAt: job.startedAt,
    };
  }
}

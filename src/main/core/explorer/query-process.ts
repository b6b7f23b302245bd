import { spawn, type ChildProcess } from 'node:child_process';
import { z } from 'zod';
import { ExplorerCell } from '../../../shared/channels/explorer';
import { AppFailure } from '../../../shared/errors';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { EXPLORER_CHILD_SOURCE } from './child-source';

export type QueryParam = string | number | null;

export type QueryRequest = {
  sql: string;
  params?: readonly QueryParam[];
  rowLimit: number;
  timeLimitMs: number;
};

export type QueryRows = { columns: string[]; rows: ExplorerCell[][]; truncated: boolean; elapsedMs: number };

export type QueryProcessOptions = {
  /** The database file; the process opens its own read-only connection to it. */
  file: string;
  /** Absolute path of the better-sqlite3 entry module. */
  driver: string;
  /** Absolute path of the sqlite-vec loadable extension, if tables may use it. */
  extension?: string | undefined;
  logger: Logger;
  clock: Clock;
  /** Node (or Electron, which runs as Node with ELECTRON_RUN_AS_NODE). */
  execPath?: string;
  /** The idle process exits after this long (it costs memory, not CPU). */
  idleMs?: number;
  /** Requests waiting beyond this are refused instead of queued. */
  maxQueued?: number;
  /** Largest reply, in approximate bytes of cell data. */
  maxReplyBytes?: number;
  startTimeoutMs?: number;
};

const Reply = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready') }),
  z.object({ kind: z.literal('fatal'), message: z.string() }),
  z.object({
    kind: z.literal('rows'),
    id: z.number(),
    columns: z.array(z.string()),
    rows: z.array(z.array(ExplorerCell)),
    truncated: z.boolean(),
  }),
  z.object({ kind: z.literal('error'), id: z.number().nullish(), code: z.string(), message: z.string() }),
]);
type Reply = z.infer<typeof Reply>;

type Waiter = { id: number; resolve: (r: Reply) => void; reject: (e: AppFailure) => void };

/**
 * Runs read-only SQL in a separate process, one statement at a time, and kills the process when a
 * statement outlives its time limit (the next request starts a fresh one). The process keeps a
 * connection open between requests and exits when idle or when this side goes away.
 */
export class QueryProcess {
  private child: ChildProcess | undefined;
  private ready: Promise<ChildProcess> | undefined;
  private waiter: Waiter | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;
  private nextId = 1;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private stderr = '';

  constructor(private readonly options: QueryProcessOptions) {}

  /** Runs one statement; waits its turn behind earlier ones. */
  run(request: QueryRequest): Promise<QueryRows> {
    if (this.closed) return Promise.reject(new AppFailure('unavailable', 'the explorer is closed'));
    if (this.queued >= (this.options.maxQueued ?? 16)) {
      return Promise.reject(new AppFailure('rate_limited', 'too many explorer queries are waiting; try again when they finish'));
    }
    this.queued++;
    const result = this.tail.then(() => this.execute(request));
    this.tail = result.catch(() => undefined).finally(() => this.queued--);
    return result;
  }

  /** Stops the process (if any); pending requests fail as unavailable. */
  async close(): Promise<void> {
    this.closed = true;
    this.stop('the explorer is closed');
  }

  /** Whether a query process is running now (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.child?.exitCode === null && !this.child.killed ? this.child.pid : undefined;
  }

  private async execute(request: QueryRequest): Promise<QueryRows> {
    if (this.closed) throw new AppFailure('unavailable', 'the explorer is closed');
    this.clearIdle();
    const child = await this.start();
    const id = this.nextId++;
    const started = this.options.clock.now();
    const reply = await new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        this.stop();
        reject(
          new AppFailure(
            'timeout',
            `the query ran longer than its time limit of ${request.timeLimitMs} ms and was stopped`,
          ),
        );
      }, request.timeLimitMs);
      this.waiter = {
        id,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      child.send({
        id,
        sql: request.sql,
        params: request.params ?? [],
        rowLimit: request.rowLimit,
        maxBytes: this.options.maxReplyBytes ?? 8_000_000,
      });
    });
    this.armIdle();
    const elapsedMs = Math.max(0, this.options.clock.now() - started);
    if (reply.kind === 'rows') return { columns: reply.columns, rows: reply.rows, truncated: reply.truncated, elapsedMs };
    if (reply.kind === 'error') throw toFailure(reply.code, reply.message);
    throw new AppFailure('internal', 'the query process answered out of turn');
  }

  private start(): Promise<ChildProcess> {
    if (this.ready && this.child && this.child.exitCode === null && !this.child.killed) return this.ready;
    this.stderr = '';
    const child = spawn(this.options.execPath ?? process.execPath, ['-e', EXPLORER_CHILD_SOURCE], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
      windowsHide: true,
      env: {
        // Lets the Electron binary act as Node; plain Node ignores it.
        ELECTRON_RUN_AS_NODE: '1',
        AA_EXPLORER_INIT: JSON.stringify({
          file: this.options.file,
          driver: this.options.driver,
          extension: this.options.extension ?? null,
        }),
      },
    });
    this.child = child;
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-2_000);
    });
    this.ready = new Promise<ChildProcess>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stop();
        reject(new AppFailure('unavailable', 'the explorer query process did not start in time'));
      }, this.options.startTimeoutMs ?? 15_000);
      child.on('message', (raw: unknown) => {
        const parsed = Reply.safeParse(raw);
        if (!parsed.success) {
          this.options.logger.warn({ issues: parsed.error.issues.length }, 'explorer process sent a malformed message');
          return;
        }
        const message = parsed.data;
        if (message.kind === 'ready') {
          clearTimeout(timer);
          resolve(child);
        } else if (message.kind === 'fatal') {
          clearTimeout(timer);
          reject(new AppFailure('unavailable', `the explorer cannot open the database: ${message.message}`));
        } else if (this.waiter && (message.id === this.waiter.id || message.id == null)) {
          const w = this.waiter;
          this.waiter = undefined;
          w.resolve(message);
        }
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new AppFailure('unavailable', `the explorer query process failed to start: ${e.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
        }
        const why = `the explorer query process exited (${signal ?? code})${this.stderr ? `: ${this.stderr.trim()}` : ''}`;
        reject(new AppFailure('unavailable', why));
        const w = this.waiter;
        if (w) {
          this.waiter = undefined;
          w.reject(new AppFailure('unavailable', why));
        }
      });
    });
    return this.ready;
  }

  /** Kills the process: SIGKILL, because a statement stuck inside SQLite ignores anything gentler. */
  private stop(reason?: string): void {
    this.clearIdle();
    const child = this.child;
    this.child = undefined;
    this.ready = undefined;
    const w = this.waiter;
    this.waiter = undefined;
    if (w && reason) w.reject(new AppFailure('unavailable', reason));
    if (child && child.exitCode === null) child.kill('SIGKILL');
  }

  private armIdle(): void {
    this.clearIdle();
    this.idleTimer = setTimeout(() => this.stop(), this.options.idleMs ?? 60_000);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

/** SQLite's refusals become errors a user can act on. */
function toFailure(code: string, message: string): AppFailure {
  if (code === 'not_a_query') return new AppFailure('forbidden', message);
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_AUTH') {
    return new AppFailure('forbidden', `${message} — the explorer's connection is read-only`);
  }
  if (code.startsWith('SQLITE_')) return new AppFailure('invalid_input', message);
  if (code === 'ERR_INVALID_ARG_TYPE' || code === 'error') return new AppFailure('invalid_input', message);
  return new AppFailure('internal', message);
}

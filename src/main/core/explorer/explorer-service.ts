import { createRequire } from 'node:module';
import * as sqliteVec from 'sqlite-vec';
import type { z } from 'zod';
import type {
  ExplorerQueryResult,
  ExplorerRowsPage,
  ExplorerTable,
  ListExplorerRowsInput,
  RunExplorerQueryInput,
} from '../../../shared/channels/explorer';
import { AppFailure } from '../../../shared/errors';
import { openReadOnly, type Db } from '../db/open';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { unpackedPath } from '../db/native-path';
import { QueryProcess } from './query-process';
import { readSchema, type TableShape } from './schema';
import { buildRowsQuery, quoteIdent } from './sql';

export type ExplorerServiceOptions = {
  /** The app database file. */
  file: string;
  logger: Logger;
  clock: Clock;
  /** Time allowed for counting one table's rows before the count is shown as unknown. */
  countTimeMs?: number;
  /** Time allowed for one page of rows. */
  pageTimeMs?: number;
  /** Passed to the query process (tests shorten it). */
  idleMs?: number;
  execPath?: string;
};

/**
 * The database explorer: the schema, paged rows and a SQL box, all read-only by construction.
 * The schema comes from a read-only connection in this process (cheap, bounded catalogue reads);
 * everything that scans user data runs in the query process, which a time limit can kill.
 */
export class ExplorerService {
  private readonly options: ExplorerServiceOptions;
  private readonly queries: QueryProcess;
  private catalogue: Db | undefined;
  private cached: { version: number; tables: TableShape[] } | undefined;

  constructor(options: ExplorerServiceOptions) {
    this.options = options;
    const require = createRequire(import.meta.url);
    this.queries = new QueryProcess({
      file: options.file,
      driver: require.resolve('better-sqlite3'),
      extension: vectorExtensionPath(options.logger),
      logger: options.logger,
      clock: options.clock,
      ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
      ...(options.execPath !== undefined ? { execPath: options.execPath } : {}),
    });
  }

  async listTables(): Promise<ExplorerTable[]> {
    const shapes = this.schema();
    const out: ExplorerTable[] = [];
    for (const shape of shapes) out.push({ ...shape, rowCount: await this.count(`SELECT count(*) AS n FROM ${quoteIdent(shape.name)}`, []) });
    return out;
  }

  async listRows(input: z.output<typeof ListExplorerRowsInput>): Promise<ExplorerRowsPage> {
    const shape = this.schema().find((t) => t.name === input.table);
    if (!shape) throw new AppFailure('not_found', `no table or view named ${JSON.stringify(input.table)}`, [{ path: 'table', message: 'no such table' }]);
    const query = buildRowsQuery(
      shape.name,
      shape.columns.map((c) => c.name),
      input,
    );
    const page = await this.queries.run({ ...query.page, rowLimit: input.limit, timeLimitMs: this.options.pageTimeMs ?? 5_000 });
    const total = await this.count(query.count.sql, query.count.params);
    return { table: shape.name, columns: page.columns, rows: page.rows, offset: input.offset, limit: input.limit, total };
  }

  runQuery(input: z.output<typeof RunExplorerQueryInput>): Promise<ExplorerQueryResult> {
    return this.queries.run({ sql: input.sql, rowLimit: input.rowLimit, timeLimitMs: input.timeLimitMs });
  }

  async close(): Promise<void> {
    await this.queries.close();
    this.catalogue?.close();
    this.catalogue = undefined;
  }

  /** Whether a query process is running (for tests). */
  get queryProcessId(): number | undefined {
    return this.queries.pid;
  }

  /** The catalogue, re-read only when SQLite says the schema changed. */
  private schema(): TableShape[] {
    this.catalogue ??= openReadOnly(this.options.file);
    const version = this.catalogue.pragma('schema_version', { simple: true }) as number;
    if (!this.cached || this.cached.version !== version) this.cached = { version, tables: readSchema(this.catalogue) };
    return this.cached.tables;
  }

  private async count(sql: string, params: (string | number | null)[]): Promise<number | null> {
    try {
      const r = await this.queries.run({ sql, params, rowLimit: 1, timeLimitMs: this.options.countTimeMs ?? 2_000 });
      const n = r.rows[0]?.[0];
      return typeof n === 'number' ? n : null;
    } catch (e) {
      // Too slow, or a view that no longer compiles: the count is unknown, the rest still shows.
      if (e instanceof AppFailure && (e.code === 'timeout' || e.code === 'invalid_input')) return null;
      throw e;
    }
  }
}

function vectorExtensionPath(logger: Logger): string | undefined {
  try {
    return unpackedPath(sqliteVec.getLoadablePath());
  } catch (e) {
    // Without it only vec0 tables are unreadable; the rest of the explorer still works.
    logger.warn({ err: e }, 'sqlite-vec not found for the explorer');
    return undefined;
  }
}

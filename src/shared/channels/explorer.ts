import { z } from 'zod';

/** A SQL identifier as the explorer accepts it; it is checked against the schema before use. */
const Identifier = z.string().min(1).max(256);

/** One value as the explorer shows it: blobs by size, integers beyond 2^53 as decimal text. */
export const ExplorerCell = z.union([z.null(), z.number(), z.string(), z.strictObject({ blob: z.number().int().nonnegative() })]);
export type ExplorerCell = z.infer<typeof ExplorerCell>;

export const ExplorerColumn = z.object({
  name: z.string(),
  /** Declared type, as written in the schema (empty when none). */
  type: z.string(),
  notNull: z.boolean(),
  /** Position in the primary key (1-based), 0 when not part of it. */
  primaryKey: z.number().int().nonnegative(),
  defaultValue: z.string().nullable(),
});
export type ExplorerColumn = z.infer<typeof ExplorerColumn>;

export const ExplorerTable = z.object({
  name: z.string(),
  kind: z.enum(['table', 'view', 'virtual']),
  /** Null when counting took longer than the explorer allows. */
  rowCount: z.number().int().nonnegative().nullable(),
  columns: z.array(ExplorerColumn),
  /** The CREATE statement, as stored by SQLite. */
  sql: z.string().nullable(),
});
export type ExplorerTable = z.infer<typeof ExplorerTable>;

export const EXPLORER_FILTER_OPS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'contains', 'starts_with', 'is_null', 'not_null'] as const;
export const ExplorerFilterOp = z.enum(EXPLORER_FILTER_OPS);
export type ExplorerFilterOp = z.infer<typeof ExplorerFilterOp>;

export const ExplorerFilter = z
  .strictObject({
    column: Identifier,
    op: ExplorerFilterOp,
    value: z.union([z.string().max(1_000), z.number()]).optional(),
  })
  .refine((f) => f.op === 'is_null' || f.op === 'not_null' || f.value !== undefined, {
    message: 'needs a value',
    path: ['value'],
  });
export type ExplorerFilter = z.infer<typeof ExplorerFilter>;

export const ListExplorerRowsInput = z.strictObject({
  table: Identifier,
  offset: z.number().int().min(0).max(1_000_000_000).default(0),
  limit: z.number().int().min(1).max(500).default(50),
  sort: z.strictObject({ column: Identifier, direction: z.enum(['asc', 'desc']) }).optional(),
  filters: z.array(ExplorerFilter).max(10).default([]),
});
export type ListExplorerRowsInput = z.input<typeof ListExplorerRowsInput>;

export const ExplorerRowsPage = z.object({
  table: z.string(),
  columns: z.array(z.string()),
  rows: z.array(z.array(ExplorerCell)),
  offset: z.number().int(),
  limit: z.number().int(),
  /** Rows matching the filters; null when counting took too long. */
  total: z.number().int().nonnegative().nullable(),
});
export type ExplorerRowsPage = z.infer<typeof ExplorerRowsPage>;

/** Bounds of the SQL box; the service never goes past them whatever the input says. */
export const EXPLORER_LIMITS = {
  maxRows: 10_000,
  defaultRows: 500,
  minTimeMs: 100,
  maxTimeMs: 60_000,
  defaultTimeMs: 5_000,
} as const;

export const RunExplorerQueryInput = z.strictObject({
  sql: z.string().trim().min(1, 'must not be empty').max(100_000),
  rowLimit: z.number().int().min(1).max(EXPLORER_LIMITS.maxRows).default(EXPLORER_LIMITS.defaultRows),
  timeLimitMs: z.number().int().min(EXPLORER_LIMITS.minTimeMs).max(EXPLORER_LIMITS.maxTimeMs).default(EXPLORER_LIMITS.defaultTimeMs),
});
export type RunExplorerQueryInput = z.input<typeof RunExplorerQueryInput>;

export const ExplorerQueryResult = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.array(ExplorerCell)),
  /** More rows existed than the row limit (or the reply size) allowed. */
  truncated: z.boolean(),
  elapsedMs: z.number().nonnegative(),
});
export type ExplorerQueryResult = z.infer<typeof ExplorerQueryResult>;

/** The read-only database explorer. */
export const explorerChannels = {
  listExplorerTables: { input: z.strictObject({}), output: z.array(ExplorerTable) },
  listExplorerRows: { input: ListExplorerRowsInput, output: ExplorerRowsPage },
  runExplorerQuery: { input: RunExplorerQueryInput, output: ExplorerQueryResult },
} as const;

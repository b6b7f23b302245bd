import type { z } from 'zod';
import type { ExplorerFilter, ListExplorerRowsInput } from '../../../shared/channels/explorer';
import { AppFailure } from '../../../shared/errors';
import type { QueryParam } from './query-process';

/** Quotes an identifier for SQLite. Only names read from the schema ever reach it. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

const COMPARE = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' } as const;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export type RowsQuery = { page: { sql: string; params: QueryParam[] }; count: { sql: string; params: QueryParam[] } };

/**
 * The SELECT for one page of a table: identifiers are checked against the table's real columns
 * and quoted, every value is a bound parameter.
 */
export function buildRowsQuery(
  table: string,
  columns: readonly string[],
  input: z.output<typeof ListExplorerRowsInput>,
): RowsQuery {
  const known = new Set(columns);
  const check = (column: string, path: string) => {
    if (!known.has(column)) {
      throw new AppFailure('invalid_input', `${path}: ${table} has no column ${JSON.stringify(column)}`, [
        { path, message: `no such column in ${table}` },
      ]);
    }
    return quoteIdent(column);
  };
  const where: string[] = [];
  const params: QueryParam[] = [];
  input.filters.forEach((f: ExplorerFilter, i) => {
    const col = check(f.column, `filters[${i}].column`);
    switch (f.op) {
      case 'is_null':
        where.push(`${col} IS NULL`);
        break;
      case 'not_null':
        where.push(`${col} IS NOT NULL`);
        break;
      case 'contains':
        where.push(`${col} LIKE ? ESCAPE '\\'`);
        params.push(`%${escapeLike(String(f.value ?? ''))}%`);
        break;
      case 'starts_with':
        where.push(`${col} LIKE ? ESCAPE '\\'`);
        params.push(`${escapeLike(String(f.value ?? ''))}%`);
        break;
      default:
        where.push(`${col} ${COMPARE[f.op]} ?`);
        params.push(f.value ?? null);
    }
  });
  const from = `FROM ${quoteIdent(table)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
  const order = input.sort ? ` ORDER BY ${check(input.sort.column, 'sort.column')} ${input.sort.direction === 'desc' ? 'DESC' : 'ASC'}` : '';
  return {
    page: { sql: `SELECT * ${from}${order} LIMIT ? OFFSET ?`, params: [...params, input.limit, input.offset] },
    count: { sql: `SELECT count(*) AS n ${from}`, params },
  };
}

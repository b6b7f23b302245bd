import { useEffect, useState } from 'react';
import {
  EXPLORER_FILTER_OPS,
  type ExplorerFilter,
  type ExplorerFilterOp,
  type ExplorerRowsPage,
  type ExplorerTable,
} from '../../../../shared/channels/explorer';
import { api } from '../../api';
import { ResultGrid } from './CellValue';

const OP_LABELS: Record<ExplorerFilterOp, string> = {
  eq: '=',
  ne: '≠',
  lt: '<',
  le: '≤',
  gt: '>',
  ge: '≥',
  contains: 'contains',
  starts_with: 'starts with',
  is_null: 'is null',
  not_null: 'is not null',
};
const PAGE_SIZES = [25, 50, 100, 250];
type Sort = { column: string; direction: 'asc' | 'desc' };

/** One table's rows: sortable columns, filters, and paging, all done by the database. */
export function RowsView({ table }: { table: ExplorerTable }) {
  const [offset, setOffset] = useState(0);
  const [limit, setLimit] = useState(50);
  const [sort, setSort] = useState<Sort | undefined>(undefined);
  const [filters, setFilters] = useState<ExplorerFilter[]>([]);
  const [result, setResult] = useState<{ key: string; page: ExplorerRowsPage | null; error: string | null } | null>(null);
  const key = JSON.stringify([table.name, offset, limit, sort, filters]);
  const loading = result?.key !== key;

  useEffect(() => {
    let live = true;
    void api.listExplorerRows({ table: table.name, offset, limit, sort, filters }).then((r) => {
      if (!live) return;
      // A failed page keeps the last good one on screen under the error.
      setResult((prev) => (r.ok ? { key, page: r.value, error: null } : { key, page: prev?.page ?? null, error: r.error.message }));
    });
    return () => {
      live = false;
    };
  }, [key, table.name, offset, limit, sort, filters]);
  const page = result?.page ?? null;
  const error = result?.error ?? null;

  const cycleSort = (column: string) => {
    setOffset(0);
    setSort((s) => (s?.column !== column ? { column, direction: 'asc' } : s.direction === 'asc' ? { column, direction: 'desc' } : undefined));
  };
  const total = page?.total ?? null;
  const shownTo = page ? offset + page.rows.length : 0;

  return (
    <section aria-labelledby="rows-title" className="rows-view">
      <h3 id="rows-title">Rows</h3>
      <FilterBar
        columns={table.columns.map((c) => c.name)}
        filters={filters}
        onChange={(f) => {
          setOffset(0);
          setFilters(f);
        }}
      />
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {page && <ResultGrid columns={page.columns} rows={page.rows} label={`Rows of ${table.name}`} sort={sort} onSort={cycleSort} />}
      <div className="pager" role="group" aria-label="Pages">
        <button type="button" className="secondary" disabled={offset === 0 || loading} onClick={() => setOffset(Math.max(0, offset - limit))}>
          Previous page
        </button>
        <span role="status" aria-live="polite" data-testid="page-status">
          {loading ? 'Loading…' : page && page.rows.length > 0 ? `Rows ${offset + 1}–${shownTo}${total !== null ? ` of ${total}` : ''}` : 'No rows'}
        </span>
        <button
          type="button"
          className="secondary"
          disabled={loading || !page || page.rows.length < limit || (total !== null && shownTo >= total)}
          onClick={() => setOffset(offset + limit)}
        >
          Next page
        </button>
        <label>
          Rows per page{' '}
          <select
            value={limit}
            onChange={(e) => {
              setOffset(0);
              setLimit(Number(e.target.value));
            }}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
    </section>
  );
}

function FilterBar({ columns, filters, onChange }: { columns: string[]; filters: ExplorerFilter[]; onChange: (f: ExplorerFilter[]) => void }) {
  const [column, setColumn] = useState(columns[0] ?? '');
  const [op, setOp] = useState<ExplorerFilterOp>('eq');
  const [value, setValue] = useState('');
  const needsValue = op !== 'is_null' && op !== 'not_null';
  const add = () => {
    if (!column || (needsValue && value === '')) return;
    onChange([...filters, needsValue ? { column, op, value } : { column, op }]);
    setValue('');
  };
  return (
    <div className="filter-bar">
      <form
        className="row"
        aria-label="Add a filter"
        onSubmit={(e) => {
          e.preventDefault();
          add();
        }}
      >
        <label>
          <span className="visually-hidden">Filter column</span>
          <select aria-label="Filter column" value={column} onChange={(e) => setColumn(e.target.value)}>
            {columns.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span className="visually-hidden">Filter operator</span>
          <select aria-label="Filter operator" value={op} onChange={(e) => setOp(e.target.value as ExplorerFilterOp)}>
            {EXPLORER_FILTER_OPS.map((o) => (
              <option key={o} value={o}>
                {OP_LABELS[o]}
              </option>
            ))}
          </select>
        </label>
        {needsValue && <input aria-label="Filter value" value={value} onChange={(e) => setValue(e.target.value)} placeholder="value" />}
        <button type="submit" className="secondary">
          Add filter
        </button>
      </form>
      {filters.length > 0 && (
        <ul className="chips" aria-label="Active filters">
          {filters.map((f, i) => {
            const text = `${f.column} ${OP_LABELS[f.op]}${f.value !== undefined ? ` ${String(f.value)}` : ''}`;
            return (
              <li key={i}>
                {text}
                <button type="button" className="chip-remove" aria-label={`Remove filter ${text}`} onClick={() => onChange(filters.filter((_, j) => j !== i))}>
                  ×
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

import type { ExplorerCell } from '../../../../shared/channels/explorer';

const MAX_SHOWN = 160;

export function cellText(v: ExplorerCell): string {
  if (v === null) return 'NULL';
  if (typeof v === 'object') return `<blob ${v.blob} bytes>`;
  return String(v);
}

/** One value in a result grid: long text is cut (the full value is in the tooltip), NULL is marked. */
export function CellValue({ value }: { value: ExplorerCell }) {
  if (value === null) return <span className="muted">NULL</span>;
  if (typeof value === 'object') return <span className="muted">{cellText(value)}</span>;
  const text = String(value);
  if (text.length <= MAX_SHOWN) return <>{text}</>;
  return <span title={text.slice(0, 2_000)}>{text.slice(0, MAX_SHOWN)}…</span>;
}

export function ResultGrid({ columns, rows, label, sort, onSort }: {
  columns: string[];
  rows: ExplorerCell[][];
  label: string;
  sort?: { column: string; direction: 'asc' | 'desc' } | undefined;
  onSort?: ((column: string) => void) | undefined;
}) {
  return (
    <div className="grid-scroll" tabIndex={0} role="region" aria-label={`${label}, scrollable`}>
      <table className="data-grid" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => {
              const dir = sort?.column === c ? sort.direction : undefined;
              return (
                <th key={c} scope="col" aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : onSort ? 'none' : undefined}>
                  {onSort ? (
                    <button type="button" className="sort-button" onClick={() => onSort(c)}>
                      {c}
                      <span aria-hidden="true">{dir === 'asc' ? ' ▲' : dir === 'desc' ? ' ▼' : ''}</span>
                    </button>
                  ) : (
                    c
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {r.map((v, j) => (
                <td key={j} className={typeof v === 'number' ? 'num mono' : 'mono'}>
                  <CellValue value={v} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

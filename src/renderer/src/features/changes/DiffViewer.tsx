import { useMemo, type MouseEvent } from 'react';
import { parseUnifiedDiff, type DiffFile, type DiffHunk, type DiffLine } from './parse-diff';
import './changes.css';

export type DiffViewerProps = {
  /** A unified diff as `git diff` writes it (the task's patch). */
  patch: string;
  /** The patch's sha256, shown so an approver can match it with what is applied. */
  sha256?: string;
  title?: string;
  /** Lines shown per file before the rest is folded away (large diffs stay responsive). */
  maxLinesPerFile?: number;
  /** Prefix of the element ids, so two diffs on one page do not share ids. */
  idPrefix?: string;
};

/** A readable unified diff: a summary of the files, then each file's hunks with line numbers. */
export function DiffViewer({ patch, sha256, title = 'Changes', maxLinesPerFile = 400, idPrefix = 'diff' }: DiffViewerProps) {
  const files = useMemo(() => parseUnifiedDiff(patch), [patch]);
  const added = files.reduce((n, f) => n + f.added, 0);
  const removed = files.reduce((n, f) => n + f.removed, 0);
  return (
    <section className="chg-section" aria-labelledby={`${idPrefix}-title`}>
      <h3 id={`${idPrefix}-title`}>
        {title}{' '}
        <span className="muted">
          {files.length} file{files.length === 1 ? '' : 's'}, <span className="chg-add">+{added}</span> <span className="chg-del">−{removed}</span>
        </span>
      </h3>
      {sha256 ? (
        <p className="muted">
          Patch sha256 <span className="mono chg-hash">{sha256}</span>
        </p>
      ) : null}
      {files.length === 0 ? (
        <p className="empty">No changes.</p>
      ) : (
        <>
          <ul className="chg-files" aria-label="Changed files">
            {files.map((f, i) => (
              <li key={`${i}:${f.path}`}>
                <a href={`#${idPrefix}-file-${i}`} className="mono" onClick={(e) => jump(e, `${idPrefix}-file-${i}`)}>
                  {f.path}
                </a>{' '}
                <FileBadges file={f} />
              </li>
            ))}
          </ul>
          {files.map((f, i) => (
            <FileDiff key={`${i}:${f.path}`} file={f} index={i} id={`${idPrefix}-file-${i}`} maxLines={maxLinesPerFile} />
          ))}
        </>
      )}
    </section>
  );
}

function jump(e: MouseEvent<HTMLAnchorElement>, id: string): void {
  // The app routes on the hash: scroll to the file instead of navigating.
  e.preventDefault();
  document.getElementById(id)?.scrollIntoView({ block: 'start' });
}

function FileBadges({ file }: { file: DiffFile }) {
  return (
    <>
      {file.status !== 'modified' ? <span className={`badge chg-status-${file.status}`}>{file.status}</span> : null}
      {file.binary ? <span className="badge">binary</span> : null}
      <span className="chg-add mono">+{file.added}</span> <span className="chg-del mono">−{file.removed}</span>
    </>
  );
}

/** The hunks' lines up to `max` in all, and how many are left out. */
function limitLines(hunks: readonly DiffHunk[], max: number): { shown: { hunk: DiffHunk; lines: DiffLine[] }[]; hidden: number } {
  let left = max;
  const shown = hunks.map((hunk) => {
    const lines = hunk.lines.slice(0, Math.max(0, left));
    left -= lines.length;
    return { hunk, lines };
  });
  const total = hunks.reduce((n, h) => n + h.lines.length, 0);
  return { shown, hidden: Math.max(0, total - max) };
}

function FileDiff({ file, index, id, maxLines }: { file: DiffFile; index: number; id: string; maxLines: number }) {
  const { shown: hunks, hidden } = limitLines(file.hunks, maxLines);
  return (
    <details className="chg-file" id={id} open={index < 20} data-path={file.path}>
      <summary>
        <span className="mono">{file.status === 'renamed' && file.oldPath ? `${file.oldPath} → ${file.path}` : file.path}</span> <FileBadges file={file} />
      </summary>
      {file.binary ? (
        <p className="muted">Binary file; its content is not shown.</p>
      ) : (
        <table className="chg-table mono" aria-label={`Diff of ${file.path}`}>
          {/* Column widths for the fixed layout (the header row is visually hidden, so it sets none). */}
          <colgroup>
            <col className="chg-col-no" />
            <col className="chg-col-no" />
            <col className="chg-col-sign" />
            <col />
          </colgroup>
          <thead className="visually-hidden">
            <tr>
              <th scope="col">Old line</th>
              <th scope="col">New line</th>
              <th scope="col">Change</th>
              <th scope="col">Text</th>
            </tr>
          </thead>
          {hunks.map(({ hunk, lines }, hi) => (
            <tbody key={hi}>
              <tr className="chg-hunk">
                <td colSpan={4}>{hunk.header}</td>
              </tr>
              {lines.map((l, li) => (
                <Line key={li} line={l} />
              ))}
            </tbody>
          ))}
        </table>
      )}
      {hidden > 0 ? <p className="muted">{hidden} more lines not shown.</p> : null}
    </details>
  );
}

function Line({ line }: { line: DiffLine }) {
  switch (line.kind) {
    case 'add':
      return (
        <tr className="chg-line chg-line-add">
          <td className="chg-no" />
          <td className="chg-no">{line.newNo}</td>
          <td className="chg-sign">
            <span aria-hidden="true">+</span>
            <span className="visually-hidden">added</span>
          </td>
          <td className="chg-text">{line.text}</td>
        </tr>
      );
    case 'del':
      return (
        <tr className="chg-line chg-line-del">
          <td className="chg-no">{line.oldNo}</td>
          <td className="chg-no" />
          <td className="chg-sign">
            <span aria-hidden="true">−</span>
            <span className="visually-hidden">removed</span>
          </td>
          <td className="chg-text">{line.text}</td>
        </tr>
      );
    case 'context':
      return (
        <tr className="chg-line">
          <td className="chg-no">{line.oldNo}</td>
          <td className="chg-no">{line.newNo}</td>
          <td className="chg-sign" />
          <td className="chg-text">{line.text}</td>
        </tr>
      );
    case 'note':
      return (
        <tr className="chg-line chg-line-note">
          <td colSpan={4}>{line.text}</td>
        </tr>
      );
  }
}

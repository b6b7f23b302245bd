import { locate, locateKeepingIndent, type Candidate, type Tier } from './locate';
import { mergeEdit } from './merge';

/** One SEARCH/REPLACE pair: the old text, located by content, and what replaces it. */
export type SearchReplace = { search: string; replace: string };

export type ReplaceOutcome =
  | { ok: true; text: string; tiers: Tier[] }
  | { ok: false; message: string; failures: BlockFailure[] };

export type BlockFailure = { block: number; kind: 'not_found' | 'ambiguous' | 'empty_search' | 'merge'; message: string };

/**
 * Applies SEARCH/REPLACE blocks to a file's text, in order, each to the result of the one before.
 * Line endings stay the file's own (CRLF stays CRLF whatever the model wrote) and so does the final
 * newline. All blocks apply or none does; every failing block is described with line numbers, so the
 * model can correct it next turn. `original` null means the file does not exist yet.
 */
export function applyReplacements(path: string, original: string | null, blocks: readonly SearchReplace[]): ReplaceOutcome {
  const source = original ?? '';
  const crlf = usesCrlf(source);
  const unixText = crlf ? source.replace(/\r\n/g, '\n') : source;
  const finalNewline = unixText === '' || unixText.endsWith('\n');
  let lines = toLines(unixText);
  const tiers: Tier[] = [];
  const failures: BlockFailure[] = [];
  blocks.forEach((block, index) => {
    const search = toLines(block.search.replace(/\r\n?/g, '\n'));
    const replace = toLines(block.replace.replace(/\r\n?/g, '\n'));
    const label = blocks.length > 1 ? `SEARCH block ${index + 1} of ${blocks.length}` : 'the SEARCH block';
    if (search.every((l) => l.trim() === '')) {
      if (lines.every((l) => l.trim() === '')) {
        lines = replace;
        tiers.push('exact');
        return;
      }
      failures.push({ block: index + 1, kind: 'empty_search', message: `${path}: ${label} is empty but the file is not; put in SEARCH the existing lines next to where the new text goes` });
      return;
    }
    const found = locate(lines, search);
    if (!found.ok) {
      failures.push(
        found.kind === 'ambiguous'
          ? {
              block: index + 1,
              kind: 'ambiguous',
              message: `${path}: ${label} matches ${found.lines.length} places (lines ${found.lines.join(', ')}${found.tier === 'exact' ? '' : `, ignoring ${found.tier === 'fuzzy' ? 'small differences' : 'whitespace'}`}); add surrounding lines to SEARCH so it matches one place`,
            }
          : { block: index + 1, kind: 'not_found', message: notFound(path, label, lines, replace, found.nearest) },
      );
      return;
    }
    let merged = mergeEdit(lines, found.placement, search, replace);
    if (!merged.ok && merged.kind === 'indent' && found.placement.tier !== 'exact') {
      const strict = locateKeepingIndent(lines, search);
      if (strict.ok) {
        const again = mergeEdit(lines, strict.placement, search, replace);
        if (again.ok) merged = again;
      }
    }
    if (!merged.ok) {
      failures.push({ block: index + 1, kind: 'merge', message: `${path}: ${label}: ${merged.message}` });
      return;
    }
    lines = merged.lines;
    tiers.push(found.placement.tier);
  });
  if (failures.length > 0) return { ok: false, message: failures.map((f) => f.message).join('\n'), failures };
  let text = lines.join('\n');
  if (lines.length > 0 && finalNewline) text += '\n';
  return { ok: true, text: crlf ? text.replace(/\n/g, '\r\n') : text, tiers };
}

/** True when most line ends of the text are CRLF. */
export function usesCrlf(text: string): boolean {
  const crlf = text.split('\r\n').length - 1;
  if (crlf === 0) return false;
  const lf = text.split('\n').length - 1;
  return crlf * 2 >= lf;
}

/** Lines without their ends; a final newline ends the last line rather than starting another. */
export function toLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function notFound(path: string, label: string, lines: readonly string[], replace: readonly string[], nearest: Candidate | null): string {
  const parts = [`${path}: ${label} was not found in the file (${lines.length} lines).`];
  const already = replace.length > 0 && replace.some((l) => l.trim() !== '') ? locate(lines, replace) : null;
  if (already?.ok) parts.push(`Its REPLACE text is already at line ${already.placement.start + 1}: the change may be made already.`);
  if (nearest) {
    parts.push(`Nearest lines (similarity ${nearest.score.toFixed(2)}):`);
    nearest.text.forEach((t, i) => parts.push(`${String(nearest.line + i).padStart(5)}| ${t}`));
  }
  parts.push('Copy the SEARCH lines exactly from the file as it is now.');
  return parts.join('\n');
}

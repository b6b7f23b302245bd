import type { WorkerAction } from '../action';
import { applyReplacements, toLines, usesCrlf } from './apply';
import type { TextEditAction } from './format';

/** A file as the worker reads it now: its text and the hash the changeset will expect. */
export type ReadText = (path: string) => Promise<{ text: string; sha256: string } | null | 'binary'>;

export type ResolvedAction = { ok: true; action: WorkerAction; seen: Map<string, string> } | { ok: false; message: string };

/** Existing files longer than this must be edited with SEARCH/REPLACE blocks, not rewritten whole. */
export const MAX_WHOLE_FILE_LINES = 400;

/**
 * Turns a text action into the worker's action: SEARCH/REPLACE blocks are placed in the files as they
 * are now and become whole-file writes, each expecting the hash of the content the blocks were placed
 * in (`seen`), so the workspace's changeset still checks scope, budget and concurrent changes. Any
 * block that cannot be placed refuses the whole action with every reason, for the model's next try.
 */
export async function resolveTextAction(action: TextEditAction, read: ReadText): Promise<ResolvedAction> {
  const base = { reason: action.reason, confidence: action.confidence, criteria_met: action.criteria_met };
  if (action.action === 'no-op') return { ok: true, action: { action: 'no-op', ...base, edits: [] }, seen: new Map() };
  const seen = new Map<string, string>();
  const current = new Map<string, string | null>();
  const problems: string[] = [];
  const edits: WorkerAction['edits'] = [];
  const textOf = async (path: string): Promise<string | null | 'binary'> => {
    if (current.has(path)) return current.get(path)!;
    const file = await read(path);
    if (file === 'binary') return 'binary';
    if (file) seen.set(path, file.sha256);
    current.set(path, file?.text ?? null);
    return file?.text ?? null;
  };
  for (const e of action.edits) {
    if (e.op === 'delete' || e.op === 'rename') {
      edits.push({ op: e.op, path: e.path, content: '', to: e.op === 'rename' ? e.to : '', hunks: [] });
      continue;
    }
    const before = await textOf(e.path);
    if (before === 'binary') {
      problems.push(`${e.path} is a binary file; it cannot be edited as text`);
      continue;
    }
    let after: string;
    if (e.op === 'write') {
      if (before !== null && toLines(before).length > MAX_WHOLE_FILE_LINES) {
        problems.push(`${e.path} has ${toLines(before).length} lines; change it with EDIT and SEARCH/REPLACE blocks instead of rewriting it whole`);
        continue;
      }
      after = before !== null && usesCrlf(before) ? e.content.replace(/\r?\n/g, '\r\n') : e.content;
    } else {
      const placed = applyReplacements(e.path, before, e.blocks);
      if (!placed.ok) {
        problems.push(before === null && e.blocks.some((b) => b.search.trim() !== '') ? `${e.path} does not exist; create it with WRITE` : placed.message);
        continue;
      }
      after = placed.text;
    }
    current.set(e.path, after);
    const existing = edits.findIndex((x) => x.op === 'write' && x.path === e.path);
    const edit = { op: 'write' as const, path: e.path, content: after, to: '', hunks: [] };
    if (existing >= 0) edits[existing] = edit;
    else edits.push(edit);
  }
  if (problems.length > 0) return { ok: false, message: problems.join('\n') };
  return { ok: true, action: { action: 'write', ...base, edits }, seen };
}

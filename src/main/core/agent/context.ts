import { isBinary } from '../workspace/hash';
import { underEntry } from '../workspace/glob';
import type { ScopeSpec } from '../workspace/policy';
import type { Workspace } from '../workspace/workspace';

export type ContextLimits = {
  /** Files whose content is shown. */
  maxFiles: number;
  /** Characters of one file shown; longer files are cut and marked. */
  maxFileChars: number;
  /** Characters of all shown files together. */
  maxTotalChars: number;
  /** Names listed (without content). */
  maxListed: number;
};

export const DEFAULT_CONTEXT_LIMITS: ContextLimits = { maxFiles: 8, maxFileChars: 8_000, maxTotalChars: 24_000, maxListed: 300 };

export type ShownFile = { path: string; content: string; truncated: boolean; lines: number };

export type WorkContext = {
  files: ShownFile[];
  listed: string[];
  totalFiles: number;
  /** Hash of each shown file as shown: the expected previous content of any edit to it. */
  seen: Map<string, string>;
};

/**
 * Picks what the worker sees: files already changed first, then in-scope files named in the task or
 * in failing gate output, then in-scope files the retrieval service ranked for the task (best first),
 * then the rest of the scope, within character budgets.
 */
export async function gatherContext(input: {
  workspace: Workspace;
  scope: ScopeSpec;
  hints: readonly string[];
  /** Paths the retrieval service ranked for the task, best first. */
  retrieved?: readonly string[];
  limits?: Partial<ContextLimits>;
}): Promise<WorkContext> {
  const limits = { ...DEFAULT_CONTEXT_LIMITS, ...input.limits };
  const all = await input.workspace.listFiles();
  const inScope = (p: string) =>
    [...input.scope.in, ...(input.scope.support ?? [])].some((e) => underEntry(p, e)) && !(input.scope.out ?? []).some((e) => underEntry(p, e, { caseInsensitive: true }));
  const changed = (await input.workspace.changes()).filter((c) => c.status !== 'deleted').map((c) => c.path);
  const hintText = input.hints.join('\n');
  const mentioned = all.filter((p) => inScope(p) && (hintText.includes(p) || (basename(p).length >= 4 && hintText.includes(basename(p)))));
  const listed = new Set(all);
  const retrieved = (input.retrieved ?? []).filter((p) => listed.has(p) && inScope(p));
  const rest = all.filter(inScope);
  const order = [...new Set([...changed, ...mentioned, ...retrieved, ...rest])];

  const files: ShownFile[] = [];
  const seen = new Map<string, string>();
  let total = 0;
  for (const path of order) {
    if (files.length >= limits.maxFiles || total >= limits.maxTotalChars) break;
    const read = await input.workspace.readFile(path);
    if (!read || isBinary(read.data)) continue;
    const text = read.data.toString('utf8');
    const room = Math.min(limits.maxFileChars, limits.maxTotalChars - total);
    const truncated = text.length > room;
    const content = truncated ? text.slice(0, room) : text;
    files.push({ path, content, truncated, lines: text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0) });
    seen.set(path, read.sha256);
    total += content.length;
  }
  return { files, listed: all.slice(0, limits.maxListed), totalFiles: all.length, seen };
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

import { z } from 'zod';
import { describeZodError } from '../../../../shared/errors';
import { parseToolCallAction, type ToolCallAction } from '../../tools/worker-tools';
import type { SearchReplace } from './apply';

/**
 * The worker's text action format: a few header lines, then edit blocks whose code is written as is
 * (never escaped inside JSON strings):
 *
 *     ACTION: edit            (edit | no-op | tool_call)
 *     REASON: one line on what and why
 *     CONFIDENCE: 0.8
 *     CRITERIA: A1 A2         (ids met once the change is applied; may be empty)
 *     EDIT src/a.ts
 *     <<<<<<< SEARCH
 *     old lines, copied from the file
 *     =======
 *     new lines
 *     >>>>>>> REPLACE
 *     WRITE src/new.ts
 *     <<<<<<< CONTENT
 *     the whole file
 *     >>>>>>> END
 *     DELETE src/old.ts
 *     RENAME src/a.ts -> src/b.ts
 *     TOOL name               (tool_call only)
 *     ARGS {"json": "object"}
 *
 * Constrained generation (grammar.ts) produces exactly this; the parser is tolerant of what a model
 * writes without a grammar (fences around the answer, key case, marker lengths, backticks around
 * paths) and checks everything again with zod: model output is untrusted.
 */
export const TEXT_ACTIONS = ['edit', 'no-op', 'tool_call'] as const;

export type TextEdit =
  | { op: 'replace'; path: string; blocks: SearchReplace[] }
  | { op: 'write'; path: string; content: string }
  | { op: 'delete'; path: string }
  | { op: 'rename'; path: string; to: string };

export type TextEditAction = { action: 'edit' | 'no-op'; reason: string; confidence: number; criteria_met: string[]; edits: TextEdit[] };
export type TextToolAction = { action: 'tool_call' } & ToolCallAction;
export type TextAction = TextEditAction | TextToolAction;

export type ParseResult = { ok: true; action: TextAction } | { ok: false; message: string };

const FilePath = z.string().trim().min(1, 'must name a file').max(1000).refine((p) => !/[\0\n]/.test(p), 'must be one line');
const TextEditSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('replace'), path: FilePath, blocks: z.array(z.object({ search: z.string().max(200_000), replace: z.string().max(200_000) })).min(1).max(100) }),
  z.object({ op: z.literal('write'), path: FilePath, content: z.string().max(1_000_000) }),
  z.object({ op: z.literal('delete'), path: FilePath }),
  z.object({ op: z.literal('rename'), path: FilePath, to: FilePath }),
]);
const EditActionSchema = z
  .object({
    action: z.enum(['edit', 'no-op']),
    reason: z.string().trim().min(1, 'must say why').max(4000),
    confidence: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1'),
    criteria_met: z.array(z.string().min(1).max(20)).max(50),
    edits: z.array(TextEditSchema).max(50, 'at most 50 edits per answer'),
  })
  .superRefine((a, ctx) => {
    if (a.action === 'no-op' && a.edits.length > 0) ctx.addIssue({ code: 'custom', path: ['edits'], message: 'a no-op must not carry edits' });
    if (a.action === 'edit' && a.edits.length === 0) ctx.addIssue({ code: 'custom', path: ['edits'], message: 'an edit action needs at least one EDIT, WRITE, DELETE or RENAME' });
  });

const HEADER = /^\s*(ACTION|REASON|CONFIDENCE|CRITERIA|TOOL|ARGS)\s*:?\s?(.*)$/i;
const FILE_LINE = /^\s*(EDIT|FILE|WRITE|DELETE|RENAME)\s*:?\s+(.+?)\s*$/i;
const OPEN = /^\s*<{5,9}\s*(SEARCH|CONTENT)\s*$/i;
const DIVIDER = /^\s*={5,9}\s*$/;
const CLOSE = /^\s*>{5,9}\s*(REPLACE|END)?\s*$/i;
const FENCE = /^\s*```[\w+-]*\s*$/;

export function parseTextAction(text: string, options: { tools: boolean }): ParseResult {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const head: Record<string, string> = {};
  const edits: TextEdit[] = [];
  let current: { op: 'replace' | 'write'; path: string } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || FENCE.test(line)) continue;
    const open = OPEN.exec(line);
    if (open) {
      const kind = open[1]!.toUpperCase();
      if (!current) return fail(`line ${i + 1}: a ${kind} block must follow an "EDIT path" or "WRITE path" line`);
      const body = readBlock(lines, i + 1, kind === 'SEARCH');
      if (!body.ok) return fail(`${current.path}: ${body.message}`);
      i = body.next - 1;
      if (current.op === 'write' || kind === 'CONTENT') {
        edits.push({ op: 'write', path: current.path, content: body.first });
      } else {
        const last = edits[edits.length - 1];
        const block = { search: body.first, replace: body.second ?? '' };
        if (last && last.op === 'replace' && last.path === current.path) last.blocks.push(block);
        else edits.push({ op: 'replace', path: current.path, blocks: [block] });
      }
      continue;
    }
    const file = FILE_LINE.exec(line);
    if (file) {
      const op = file[1]!.toUpperCase();
      const target = unquote(file[2]!);
      if (op === 'DELETE') edits.push({ op: 'delete', path: target });
      else if (op === 'RENAME') {
        const [from, to] = target.split(/\s*->\s*/);
        if (!from || !to) return fail(`line ${i + 1}: RENAME needs "RENAME old/path -> new/path"`);
        edits.push({ op: 'rename', path: unquote(from), to: unquote(to) });
      } else current = { op: op === 'WRITE' ? 'write' : 'replace', path: target };
      continue;
    }
    const header = HEADER.exec(line);
    if (header) {
      head[header[1]!.toLowerCase()] = header[2]!.trim();
      continue;
    }
    return fail(`line ${i + 1} ("${clip(line)}") is neither a header (ACTION:, REASON:, …), an EDIT/WRITE/DELETE/RENAME line nor inside a block`);
  }
  const kind = (head['action'] ?? '').toLowerCase().replace(/[\s_]+/g, '_').replace('noop', 'no-op').replace('no_op', 'no-op');
  if (kind === 'tool_call' || kind === 'tool') {
    if (!options.tools) return fail('ACTION: no tools are available here; answer "edit" or "no-op"');
    const call = parseToolCallAction({ action: 'tool_call', reason: head['reason'] ?? '', tool: head['tool'] ?? '', arguments_json: head['args'] ?? '{}' });
    return call.ok ? { ok: true, action: { action: 'tool_call', ...call.value } } : fail(call.error.message);
  }
  if (!(TEXT_ACTIONS as readonly string[]).includes(kind)) return fail(`ACTION: must be one of ${TEXT_ACTIONS.join(', ')}${head['action'] ? `, not "${clip(head['action'])}"` : ' (the answer has no ACTION line)'}`);
  const confidence = head['confidence'] === undefined ? Number.NaN : Number(head['confidence']);
  const parsed = EditActionSchema.safeParse({
    action: kind,
    reason: head['reason'] ?? '',
    confidence: Number.isFinite(confidence) ? confidence : -1,
    criteria_met: (head['criteria'] ?? '').split(/[\s,]+/).filter((c) => c !== '' && !/^(none|-)$/i.test(c)),
    edits,
  });
  if (!parsed.success) return fail(describeZodError(parsed.error).message);
  return { ok: true, action: parsed.data as TextEditAction };
}

/** Reads a block body up to its end marker; a SEARCH block has two parts split by "=======". */
function readBlock(lines: readonly string[], from: number, twoParts: boolean): { ok: true; first: string; second?: string; next: number } | { ok: false; message: string } {
  const first: string[] = [];
  const second: string[] = [];
  let inSecond = false;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (twoParts && DIVIDER.test(line)) {
      // A second divider (a file line like an reStructuredText underline) leaves where SEARCH ends a guess.
      if (inSecond) return { ok: false, message: `the SEARCH block opened at line ${from} has more than one "=======" line (line ${i + 1} too), so where SEARCH ends is unclear; use WRITE for this file, or SEARCH/REPLACE blocks that hold no such line` };
      inSecond = true;
      continue;
    }
    if (CLOSE.test(line)) {
      if (twoParts && !inSecond) return { ok: false, message: `the SEARCH block opened at line ${from} has no "=======" line before its end` };
      return { ok: true, first: joinLines(first), ...(twoParts ? { second: joinLines(second) } : {}), next: i + 1 };
    }
    (inSecond ? second : first).push(line);
  }
  return { ok: false, message: `the block opened at line ${from} never ends (no ">>>>>>> ${twoParts ? 'REPLACE' : 'END'}" line); the answer may have been cut off` };
}

const joinLines = (lines: readonly string[]) => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);
const unquote = (p: string) => p.trim().replace(/^[`"']+|[`"']+$/g, '').replace(/^\.\//, '');
const fail = (message: string): ParseResult => ({ ok: false, message });
const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}…` : s);

/** Writes edits in the format (for prompts' examples and the benchmark). */
export function renderTextAction(action: TextEditAction): string {
  const out = [`ACTION: ${action.action}`, `REASON: ${action.reason}`, `CONFIDENCE: ${action.confidence}`, `CRITERIA: ${action.criteria_met.join(' ')}`];
  for (const e of action.edits) {
    if (e.op === 'delete') out.push(`DELETE ${e.path}`);
    else if (e.op === 'rename') out.push(`RENAME ${e.path} -> ${e.to}`);
    else if (e.op === 'write') out.push(`WRITE ${e.path}`, '<<<<<<< CONTENT', ...body(e.content), '>>>>>>> END');
    else {
      out.push(`EDIT ${e.path}`);
      for (const b of e.blocks) out.push('<<<<<<< SEARCH', ...body(b.search), '=======', ...body(b.replace), '>>>>>>> REPLACE');
    }
  }
  return `${out.join('\n')}\n`;
}

function body(text: string): string[] {
  if (text === '') return [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

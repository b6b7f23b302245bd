/**
 * How often a model's edit lands correctly, per edit format, under the mistakes models make.
 * Mines real commits of a local repository at run time; for each modified text file it writes the
 * edit a model would write in each format — the worker's SEARCH/REPLACE text action (parsed by the
 * worker's own parser) and the older line-numbered hunks — then perturbs it: line numbers off by
 * 1–5, indentation changed, trailing whitespace, a context line dropped or doubled, CRLF file, a
 * changed line slightly mistyped. Each case is applied correctly (result equals the commit),
 * refused, or applied wrongly (result differs: the dangerous outcome).
 * Usage: npm run bench:edits -- --repo PATH [--commits N] [--json]
 */
import { applyReplacements, toLines, type SearchReplace } from '../src/main/core/agent/edits/apply';
import { parseTextAction, renderTextAction, type TextEditAction } from '../src/main/core/agent/edits/format';
import { applyHunks, type Hunk } from '../src/main/core/workspace/hunks';
import { fileAt, git, listCommits, parseBenchArgs, pct, ratio, rng } from './git-history';

const USAGE = 'usage: npm run bench:edits -- --repo PATH [--commits N] [--json]';
const PERTURBATIONS = ['none', 'line-offset', 'indentation', 'trailing-whitespace', 'context-dropped', 'context-doubled', 'crlf', 'mistyped-line'] as const;
type Perturbation = (typeof PERTURBATIONS)[number];
const FORMATS = ['search_replace', 'hunks'] as const;
type Format = (typeof FORMATS)[number];
type Outcome = 'correct' | 'refused' | 'wrong';
const TARGET_CORRECT = 0.95;
const SEED = 20261204;

/** FNV-1a of a string, for per-case seeds. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

type FileCase = { commit: string; path: string; before: string; after: string; hunks: Hunk[] };

/**
 * The hunks of the file's diff, or null when the diff cannot be expressed as text hunks. Context
 * starts at git's 3 lines and grows (up to 12) until every block's SEARCH text matches one place in
 * the file it applies to, as the worker's instructions require of the model ("enough to match one
 * place"); a diff whose blocks never get there is kept as it is and counts against the format.
 */
function diffHunks(repo: string, parent: string, sha: string, path: string, before: string): Hunk[] | null {
  let hunks: Hunk[] | null = null;
  for (let context = 3; context <= 12; context++) {
    hunks = diffHunksWith(repo, parent, sha, path, context);
    if (!hunks || blocksUnique(before, toBlocks(hunks))) break;
  }
  return hunks;
}

/** True when each block's SEARCH lines occur exactly once in the file as the blocks before it left it. */
function blocksUnique(before: string, blocks: readonly SearchReplace[]): boolean {
  let text = before;
  for (const block of blocks) {
    const lines = toLines(text);
    const search = toLines(block.search);
    let hits = 0;
    for (let at = 0; at + search.length <= lines.length && hits < 2; at++) if (search.every((l, i) => lines[at + i] === l)) hits++;
    if (hits !== 1) return false;
    const r = applyReplacements('unique-check', text, [block]);
    if (!r.ok) return false;
    text = r.text;
  }
  return true;
}

function diffHunksWith(repo: string, parent: string, sha: string, path: string, context: number): Hunk[] | null {
  const out = git(repo, ['diff', '--no-color', '--no-ext-diff', `-U${context}`, parent, sha, '--', path]);
  if (out.includes('\n\\ No newline') || out.includes('Binary files')) return null;
  const hunks: Hunk[] = [];
  let current: { oldStart: number; lines: string[] } | null = null;
  for (const line of out.split('\n')) {
    const head = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/.exec(line);
    if (head) {
      current = { oldStart: Number(head[1]), lines: [] };
      hunks.push(current);
    } else if (current && (line.startsWith(' ') || line.startsWith('-') || line.startsWith('+'))) current.lines.push(line);
  }
  return hunks.length > 0 && hunks.length <= 20 ? hunks : null;
}

/** The SEARCH/REPLACE blocks a model writes for the same change: one block per hunk. */
function toBlocks(hunks: readonly Hunk[]): SearchReplace[] {
  return hunks.map((h) => {
    const search = h.lines.filter((l) => l[0] !== '+').map((l) => l.slice(1));
    const replace = h.lines.filter((l) => l[0] !== '-').map((l) => l.slice(1));
    return { search: search.length ? `${search.join('\n')}\n` : '', replace: replace.length ? `${replace.join('\n')}\n` : '' };
  });
}

type Variant = { before: string; after: string; hunks: Hunk[] } | null;

/** The same change with one mistake; null when the mistake cannot occur in this change. */
function perturb(c: FileCase, p: Perturbation, random: () => number): Variant {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const hunks = c.hunks.map((h) => ({ oldStart: h.oldStart, lines: [...h.lines] }));
  const one = pick(hunks.map((_, i) => i));
  const h = hunks[one]!;
  switch (p) {
    case 'none':
      return { before: c.before, after: c.after, hunks };
    case 'line-offset':
      return { before: c.before, after: c.after, hunks: hunks.map((x) => ({ ...x, oldStart: Math.max(1, x.oldStart + (random() < 0.5 ? -1 : 1) * (1 + Math.floor(random() * 5))) })) };
    case 'indentation': {
      const bodies = h.lines.map((l) => l.slice(1)).filter((l) => l.trim() !== '');
      const dedent = bodies.every((l) => l.startsWith('  ')) && random() < 0.5;
      h.lines = h.lines.map((l) => (l.slice(1).trim() === '' ? l : l[0] + (dedent ? l.slice(3) : `  ${l.slice(1)}`)));
      return { before: c.before, after: c.after, hunks };
    }
    case 'trailing-whitespace':
      h.lines = h.lines.map((l) => `${l}  `);
      return { before: c.before, after: c.after, hunks };
    case 'context-dropped':
    case 'context-doubled': {
      // A line inside the old text (not its first or last line): leaving out an outer line is no mistake
      // a tool can see, it only makes the old text shorter.
      const old = h.lines.map((l, i) => i).filter((i) => h.lines[i]![0] !== '+');
      const inner = old.slice(1, -1).filter((i) => h.lines[i]![0] === ' ' && h.lines[i]!.trim() !== '');
      if (inner.length === 0) return null;
      const i = pick(inner);
      h.lines.splice(i, p === 'context-dropped' ? 1 : 0, ...(p === 'context-doubled' ? [h.lines[i]!] : []));
      return { before: c.before, after: c.after, hunks };
    }
    case 'crlf':
      if (c.before.includes('\r')) return null;
      return { before: c.before.replace(/\n/g, '\r\n'), after: c.after.replace(/\n/g, '\r\n'), hunks };
    case 'mistyped-line': {
      const removed = h.lines.map((l, i) => i).filter((i) => h.lines[i]![0] === '-' && h.lines[i]!.trim().length >= 10);
      if (removed.length === 0) return null;
      const i = pick(removed);
      const line = h.lines[i]!;
      const at = 1 + Math.floor(line.length / 2);
      h.lines[i] = line.slice(0, at - 1) + line[at] + line[at - 1] + line.slice(at + 1);
      return h.lines[i] === line ? null : { before: c.before, after: c.after, hunks };
    }
  }
}

function runFormat(format: Format, v: NonNullable<Variant>, path: string): Outcome {
  if (format === 'hunks') {
    const r = applyHunks(v.before, v.hunks);
    return !r.ok ? 'refused' : r.text === v.after ? 'correct' : 'wrong';
  }
  const action: TextEditAction = { action: 'edit', reason: 'bench', confidence: 0.5, criteria_met: [], edits: [{ op: 'replace', path, blocks: toBlocks(v.hunks) }] };
  const parsed = parseTextAction(renderTextAction(action), { tools: false });
  if (!parsed.ok || parsed.action.action !== 'edit') return 'refused';
  const edit = parsed.action.edits[0];
  if (!edit || edit.op !== 'replace') return 'refused';
  const r = applyReplacements(path, v.before, edit.blocks);
  return !r.ok ? 'refused' : r.text === v.after ? 'correct' : 'wrong';
}

type Tally = Record<Outcome, number>;
const empty = (): Tally => ({ correct: 0, refused: 0, wrong: 0 });

export default async function main(argv: string[]): Promise<void> {
  const args = parseBenchArgs(argv, USAGE);
  const cases: FileCase[] = [];
  let commitsUsed = 0;
  for (const commit of listCommits(args.repo, args.commits * 5)) {
    if (commitsUsed >= args.commits) break;
    const files: FileCase[] = [];
    for (const { status, path } of commit.changed) {
      if (status !== 'M') continue;
      const before = fileAt(args.repo, commit.parent, path);
      const after = fileAt(args.repo, commit.sha, path);
      // An empty file before is a creation (a whole-file write), not an edit located in old text.
      if (before === null || after === null || before === after || before.trim() === '') continue;
      const hunks = diffHunks(args.repo, commit.parent, commit.sha, path, before);
      if (hunks) files.push({ commit: commit.sha, path, before, after, hunks });
    }
    if (files.length === 0) continue;
    commitsUsed++;
    cases.push(...files.slice(0, 10));
  }
  const byFormat = Object.fromEntries(FORMATS.map((f) => [f, { total: empty(), perturbed: empty(), by: Object.fromEntries(PERTURBATIONS.map((p) => [p, empty()])) as Record<Perturbation, Tally> }])) as Record<
    Format,
    { total: Tally; perturbed: Tally; by: Record<Perturbation, Tally> }
  >;
  const wrongExamples: string[] = [];
  let caseCount = 0;
  for (const c of cases) {
    for (const p of PERTURBATIONS) {
      // Seeded per case, so a case draws the same mistake however many commits the history has.
      const v = perturb(c, p, rng(SEED ^ hash(`${c.commit}:${c.path}:${p}`)));
      if (!v) continue;
      caseCount++;
      for (const f of FORMATS) {
        const o = runFormat(f, v, c.path);
        const t = byFormat[f];
        t.total[o]++;
        t.by[p][o]++;
        if (p !== 'none') t.perturbed[o]++;
        if (o === 'wrong' && f === 'search_replace' && wrongExamples.length < 5) wrongExamples.push(`${c.commit.slice(0, 10)} ${c.path} (${p})`);
      }
    }
  }
  const summary = (f: Format) => {
    const t = byFormat[f];
    const n = t.total.correct + t.total.refused + t.total.wrong;
    const pn = t.perturbed.correct + t.perturbed.refused + t.perturbed.wrong;
    return {
      ...t.total,
      correct_rate: ratio(t.total.correct, n),
      perturbed: { ...t.perturbed, correct_rate: ratio(t.perturbed.correct, pn) },
      by_perturbation: Object.fromEntries(PERTURBATIONS.map((p) => [p, { ...t.by[p], correct_rate: ratio(t.by[p].correct, t.by[p].correct + t.by[p].refused + t.by[p].wrong) }])),
    };
  };
  const sr = summary('search_replace');
  const hk = summary('hunks');
  const met = sr.perturbed.correct_rate >= TARGET_CORRECT && sr.wrong === 0;
  const result = {
    repo: args.repo,
    commits: commitsUsed,
    files: cases.length,
    cases: caseCount,
    search_replace: sr,
    hunks: hk,
    target: { search_replace_perturbed_correct_at_least: TARGET_CORRECT, search_replace_wrong: 0, met },
    wrong_examples: wrongExamples,
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const lines = [`bench:edits  ${args.repo}`, `${commitsUsed} commits, ${cases.length} changed files, ${caseCount} cases (file × perturbation)`, ''];
  lines.push(`${'perturbation'.padEnd(22)}${'search/replace  correct refused wrong'.padEnd(40)}hunks  correct refused wrong`);
  for (const p of PERTURBATIONS) {
    const a = sr.by_perturbation[p]!;
    const b = hk.by_perturbation[p]!;
    lines.push(`${p.padEnd(22)}${`${pct(a.correct_rate).padStart(15)} ${String(a.refused).padStart(7)} ${String(a.wrong).padStart(5)}`.padEnd(40)}${`${pct(b.correct_rate).padStart(14)} ${String(b.refused).padStart(7)} ${String(b.wrong).padStart(5)}`}`);
  }
  lines.push('');
  lines.push(`search/replace, perturbed cases: ${pct(sr.perturbed.correct_rate)} correct (target ≥ ${pct(TARGET_CORRECT)}), ${sr.wrong} applied wrongly in all cases (target 0)  ${met ? 'MET' : 'NOT MET'}`);
  lines.push(`hunks (today's format), perturbed cases: ${pct(hk.perturbed.correct_rate)} correct, ${hk.wrong} applied wrongly`);
  if (wrongExamples.length) lines.push(`wrong (search/replace): ${wrongExamples.join('; ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

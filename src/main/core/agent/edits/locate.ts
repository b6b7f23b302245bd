/**
 * Finds where a model's SEARCH text sits in a file, tolerating the mistakes models make, in tiers:
 * exact lines; then lines equal once trailing whitespace is ignored; then lines equal once all
 * indentation and runs of whitespace are ignored; then a fuzzy alignment (a context line dropped or
 * doubled, a line mistyped slightly) that must be unique by a clear margin. Two equally good places
 * are never guessed between: the result is `ambiguous` with both places named.
 */

export type Tier = 'exact' | 'trailing-whitespace' | 'indentation' | 'fuzzy';

/** Where the search lines landed: `pairs[i]` is the file line (0-based) search line i matched, or -1. */
export type Placement = { tier: Tier; start: number; end: number; pairs: number[]; score: number };

export type Candidate = { line: number; score: number; text: string[] };

export type LocateResult =
  | { ok: true; placement: Placement }
  | { ok: false; kind: 'not_found'; nearest: Candidate | null }
  | { ok: false; kind: 'ambiguous'; tier: Tier; lines: number[] };

/** A fuzzy place must score at least this (0..1, line similarity averaged over the search lines)… */
export const FUZZY_THRESHOLD = 0.85;
/** …and beat any other place by this much, */
export const FUZZY_MARGIN = 0.1;
/** …or need at least this many fewer mistakes (dropped, doubled or mistyped lines) than any other place. */
export const DEFECT_MARGIN = 1;
/** What pairing two different lines costs against pairing equal ones, so that a line equal to a file line next to the span wins over a mistyped pairing inside it. */
const MISTYPE_COST = 0.5;
/** Two lines count as "the same line, mistyped" above this similarity. */
const LINE_SIMILAR = 0.7;
/** …and above this, pairing them is still better than treating each as missing from the other side. */
const LINE_SUBSTITUTE = 0.4;

export const normalizeSpace = (s: string): string => s.trim().replace(/\s+/g, ' ');

const EQUALITIES: ReadonlyArray<[Tier, (s: string) => string]> = [
  ['exact', (s) => s],
  ['trailing-whitespace', (s) => s.trimEnd()],
  ['indentation', normalizeSpace],
];

export function locate(file: readonly string[], search: readonly string[]): LocateResult {
  if (search.length === 0) return { ok: false, kind: 'not_found', nearest: null };
  for (const [tier, norm] of EQUALITIES) {
    const f = file.map(norm);
    const s = search.map(norm);
    // Outer blank lines are not anchors: "\n}\n" must not match every closing brace after a blank line.
    if (tier !== 'exact' && s.every((l) => l === '')) continue;
    const hits = findAll(f, s);
    if (hits.length === 1) {
      const start = hits[0]!;
      return { ok: true, placement: { tier, start, end: start + s.length, pairs: s.map((_, i) => start + i), score: 1 } };
    }
    if (hits.length > 1) return { ok: false, kind: 'ambiguous', tier, lines: hits.map((h) => h + 1) };
  }
  return fuzzy(file, search);
}

/**
 * The fuzzy tier again with indentation counted: for when the place found ignoring indentation pairs
 * lines at inconsistent depths (runs of closing brackets like "})" match one level off once a line is
 * left out), which no re-indentation explains.
 */
export function locateKeepingIndent(file: readonly string[], search: readonly string[]): LocateResult {
  return fuzzy(file, search, (s) => s.trimEnd().replace(/\t/g, '    '));
}

function findAll(file: readonly string[], search: readonly string[]): number[] {
  const out: number[] = [];
  const first = search[0]!;
  outer: for (let at = 0; at + search.length <= file.length; at++) {
    if (file[at] !== first) continue;
    for (let i = 1; i < search.length; i++) if (file[at + i] !== search[i]) continue outer;
    out.push(at);
  }
  return out;
}

/** `defects`: the mistakes the place implies (lines unpaired on either side, paired lines that differ). */
type Aligned = { start: number; end: number; pairs: number[]; score: number; defects: number };

/**
 * Fuzzy placement: candidate places come from votes of lines that match exactly once normalised;
 * each is aligned line by line (gaps allowed on both sides, at a cost) and scored by the mean
 * similarity over the search lines. Needs at least two non-blank search lines.
 */
function fuzzy(file: readonly string[], search: readonly string[], norm: (s: string) => string = normalizeSpace): LocateResult {
  const f = file.map(norm);
  const s = search.map(norm);
  const meaningful = s.filter((l) => l.length > 0).length;
  if (search.length === 1) return singleLine(file, f, s[0]!);
  const starts = candidateStarts(f, s);
  const slack = Math.max(2, Math.ceil(s.length / 5));
  const results: Aligned[] = [];
  for (const start of starts) {
    const from = Math.max(0, start - slack);
    const to = Math.min(f.length, start + s.length + slack);
    const a = align(f, s, from, to);
    if (a && !results.some((r) => r.start === a.start && r.end === a.end)) results.push(a);
  }
  results.sort((x, y) => y.score - x.score);
  // Among places close enough, fewest mistakes first: a place needing one mistake (a dropped line) is
  // far likelier than one needing three (three mistyped lines), however alike those lines are.
  const best = results.filter((r) => r.score >= FUZZY_THRESHOLD).sort((x, y) => x.defects - y.defects || y.score - x.score)[0];
  if (!best || meaningful < 2) {
    const near = results[0];
    return { ok: false, kind: 'not_found', nearest: near ? candidate(file, near) : nearestLine(file, f, s) };
  }
  // A rival elsewhere makes the place a guess when it scores nearly as well, unless it needs at least
  // DEFECT_MARGIN more mistakes (the rival would mean the model also typed a line that is not there).
  const rival = results.find((r) => (r.end <= best.start || r.start >= best.end) && r.defects < best.defects + DEFECT_MARGIN && r.score > best.score - FUZZY_MARGIN);
  if (rival) {
    return { ok: false, kind: 'ambiguous', tier: 'fuzzy', lines: [best.start + 1, rival.start + 1].sort((x, y) => x - y) };
  }
  return { ok: true, placement: { tier: 'fuzzy', start: best.start, end: best.end, pairs: best.pairs, score: best.score } };
}

/** A one-line SEARCH with no exact match is placed only when long, nearly equal to one line, and clearly unlike every other. */
export const SINGLE_MIN_LENGTH = 40;
export const SINGLE_THRESHOLD = 0.9;

function singleLine(file: readonly string[], f: readonly string[], line: string): LocateResult {
  let best = -1;
  let bestScore = 0;
  let second = 0;
  f.forEach((l, k) => {
    const sim = similarity(line, l);
    if (sim > bestScore) {
      second = bestScore;
      bestScore = sim;
      best = k;
    } else if (sim > second) second = sim;
  });
  if (best >= 0 && line.length >= SINGLE_MIN_LENGTH && bestScore >= SINGLE_THRESHOLD && second <= bestScore - FUZZY_MARGIN) {
    return { ok: true, placement: { tier: 'fuzzy', start: best, end: best + 1, pairs: [best], score: bestScore } };
  }
  return { ok: false, kind: 'not_found', nearest: best >= 0 && bestScore >= 0.3 ? { line: best + 1, score: bestScore, text: file.slice(best, best + 1) } : null };
}

/** Start lines implied by search lines found verbatim (normalised) in the file, most votes first. */
function candidateStarts(f: readonly string[], s: readonly string[]): number[] {
  const index = new Map<string, number[]>();
  f.forEach((line, i) => {
    if (line.length < 2) return;
    const list = index.get(line);
    if (list) list.push(i);
    else index.set(line, [i]);
  });
  const votes = new Map<number, number>();
  s.forEach((line, j) => {
    const at = index.get(line);
    if (!at || at.length > 50) return; // a line everywhere ("}") says nothing about where
    for (const p of at) votes.set(p - j, (votes.get(p - j) ?? 0) + 1);
  });
  return [...votes.entries()]
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, 24)
    .map(([start]) => start);
}

/**
 * Needleman-Wunsch over search lines × file[from, to): a search line pairs with a file line when they
 * are similar enough; unpaired search lines and unpaired file lines inside the span cost. Leading and
 * trailing file lines are free (the span is chosen by the alignment).
 */
function align(f: readonly string[], s: readonly string[], from: number, to: number): Aligned | null {
  const n = s.length;
  const m = to - from;
  if (m <= 0) return null;
  const GAP_S = 0.6; // a search line the file does not have (doubled or invented context)
  const GAP_F = 0.6; // a file line the search text skipped (dropped context)
  const gapCost = (line: string, cost: number) => (line === '' ? 0.15 : cost);
  const W = m + 1;
  const score = new Float64Array((n + 1) * W);
  const move = new Uint8Array((n + 1) * W); // 1 pair, 2 skip search line, 3 skip file line, 0 free start
  for (let i = 1; i <= n; i++) {
    score[i * W] = score[(i - 1) * W]! - gapCost(s[i - 1]!, GAP_S);
    move[i * W] = 2;
  }
  for (let i = 1; i <= n; i++) {
    for (let k = 1; k <= m; k++) {
      const sim = similarity(s[i - 1]!, f[from + k - 1]!);
      let best = score[(i - 1) * W + k]! - gapCost(s[i - 1]!, GAP_S);
      let mv = 2;
      const viaFile = score[i * W + k - 1]! - gapCost(f[from + k - 1]!, GAP_F);
      if (viaFile > best) {
        best = viaFile;
        mv = 3;
      }
      // Similar lines pair; a less similar pair still beats leaving both lines unpaired (a mistyped line).
      if (sim >= LINE_SIMILAR || sim >= LINE_SUBSTITUTE) {
        const viaPair = score[(i - 1) * W + k - 1]! + (sim === 1 ? 1 : sim >= LINE_SIMILAR ? sim - MISTYPE_COST : sim - 0.8);
        if (viaPair >= best) {
          best = viaPair;
          mv = 1;
        }
      }
      score[i * W + k] = best;
      move[i * W + k] = mv;
    }
  }
  let endK = 0;
  for (let k = 1; k <= m; k++) if (score[n * W + k]! > score[n * W + endK]!) endK = k;
  const pairs = new Array<number>(n).fill(-1);
  let i = n;
  let k = endK;
  while (i > 0) {
    const mv = move[i * W + k];
    if (mv === 1) {
      pairs[i - 1] = from + k - 1;
      i--;
      k--;
    } else if (mv === 2 || k === 0) i--;
    else k--;
  }
  const paired = pairs.filter((p) => p >= 0);
  if (paired.length < 2) return null;
  const start = paired[0]!;
  const end = paired[paired.length - 1]! + 1;
  // Scored apart from the alignment's objective: mean similarity of the paired lines, less a little
  // for every non-blank line left unpaired on either side; too many unpaired lines is no match.
  let sum = 0;
  let differing = 0;
  pairs.forEach((p, j) => {
    if (p < 0) return;
    const sim = similarity(s[j]!, f[p]!);
    sum += sim;
    if (sim < 1) differing++;
  });
  const taken = new Set(paired);
  let gaps = s.filter((line, j) => pairs[j]! < 0 && line !== '').length;
  for (let p = start; p < end; p++) if (!taken.has(p) && f[p] !== '') gaps++;
  if (gaps > Math.max(1, Math.floor(n / 4))) return null;
  // Every unpaired line is a mistake, blank ones too: a place that only "needs" a SEARCH blank line
  // left unpaired is no better than one that needs a left-out line.
  let unpaired = pairs.filter((p) => p < 0).length;
  for (let p = start; p < end; p++) if (!taken.has(p)) unpaired++;
  return { start, end, pairs, score: sum / paired.length - GAP_SCORE * gaps, defects: unpaired + differing };
}

/** What each unpaired non-blank line takes off a fuzzy place's score. */
const GAP_SCORE = 0.05;

/** Similarity of two normalised lines, 0..1: 1 when equal, else the Dice coefficient of character bigrams. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length < 2 || b.length < 2) return 0;
  const grams = new Map<string, number>();
  for (let i = 0; i < a.length - 1; i++) {
    const g = a.slice(i, i + 2);
    grams.set(g, (grams.get(g) ?? 0) + 1);
  }
  let common = 0;
  for (let i = 0; i < b.length - 1; i++) {
    const g = b.slice(i, i + 2);
    const c = grams.get(g) ?? 0;
    if (c > 0) {
      common++;
      grams.set(g, c - 1);
    }
  }
  return (2 * common) / (a.length - 1 + b.length - 1);
}

function candidate(file: readonly string[], a: Aligned): Candidate {
  return { line: a.start + 1, score: a.score, text: file.slice(a.start, Math.min(a.end, a.start + 8)) };
}

/** Without any aligned place: the file line most like the first non-blank search line. */
function nearestLine(file: readonly string[], f: readonly string[], s: readonly string[]): Candidate | null {
  const first = s.find((l) => l.length > 0);
  if (!first) return null;
  let best = -1;
  let bestScore = 0;
  f.forEach((line, i) => {
    const sim = similarity(first, line);
    if (sim > bestScore) {
      bestScore = sim;
      best = i;
    }
  });
  return best < 0 || bestScore < 0.3 ? null : { line: best + 1, score: bestScore, text: file.slice(best, best + Math.min(8, s.length)) };
}

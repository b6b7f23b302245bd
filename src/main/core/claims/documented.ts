import { createHash } from 'node:crypto';
import type { ClaimSource, KnowledgeLookup, KnowledgePassage, VerifiedClaim } from './types';

/**
 * A claim about what the docs say, checked against the knowledge base without a model: the best
 * chunks for the statement are retrieved, and the sentence among them that holds the most of the
 * statement's words decides. Verified when one holds them all (or, for a long statement, nearly all)
 * with the same polarity and the same numbers; refuted when such a sentence says the opposite (one
 * side negated) or other numbers; otherwise unverifiable. Fails closed: no knowledge base, no
 * passage or a partial match is never verified. Every passage that decided is cited by source and
 * location, and listed among the claim's sources with the hash of its text (and its file's origin).
 */

const STOP = new Set(
  'the a an and or of to in on at by for with from as is are was were be been being it its this that these those there their they them which who whom whose what when where how than then so such into onto over under about after before also only just very can could should would may might must will shall do does did has have had having if else per via our your we you he she his her'.split(' '),
);
const NEGATION = /\b(?:not|never|no|none|nothing|cannot|can't|won't|isn't|aren't|doesn't|don't|didn't|without|neither|nor)\b/i;
const NUMBER_WORDS: Readonly<Record<string, string>> = {
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9', ten: '10', eleven: '11', twelve: '12',
  fifteen: '15', twenty: '20', thirty: '30', forty: '40', fifty: '50', sixty: '60', hundred: '100', thousand: '1000',
};
const NEGATION_WORDS = new Set(['not', 'never', 'no', 'none', 'nothing', 'cannot', 'without', 'neither', 'nor', 'can', 'won', 'isn', 'aren', 'doesn', 'don', 'didn', 't']);
/** Passages read per claim. */
const TOP = 5;

/** A light stemmer: expire, expires, expired and expiring are one word; entries and entry too. */
const stem = (w: string) => (w.length <= 4 ? w : w.endsWith('ies') ? `${w.slice(0, -3)}y` : w.replace(/(?:ing|ed|es|s|e)$/, ''));

/** The statement's content words (stemmed) and numbers (digits; small number words converted). */
function termsOf(text: string): { words: Set<string>; numbers: Set<string> } {
  const words = new Set<string>();
  const numbers = new Set<string>();
  for (const raw of text.toLowerCase().match(/[a-z0-9]+(?:\.[0-9]+)?/g) ?? []) {
    if (/^\d/.test(raw)) numbers.add(raw);
    else if (NUMBER_WORDS[raw]) numbers.add(NUMBER_WORDS[raw]);
    else if (raw.length > 1 && !STOP.has(raw) && !NEGATION_WORDS.has(raw)) words.add(stem(raw));
  }
  return { words, numbers };
}

/**
 * Sentences of a chunk: a hard-wrapped paragraph is joined first (Markdown wraps sentences across
 * lines), while a list item, a heading, a quote or a fence starts a segment of its own.
 */
function sentencesOf(text: string): string[] {
  const segments: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    let current = '';
    for (const line of paragraph.split('\n')) {
      const t = line.trim();
      if (/^(?:[-*+]\s|\d+[.)]\s|#{1,6}\s|>|```)/.test(t)) {
        if (current) segments.push(current);
        current = t;
      } else current = current ? `${current} ${t}` : t;
    }
    if (current) segments.push(current);
  }
  return segments
    .flatMap((s) => s.split(/(?<=[.!?;])\s+/))
    .map((s) => s.replace(/^[#>*\-+\s]+/, '').trim())
    .filter((s) => s.length > 0);
}

type Match = { passage: KnowledgePassage; sentence: string; covered: number; numbers: Set<string>; negated: boolean };

export async function verifyDocumented(statement: string, lookup: KnowledgeLookup | undefined, read: ClaimSource[]): Promise<Pick<VerifiedClaim, 'status' | 'evidence'>> {
  if (!lookup) return { status: 'unverifiable', evidence: 'no knowledge base to check what the docs say against' };
  const claim = termsOf(statement);
  if (claim.words.size < 2) return { status: 'unverifiable', evidence: `"${statement}" is too vague to check against the docs` };
  const passages = (await lookup(statement)).slice(0, TOP);
  if (passages.length === 0) return { status: 'unverifiable', evidence: 'the knowledge base has no passage about it' };
  let best: Match | undefined;
  for (const passage of passages) {
    for (const sentence of sentencesOf(passage.text)) {
      const t = termsOf(sentence);
      const covered = [...claim.words].filter((w) => t.words.has(w)).length;
      if (!best || covered > best.covered) best = { passage, sentence, covered, numbers: t.numbers, negated: NEGATION.test(sentence) };
    }
  }
  const need = claim.words.size <= 4 ? claim.words.size : Math.ceil(claim.words.size * 0.8);
  if (!best || best.covered < need) {
    const closest = best ? `; the closest, ${cite(best.passage)}, holds ${best.covered} of its ${claim.words.size} words` : '';
    return { status: 'unverifiable', evidence: `no passage of the knowledge base states it${closest}` };
  }
  cited(read, best.passage);
  const quote = `${cite(best.passage)}: "${best.sentence.slice(0, 300)}"`;
  if (best.negated !== NEGATION.test(statement)) return { status: 'refuted', evidence: `${quote} says the opposite` };
  const missing = [...claim.numbers].filter((n) => !best!.numbers.has(n));
  if (missing.length) {
    return best.numbers.size
      ? { status: 'refuted', evidence: `${quote} says ${[...best.numbers].join(', ')}, not ${missing.join(', ')}` }
      : { status: 'unverifiable', evidence: `${quote} does not give ${missing.join(', ')}` };
  }
  return { status: 'verified', evidence: `${quote}` };
}

const cite = (p: KnowledgePassage) => `[${p.title}, ${p.location}]`;

/** The chunk (hash of its text, at its source and location) and the file it came from. */
function cited(read: ClaimSource[], p: KnowledgePassage): void {
  read.push({ source: 'knowledge', path: p.source, location: p.location, sha256: createHash('sha256').update(p.text, 'utf8').digest('hex') });
  if (p.origin) read.push(p.origin);
}

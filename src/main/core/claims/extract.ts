import type { ChatMessage, JsonSchema, ModelClient } from '../models/types';
import { CLAIM_KINDS, claimSchema, type Claim } from './types';

const MAX_CLAIMS = 40;
const PATH = /(?:^|[\s`'"(])((?:[\w.-]+\/)*[\w.-]+\.[A-Za-z0-9]{1,8})(?=$|[\s`'",.;:)!?])/g;
const CHANGE_VERB = /\b(?:chang|edit|updat|modif|add|creat|writ|fix|rewr|touch|patch)\w*/i;
const DELETE_VERB = /\b(?:delet|remov)\w*/i;
const SYMBOL = /`([A-Za-z_$][\w$]*)(?:\(\))?`|\b(?:function|class|method|const|interface|type)\s+`?([A-Za-z_$][\w$]*)/g;
const TESTS_PASS = /\b(?:all\s+)?tests?\s+(?:now\s+)?pass(?:es|ed)?\b/i;
const GATE_PASS = /\b([a-z][\w-]*)\s+gate\s+(?:now\s+)?pass(?:es|ed)?\b/gi;
const MET = /\b(?:met|meets|satisf\w*|done|fulfil\w*|holds?)\b/i;
/** "the docs say X", "the README states that X", "per the spec, X", "according to docs/api.md, X", "as documented, X". */
const DOC_SAYS = /\b(?:the\s+|its\s+)?(?:docs?|documentation|readme|spec(?:ification)?|changelog|design(?:\s+doc)?|attachment|guide|[\w./-]+\.(?:md|markdown|ya?ml|txt|pdf))\s+(?:says?|states?|requires?|specif(?:y|ies)|documents?|describes?|notes?)\s+(?:that\s+)?(.{8,})/i;
const DOC_PER = /\b(?:per|according\s+to|as\s+(?:documented|specified|described)\s+in)\s+(?:the\s+)?[\w./-]+(?:\s+[\w./-]+)?\s*,\s*(.{8,})|\bas\s+(?:documented|specified|described)\s*,\s*(.{8,})/i;
const NEGATED = /\b(?:not|never|no longer|unmet|isn't|aren't|doesn't|don't|cannot)\b/i;
/** Extensions a file claim may name; `scope.in` or `e.g` are words, not paths (unless a folder is named too). */
const FILE_EXTENSIONS = new Set(
  'js jsx mjs cjs ts tsx mts cts json md markdown txt rst adoc html htm css scss sass less vue svelte py pyi go rs java kt kts scala rb php c h cc cpp hpp cs swift m mm sh bash zsh fish sql xml yaml yml toml ini cfg conf env lock gradle properties proto graphql gql tf lua pl r dart ex exs erl hs ml clj elm zig nim csv'.split(' '),
);
const plausiblePath = (p: string) => p.includes('/') || FILE_EXTENSIONS.has(p.slice(p.lastIndexOf('.') + 1).toLowerCase());

/**
 * Deterministic extraction: criterion ids named in `criteria_met` or in the text, file paths with the
 * verb that goes with them, symbol names (in backticks or after a declaration word), "tests pass"
 * and "<name> gate passes". Sentences are the unit; every claim keeps the sentence it came from.
 */
export function extractClaims(input: { text: string; criteriaMet?: readonly string[]; criterionIds: readonly string[]; source: Claim['source'] }): Claim[] {
  const out: Claim[] = [];
  const seen = new Set<string>();
  const add = (c: Omit<Claim, 'source' | 'extractedBy'>) => {
    const key = `${c.kind}\u0000${c.subject}`;
    if (seen.has(key) || out.length >= MAX_CLAIMS) return;
    seen.add(key);
    out.push({ ...c, text: c.text.slice(0, 1000), source: input.source, extractedBy: 'rules' });
  };
  for (const id of input.criteriaMet ?? []) add({ kind: 'criterion_met', subject: id, text: `criteria_met: ${id}` });
  for (const sentence of sentences(input.text)) {
    for (const id of input.criterionIds) {
      if (new RegExp(`\\b${escape(id)}\\b`).test(sentence) && MET.test(sentence) && !NEGATED.test(sentence)) add({ kind: 'criterion_met', subject: id, text: sentence });
    }
    const deleting = DELETE_VERB.test(sentence);
    const changing = CHANGE_VERB.test(sentence);
    for (const m of sentence.matchAll(PATH)) {
      const path = m[1]!.replace(/^\.\//, '');
      if (/^\d+(\.\d+)+$/.test(path) || !plausiblePath(path)) continue; // a version number or a dotted word, not a path
      if (deleting && !changing) add({ kind: 'file_deleted', subject: path, text: sentence });
      else if (changing || deleting) add({ kind: 'file_changed', subject: path, text: sentence });
    }
    for (const m of sentence.matchAll(SYMBOL)) {
      const name = m[1] ?? m[2];
      if (!name || /\.[A-Za-z0-9]{1,8}$/.test(name) || name.length < 2) continue;
      if (CHANGE_VERB.test(sentence)) add({ kind: 'symbol_present', subject: name, text: sentence });
    }
    const said = DOC_SAYS.exec(sentence) ?? DOC_PER.exec(sentence);
    const statement = said ? (said[1] ?? said[2])?.replace(/[.;!]+$/, '').trim() : undefined;
    if (statement) add({ kind: 'documented', subject: statement.slice(0, 300), text: sentence });
    if (TESTS_PASS.test(sentence)) add({ kind: 'tests_pass', subject: '', text: sentence });
    for (const m of sentence.matchAll(GATE_PASS)) add({ kind: 'gate_passes', subject: m[1]!.toLowerCase(), text: sentence });
  }
  return out;
}

export const CLAIMS_JSON_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    claims: {
      type: 'array',
      maxItems: MAX_CLAIMS,
      items: {
        type: 'object',
        properties: { kind: { enum: [...CLAIM_KINDS] }, subject: { type: 'string' }, text: { type: 'string' } },
        required: ['kind', 'subject', 'text'],
      },
    },
  },
  required: ['claims'],
};

/**
 * Model extraction, generation constrained to the claim schema and validated again with zod (model
 * output is untrusted): an invalid item is dropped, never guessed at. The rules' claims come first;
 * the model only adds claims the rules did not find.
 */
export async function extractClaimsWithModel(
  model: ModelClient,
  input: { text: string; criteriaMet?: readonly string[]; criterionIds: readonly string[]; source: Claim['source'] },
  signal?: AbortSignal,
): Promise<{ claims: Claim[]; dropped: number }> {
  const rules = extractClaims(input);
  const messages: ChatMessage[] = [
    {
      role: 'system',
      content:
        'Split the text into atomic, checkable claims. Kinds: criterion_met (subject: criterion id), file_changed / file_deleted (subject: path), symbol_present (subject: identifier), gate_passes (subject: gate name), tests_pass (subject: ""), documented (a statement said to be what the docs, a spec or an attachment say; subject: the statement). Quote the words each claim comes from in text. Only claims the text makes.',
    },
    { role: 'user', content: `Criterion ids: ${input.criterionIds.join(', ') || '(none)'}\nText:\n${input.text.slice(0, 8000)}` },
  ];
  const answer = await model.generateJson(messages, CLAIMS_JSON_SCHEMA, { maxTokens: 800, temperature: 0, ...(signal ? { signal } : {}) });
  const raw = (answer.value as { claims?: unknown } | null)?.claims;
  const items = Array.isArray(raw) ? raw : [];
  const seen = new Set(rules.map((c) => `${c.kind}\u0000${c.subject}`));
  const claims = [...rules];
  let dropped = Array.isArray(raw) ? 0 : 1;
  for (const item of items) {
    const parsed = claimSchema.safeParse(item);
    if (!parsed.success) {
      dropped++;
      continue;
    }
    const c = parsed.data;
    const key = `${c.kind}\u0000${c.subject}`;
    if (seen.has(key) || claims.length >= MAX_CLAIMS) continue;
    seen.add(key);
    claims.push({ ...c, source: input.source, extractedBy: 'model' });
  }
  return { claims, dropped };
}

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?;])\s+|\n+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

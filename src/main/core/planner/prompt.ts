import type { TierBudget } from '../../../shared/domain/governance';
import type { RiskTier } from '../../../shared/domain/task';
import type { ChatMessage } from '../models/types';
import type { RepoContext } from './repo-context';

/** A retrieved chunk as the planner cites it: which file, where in it, how its text was obtained. */
export type PlanReference = { title: string; source: string; location: string; extraction: string; text: string };

export type PromptInput = {
  description: string;
  riskTier: RiskTier;
  budget: TierBudget;
  context: RepoContext;
  /** Guidance from the user or the council (a `modify` decision) for this round. */
  guidance: readonly string[];
  /** Problems with the previous answer, when this is a retry. */
  problems: readonly string[];
  /** Reference material from the task's attachments and the knowledge base. */
  references?: readonly PlanReference[];
  /** The repository's own CAWS specs and policy, when it has them. */
  repository?: string;
};

const TIER_RULES: Record<RiskTier, string> = {
  1: 'Risk tier 1 (critical): every acceptance criterion needs a test command; name at least one contract; give rollback steps, observability (a list of logs, metrics, traces or alerts), at least one security requirement and operational_rollback_slo (like 15m).',
  2: 'Risk tier 2: name at least one contract (api, schema, contract-test or behavior).',
  3: 'Risk tier 3: contracts are optional.',
};

/** The planning conversation: CAWS rules, the tier's budget, the repository context, and any feedback. */
export function planningMessages(input: PromptInput): ChatMessage[] {
  const system = [
    'You plan code changes as CAWS working specs. Answer with one JSON object that matches the schema.',
    'Rules: id is uppercase segments ending in a number (FEAT-0042, FIX-0007). scope.in lists only the repository paths the change needs;',
    'scope.out lists plain paths (no wildcards) that must stay untouched; support lists tests or docs the change may also edit.',
    'Acceptance criteria are A1, A2, … in given/when/then form. Invariants are properties that must still hold after the change.',
    TIER_RULES[input.riskTier],
    `The change must fit the tier budget: at most ${input.budget.maxFiles} files and ${input.budget.maxLines} changed lines.`,
  ].join('\n');

  const ctx = input.context;
  const parts = [`Task: ${input.description.trim()}`];
  if (ctx.tree.length) parts.push(`Repository files${ctx.treeTruncated ? ' (first ones)' : ''}:\n${ctx.tree.join('\n')}`);
  if (input.repository) parts.push(input.repository);
  if (ctx.readme) parts.push(`README:\n${ctx.readme}`);
  for (const f of ctx.relevant) parts.push(`Relevant file ${f.path}:\n${f.excerpt}`);
  if (input.references?.length) parts.push(referenceSection(input.references));
  if (input.guidance.length) parts.push(`Guidance for this plan:\n${input.guidance.map((g) => `- ${g}`).join('\n')}`);
  if (input.problems.length) parts.push(`Your previous answer was not a valid working spec. Fix these problems:\n${input.problems.map((p) => `- ${p}`).join('\n')}`);
  return [
    { role: 'system', content: system },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

const REFERENCE_CHARS = 700;

/**
 * Retrieved chunks, each under a citation label [title, location]; text read from an image is said to
 * be OCR (it may hold misread characters), so the plan does not treat it as exact.
 */
function referenceSection(refs: readonly PlanReference[]): string {
  const items = refs.map((r, i) => {
    const how = r.extraction === 'ocr' ? ' (OCR text of an image; characters may be misread)' : r.extraction === 'pdf' ? ' (text of a PDF page)' : '';
    const text = r.text.length > REFERENCE_CHARS ? `${r.text.slice(0, REFERENCE_CHARS)} …` : r.text;
    return `[${i + 1}] [${r.title}, ${r.location}]${how}:\n${text.trim()}`;
  });
  return `Reference material (the task's attachments and the knowledge base). Where the plan relies on one, cite it as [file, location]:\n${items.join('\n\n')}`;
}

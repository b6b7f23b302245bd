import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import type { TierBudget } from '../../../shared/domain/governance';
import type { RiskTier } from '../../../shared/domain/task';
import { WORKING_SPEC_FILE } from './existing-spec';
import { listSpecFiles } from './spec-store';
import { parseSpecYaml } from './yaml';

/**
 * What a repository that already uses CAWS tells the planner before it writes a new spec: the
 * specs it has (so a new plan does not reuse an id or redo what is already specified) and the
 * change budgets of its own `.caws/policy.yaml` (so a plan never exceeds what the project allows,
 * even when the app's own budget is looser). Everything here is read from the user's repository and
 * is untrusted: sizes are bounded, invalid files are named and skipped, and nothing is executed.
 */
export const POLICY_FILE = join('.caws', 'policy.yaml');
const MAX_POLICY_BYTES = 64 * 1024;
/** The planner's prompt lists at most this many existing specs (the newest ids last). */
export const MAX_LISTED_SPECS = 30;

export type ExistingSpecSummary = { id: string; title: string; riskTier: RiskTier; lifecycle: string; scopeIn: string[]; file: string };

export type RepositoryCaws = {
  specs: ExistingSpecSummary[];
  /** Spec files that are not valid CAWS (named so the user can fix them; never used by the planner). */
  invalid: Array<{ file: string; problem: string }>;
  /** Budgets the repository's policy sets, per tier it names. */
  policyBudgets: Partial<Record<RiskTier, TierBudget>>;
  /** Why the policy file could not be used, when it exists but is not readable as a CAWS policy. */
  policyProblem?: string;
};

const PositiveInt = z.number().int().min(1).max(10_000_000);
// CAWS policy files carry more (gates, waivers, edit rules); only the budgets matter to a plan.
const TierEntry = z.looseObject({ max_files: PositiveInt.optional(), max_loc: PositiveInt.optional() });
const Policy = z.looseObject({ risk_tiers: z.record(z.string(), TierEntry) });

/** Reads the repository's CAWS specs and policy; a repository without `.caws` gives empty lists. */
export function readRepositoryCaws(repoDir: string): RepositoryCaws {
  const result: RepositoryCaws = { specs: [], invalid: [], policyBudgets: {} };
  const seen = new Set<string>();
  for (const stored of safeList(repoDir, result)) {
    const file = stored.file.startsWith(repoDir) ? stored.file.slice(repoDir.length + 1) : stored.file;
    if (!stored.result.ok) {
      result.invalid.push({ file, problem: stored.result.issues.map((i) => `${i.path || '(document)'}: ${i.message}`).slice(0, 3).join('; ') });
      continue;
    }
    seen.add(stored.result.spec.id);
    result.specs.push(summary(stored.result.spec, file));
  }
  const working = readBounded(join(repoDir, WORKING_SPEC_FILE), 256 * 1024);
  if (working !== undefined) {
    const parsed = parseSpecYaml(working);
    if (!parsed.ok) result.invalid.push({ file: WORKING_SPEC_FILE, problem: parsed.issues.map((i) => `${i.path || '(document)'}: ${i.message}`).slice(0, 3).join('; ') });
    else if (!seen.has(parsed.spec.id)) result.specs.push(summary(parsed.spec, WORKING_SPEC_FILE));
  }
  const policy = readPolicyBudgets(repoDir);
  result.policyBudgets = policy.budgets;
  if (policy.problem) result.policyProblem = policy.problem;
  return result;
}

function safeList(repoDir: string, result: RepositoryCaws): ReturnType<typeof listSpecFiles> {
  try {
    return listSpecFiles(repoDir);
  } catch (e) {
    // A specs folder that is a link out of the repository, say: named, not followed.
    result.invalid.push({ file: join('.caws', 'specs'), problem: e instanceof Error ? e.message : String(e) });
    return [];
  }
}

function summary(spec: { id: string; title: string; risk_tier: RiskTier; lifecycle_state: string; scope: { in: readonly string[] } }, file: string): ExistingSpecSummary {
  return { id: spec.id, title: spec.title, riskTier: spec.risk_tier, lifecycle: spec.lifecycle_state, scopeIn: [...spec.scope.in].slice(0, 10), file };
}

function readBounded(file: string, max: number): string | undefined {
  try {
    const stat = lstatSync(file);
    if (!stat.isFile() || stat.size > max) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The change budgets `.caws/policy.yaml` sets per tier; a file that is not a CAWS policy is named, not used. */
export function readPolicyBudgets(repoDir: string): { budgets: Partial<Record<RiskTier, TierBudget>>; problem?: string } {
  const budgets: Partial<Record<RiskTier, TierBudget>> = {};
  const text = readBounded(join(repoDir, POLICY_FILE), MAX_POLICY_BYTES);
  if (text === undefined) return { budgets };
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) return { budgets, problem: `${POLICY_FILE}: ${doc.errors[0]?.message.split('\n')[0] ?? 'not YAML'}` };
  const parsed = Policy.safeParse(doc.toJS({ maxAliasCount: 50 }));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { budgets, problem: `${POLICY_FILE}: ${issue ? `${issue.path.join('.') || '(document)'} ${issue.message}` : 'not a CAWS policy'}` };
  }
  for (const [key, entry] of Object.entries(parsed.data.risk_tiers)) {
    // CAWS writes tiers as 1, 2, 3; "T1" and "tier1" are seen in the wild too.
    const tier = Number(/^(?:t|tier[_-]?)?([123])$/i.exec(key.trim())?.[1]);
    if (tier !== 1 && tier !== 2 && tier !== 3) continue;
    if (entry.max_files === undefined || entry.max_loc === undefined) continue;
    budgets[tier] = { maxFiles: entry.max_files, maxLines: entry.max_loc };
  }
  return { budgets };
}

/** The stricter of the app's budget and the repository policy's, field by field. */
export function stricterBudget(app: TierBudget, repo: TierBudget | undefined): TierBudget {
  if (!repo) return app;
  return { maxFiles: Math.min(app.maxFiles, repo.maxFiles), maxLines: Math.min(app.maxLines, repo.maxLines) };
}

/** The planner's view of the repository's CAWS use, or undefined when it has none. */
export function describeRepositoryCaws(caws: RepositoryCaws): string | undefined {
  if (caws.specs.length === 0 && Object.keys(caws.policyBudgets).length === 0) return undefined;
  const lines = ['This repository already uses CAWS.'];
  const tiers = Object.entries(caws.policyBudgets).map(([t, b]) => `tier ${t}: at most ${b.maxFiles} files and ${b.maxLines} lines`);
  if (tiers.length) lines.push(`Its policy (${POLICY_FILE}) sets change budgets: ${tiers.join('; ')}.`);
  if (caws.specs.length) {
    const listed = caws.specs.slice(-MAX_LISTED_SPECS);
    lines.push(
      `Its existing specs (do not reuse their ids; build on them rather than repeating them):`,
      ...listed.map((s) => `- ${s.id} [${s.lifecycle}, tier ${s.riskTier}] ${s.title}${s.scopeIn.length ? ` (scope: ${s.scopeIn.join(', ')})` : ''}`),
    );
    if (caws.specs.length > listed.length) lines.push(`(${caws.specs.length - listed.length} older specs not listed)`);
  }
  return lines.join('\n');
}

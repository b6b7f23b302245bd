import { createHash } from 'node:crypto';
import type { TierBudget } from '../../../shared/domain/governance';
import type { RiskTier } from '../../../shared/domain/task';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { AppFailure } from '../../../shared/errors';
import { describeRepositoryCaws, readRepositoryCaws, stricterBudget } from '../caws/repository-caws';
import { formatIssues, validateSpec } from '../caws/validate';
import { serializeSpec } from '../caws/yaml';
import type { ModelClient } from '../models/types';
import type { Logger } from '../observability/logger';
import { planDraftJsonSchema } from './draft-schema';
import { repoFiles, runnerProblems, scopeProblems, wordProblems, availableRunners } from './plan-checks';
import { testRunProblems, type TestProbe } from './test-probe';
import { planningMessages, type PlanReference } from './prompt';
import { repairDraft } from './repair';
import type { FileRetrieval } from '../retrieval/service';
import { gatherRepoContext, type RepoContext, type RepoContextLimits } from './repo-context';

export type PlannerOptions = {
  /** The client serving the planner role. */
  client: ModelClient;
  logger: Logger;
  /** Model calls per plan: the first answer plus regenerations after an invalid one. */
  maxAttempts?: number;
  maxTokens?: number;
  contextLimits?: Partial<RepoContextLimits>;
  /**
   * Runs each acceptance test command in the sandbox before the plan goes to review (a test that
   * fails ran; a missing program did not). Without it the commands are checked against the
   * repository's runners only.
   */
  testProbe?: TestProbe;
  /** The retrieval service: it chooses the files shown to the planner (without it, embedding or word search over the first files). */
  retrieval?: FileRetrieval;
};

export type PlanInput = {
  taskId: string;
  description: string;
  repoPath: string;
  riskTier: RiskTier;
  budget: TierBudget;
  guidance?: readonly string[];
  /** Chunks of the task's attachments and the knowledge base, cited in the prompt by source and location. */
  references?: readonly PlanReference[];
  signal?: AbortSignal;
};

export type PlanAttempt = { attempt: number; model?: string; repairs: string[]; problems: string[] };

export type PlanResult = { spec: WorkingSpec; yaml: string; attempts: PlanAttempt[]; context: RepoContext };

/** The planner gave up: every answer it got was invalid even after repair. */
export class PlanningFailed extends AppFailure {
  constructor(
    message: string,
    readonly attempts: PlanAttempt[],
  ) {
    super('internal', message, attempts.at(-1)?.problems.map((p) => ({ path: 'spec', message: p })));
    this.name = 'PlanningFailed';
  }
}

/**
 * Turns a task description into a CAWS working spec: gathers the repository context (tree, README,
 * files found by the retrieval service, or by embedding search without one), asks the planner model for a schema-constrained draft, repairs
 * what can be repaired deterministically, validates, and asks again with the problems listed when
 * the draft is still invalid. An invalid spec is never returned.
 */
export class Planner {
  private readonly client: ModelClient;
  private readonly logger: Logger;
  private readonly maxAttempts: number;
  private readonly maxTokens: number;
  private readonly contextLimits: Partial<RepoContextLimits> | undefined;
  private readonly testProbe: TestProbe | undefined;
  private readonly retrieval: FileRetrieval | undefined;

  constructor(options: PlannerOptions) {
    this.client = options.client;
    this.logger = options.logger;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.maxTokens = options.maxTokens ?? 2_000;
    this.contextLimits = options.contextLimits;
    this.testProbe = options.testProbe;
    this.retrieval = options.retrieval;
  }

  async plan(input: PlanInput): Promise<PlanResult> {
    const context = await gatherRepoContext({
      repoPath: input.repoPath,
      description: input.description,
      client: this.client,
      logger: this.logger,
      ...(input.signal ? { signal: input.signal } : {}),
      ...(this.contextLimits ? { limits: this.contextLimits } : {}),
      ...(this.retrieval ? { retrieval: this.retrieval } : {}),
    });
    // A repository that already uses CAWS: its policy's budget binds the plan when stricter, and its
    // specs are listed so the plan builds on them and never takes an id already used.
    const caws = readRepositoryCaws(input.repoPath);
    const budget = stricterBudget(input.budget, caws.policyBudgets[input.riskTier]);
    const takenIds = new Set(caws.specs.map((s) => s.id));
    const repository = describeRepositoryCaws(caws);
    const schema = planDraftJsonSchema(input.riskTier);
    const idNumber = String(parseInt(createHash('sha256').update(input.taskId).digest('hex').slice(0, 8), 16) % 10_000).padStart(4, '0');
    const attempts: PlanAttempt[] = [];
    let problems: string[] = [];
    let lastCallError: unknown;
    let callErrors = 0;

    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const messages = planningMessages({ description: input.description, riskTier: input.riskTier, budget, context, guidance: input.guidance ?? [], references: input.references ?? [], problems, ...(repository ? { repository } : {}) });
      let value: unknown;
      let model: string | undefined;
      try {
        const answer = await this.client.generateJson(messages, schema, {
          maxTokens: this.maxTokens,
          // A retry explores a little more than the first, mostly deterministic, answer.
          temperature: attempt === 1 ? 0.2 : 0.6,
          taskId: input.taskId,
          ...(input.signal ? { signal: input.signal } : {}),
        });
        value = answer.value;
        model = answer.generation.model;
      } catch (e) {
        if (input.signal?.aborted || (e instanceof Error && e.name === 'AbortError')) throw e;
        // No model for the role: asking again cannot help.
        if (e instanceof AppFailure && e.code === 'not_found') throw e;
        // Providers report garbled output and a failing model alike; both get another attempt here.
        lastCallError = e;
        callErrors++;
        problems = [`the answer was not usable JSON (${e instanceof Error ? e.message : String(e)})`];
        attempts.push({ attempt, repairs: [], problems });
        continue;
      }
      const { value: repaired, repairs } = repairDraft(value, { riskTier: input.riskTier, description: input.description, idNumber });
      const validation = validateSpec(withFreshId(repaired, takenIds, repairs));
      // Schema-valid is not enough: words for titles and criteria, a scope inside the repository,
      // tests with a runner the repository has that actually run.
      const meaning = validation.ok ? await this.meaningProblems(validation.spec, input) : [];
      if (validation.ok && meaning.length > 0) {
        problems = meaning;
        attempts.push({ attempt, ...(model ? { model } : {}), repairs, problems });
        this.logger.warn({ taskId: input.taskId, attempt, problems }, 'planner produced a spec that does not mean anything runnable');
        continue;
      }
      if (validation.ok) {
        attempts.push({ attempt, ...(model ? { model } : {}), repairs, problems: [] });
        this.logger.info({ taskId: input.taskId, specId: validation.spec.id, attempts: attempt, repairs: repairs.length }, 'working spec planned');
        return { spec: validation.spec, yaml: serializeSpec(validation.spec), attempts, context };
      }
      problems = validation.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
      attempts.push({ attempt, ...(model ? { model } : {}), repairs, problems });
      this.logger.warn({ taskId: input.taskId, attempt, problems: formatIssues(validation.issues) }, 'planner produced an invalid spec');
    }
    // Every attempt failed to reach the model (not a bad answer): its own error says why, and the
    // engine's retry and breaker decide by its code (a missing model is not retried; a busy one is).
    if (lastCallError instanceof AppFailure && callErrors === attempts.length) {
      throw lastCallError;
    }
    throw new PlanningFailed(
      `the planner could not produce a valid working spec in ${this.maxAttempts} attempt(s); last problems: ${problems.slice(0, 8).join('; ')}`,
      attempts,
    );
  }

  private async meaningProblems(spec: WorkingSpec, input: PlanInput): Promise<string[]> {
    const files = repoFiles(input.repoPath);
    const runners = runnerProblems(spec, input.repoPath, availableRunners(input.repoPath, files));
    const problems = [...wordProblems(spec), ...scopeProblems(spec, input.repoPath, files), ...runners];
    if (problems.length > 0 || !this.testProbe) return problems;
    return testRunProblems(spec, input.repoPath, this.testProbe, input.signal);
  }
}

/** A draft whose id the repository already uses gets the next free number with the same prefix. */
function withFreshId(draft: unknown, taken: ReadonlySet<string>, repairs: string[]): unknown {
  if (typeof draft !== 'object' || draft === null || !('id' in draft) || typeof draft.id !== 'string' || !taken.has(draft.id)) return draft;
  const match = /^(.*?)(\d+)$/.exec(draft.id);
  if (!match) return draft;
  const [, prefix, digits] = match as unknown as [string, string, string];
  let n = Number(digits);
  let id = draft.id;
  while (taken.has(id)) id = `${prefix}${String(++n).padStart(digits.length, '0')}`;
  repairs.push(`id ${draft.id} is already a spec of this repository; renamed to ${id}`);
  return { ...draft, id };
}

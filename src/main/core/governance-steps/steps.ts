import { createHash } from 'node:crypto';
import type { CheckCommands, FinalVerdict, GateResultRecord, JudgeVerdict, ReviewSubjectKind, Waiver } from '../../../shared/domain/governance';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { AppFailure } from '../../../shared/errors';
import type { ChangedFile } from '../caws/budget';
import { extractClaims } from '../claims/extract';
import { reviewStanding, withoutStale } from '../claims/ledger';
import type { ClaimRecords } from '../claims/records';
import { readBytesInside, reviewEvidence } from '../claims/review-evidence';
import type { KnowledgeLookup, VerifiedClaim } from '../claims/types';
import { verifyClaims } from '../claims/verify';
import type { KnowledgeHit } from '../../../shared/domain/knowledge';
import { widen } from '../caws/budget';
import { readRepositorySpec } from '../caws/existing-spec';
import type { PolicyService } from '../caws/policy-service';
import { serializeSpec } from '../caws/yaml';
import type { Council } from '../council/council';
import type { ReviewSubject } from '../council/types';
import type { PlanOutcome, ReviewOutcome, StepContext, VerifyOutcome } from '../engine/step';
import { GovernanceGateRunner } from '../gates/gate-runner';
import type { Logger } from '../observability/logger';
import type { Planner } from '../planner/planner';
import { coversSpec } from '../waivers/status';
import type { WaiverService } from '../waivers/waiver-service';
import type { GovernanceRecords } from './records';
import { untestable } from '../planner/plan-checks';
import { modelReasons, settleCriteria, toReviewOutcome, withConditions } from './verdicts';

/** What the governance steps use of the engine's step context (a plain object in tests). */
export type GovernanceStepContext = Pick<StepContext, 'taskId' | 'task' | 'round' | 'attempt' | 'signal' | 'guidance' | 'emit' | 'progress'> & {
  /** The task's workspace when the caller already knows it; otherwise the change source finds it. */
  workspaceDir?: string;
};

/** The change a task's worker produced, as the gates and the council see it. */
export type ChangeUnderReview = {
  workspaceDir: string;
  changedFiles: ChangedFile[];
  /** Unified diff, bounded by the provider. */
  diff?: string;
};

/** Finds the current change of a task (the workspace area provides it). */
export type ChangeSource = (ctx: GovernanceStepContext) => Promise<ChangeUnderReview>;

export type GovernanceStepsDeps = {
  planner: Planner;
  council: Council;
  policy: PolicyService;
  waivers: WaiverService;
  records: GovernanceRecords;
  changes: ChangeSource;
  /** App-wide default check commands (Settings); a repository's own policy entry wins over them. */
  defaultCommands?: () => CheckCommands;
  /** The claim table: without it the council sees no claims and the judges' claims are not checked. */
  claims?: ClaimRecords;
  /** A task's attachments and the knowledge base: read before planning and cited in the planner's prompt. */
  knowledge?: PlanningKnowledge;
  logger: Logger;
};

/**
 * What planning reads of the knowledge base: the target repository's docs and specs and the task's
 * attachments (each read once per version), and the chunks to cite.
 */
export type PlanningKnowledge = {
  index(taskId: string): Promise<{ name: string; status: 'read' | 'not_read'; extraction: string | null; detail: string }[]>;
  indexRepository?(taskId: string, repoPath: string): Promise<{ read: readonly unknown[]; skipped: readonly { path: string; reason: string }[] }>;
  references(taskId: string, query: string, repoPath?: string): KnowledgeHit[];
  /** The knowledge base as the claim verifier reads it for a task (claims about what the docs say). */
  lookup?(taskId: string, repoPath: string): KnowledgeLookup;
};

export type GovernanceSteps = {
  plan(ctx: GovernanceStepContext): Promise<PlanOutcome>;
  reviewPlan(ctx: GovernanceStepContext): Promise<ReviewOutcome>;
  verify(ctx: GovernanceStepContext): Promise<VerifyOutcome>;
  reviewChange(ctx: GovernanceStepContext): Promise<ReviewOutcome>;
};

/**
 * The engine's planning, reviewing_plan, verifying and reviewing_change steps, built on the
 * planner, the council, the gates, the policy and the waivers. Every result is stored (spec
 * versions, gate runs, verdicts with every vote, CAWS validations, resource use) and streamed as
 * events while it happens.
 */
export function createGovernanceSteps(deps: GovernanceStepsDeps): GovernanceSteps {
  const { records, policy, waivers } = deps;

  const measured = async <T>(ctx: GovernanceStepContext, phase: string, work: () => Promise<T>): Promise<T> => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    let success = false;
    try {
      const result = await work();
      success = true;
      return result;
    } finally {
      const used = process.cpuUsage(cpu);
      try {
        records.recordResources({
          taskId: ctx.taskId,
          phase,
          cpuMs: (used.user + used.system) / 1000,
          memoryBytes: process.memoryUsage().rss,
          durationMs: performance.now() - started,
          success,
        });
      } catch (e) {
        deps.logger.warn({ err: e, taskId: ctx.taskId }, 'could not record resource use');
      }
    }
  };

  const specOf = (ctx: GovernanceStepContext): { spec: WorkingSpec; yaml: string } => {
    const current = records.currentSpec(ctx.taskId);
    if (!current) throw new AppFailure('conflict', `task ${ctx.taskId} has no working spec to review`);
    return current;
  };

  const waiversFor = (spec: WorkingSpec): Waiver[] => waivers.list().filter((w) => coversSpec(w, spec.id));

  const effectiveBudget = (ctx: GovernanceStepContext, spec: WorkingSpec) => {
    let budget = policy.budget(ctx.task.riskTier);
    for (const w of waiversFor(spec)) if (w.status === 'active' && w.gates.includes('budget') && w.budgetDelta) budget = widen(budget, w.budgetDelta);
    return budget;
  };

  const review = async (ctx: GovernanceStepContext, kind: ReviewSubjectKind, change?: ChangeUnderReview, gateResults?: readonly GateResultRecord[], pass = 1): Promise<{ outcome: ReviewOutcome; verdict: FinalVerdict }> => {
    const key = pass === 1 ? kind : `${kind}-p${pass}`;
    const { spec, yaml } = specOf(ctx);
    const subject: ReviewSubject = {
      kind,
      taskId: ctx.taskId,
      description: ctx.task.description,
      riskTier: ctx.task.riskTier,
      mode: ctx.task.mode,
      spec,
      specYaml: yaml,
      budget: effectiveBudget(ctx, spec),
      waivers: waiversFor(spec),
      ...(change ? { change: { changedFiles: change.changedFiles, ...(change.diff ? { diff: change.diff } : {}) } } : {}),
      ...(gateResults ? { gateResults } : {}),
    };
    // A change review sees the claim table and checks each judge's own claims against the same evidence.
    // The sources the claims were checked against (workspace files, repository docs, attachments, knowledge
    // chunks) are hashed again first: a claim whose source changed since is stale.
    // The repository's docs are read again first, so claims about them are checked against them as they are now.
    if (kind === 'change' && deps.claims && change && deps.knowledge?.indexRepository) {
      await deps.knowledge.indexRepository(ctx.taskId, ctx.task.repoPath).catch((e: unknown) => deps.logger.warn({ err: e, taskId: ctx.taskId }, 'repository docs could not be indexed'));
    }
    if (kind === 'change' && deps.claims && change) await deps.claims.refresh(ctx.taskId, (p) => readBytesInside(change.workspaceDir, p), { repoDir: ctx.task.repoPath });
    const latest = kind === 'change' && deps.claims ? deps.claims.latestExecution(ctx.taskId) : undefined;
    // A stale claim does not count as verified: a criterion pending on a stale account is unmet.
    const execution = latest ? { claims: latest.claims, standing: withoutStale(latest.standing, latest.claims) } : undefined;
    if (execution && execution.standing.length) subject.claims = { worker: execution.claims, criteria: execution.standing };
    const judgeClaims = new Map<string, VerifiedClaim[]>();
    const evidence =
      execution && change
        ? reviewEvidence({
            workspaceDir: change.workspaceDir,
            changedFiles: change.changedFiles,
            diff: change.diff,
            gates: gateResults ?? [],
            standing: execution.standing,
            criterionIds: spec.acceptance.map((a) => a.id),
            knowledge: deps.knowledge?.lookup?.(ctx.taskId, ctx.task.repoPath),
          })
        : undefined;
    let done = 0;
    const reviewed = await deps.council.review(subject, {
      signal: ctx.signal,
      ...(evidence
        ? {
            checkClaims: (v: JudgeVerdict) => verifyClaims(extractClaims({ text: modelReasons(v.reasons).join('\n'), criterionIds: spec.acceptance.map((a) => a.id), source: 'judge' }), evidence),
            onClaims: (judge: string, claims: VerifiedClaim[]) => judgeClaims.set(judge, claims),
          }
        : {}),
      onVote: (v: JudgeVerdict) => {
        done++;
        ctx.emit(
          {
            type: 'council.vote',
            payload: { judgeId: v.judge_id, verdict: v.verdict, confidence: v.confidence, reasons: v.reasons.slice(0, 6), round: v.round ?? 1, subject: kind, ...(v.error ? { error: v.error } : {}) },
          },
          `vote:a${ctx.attempt}:${key}:${v.judge_id}:${v.round ?? 1}`,
        );
        ctx.progress(Math.min(0.95, done / 4), `${v.judge_id} judge voted ${v.verdict}${(v.round ?? 1) > 1 ? ` (debate round ${(v.round ?? 1) - 1})` : ''}`);
      },
    });
    const { rounds } = reviewed;
    let verdict = reviewed.verdict;
    if (execution && execution.standing.length) {
      const constitutional = verdict.judges.find((j) => j.judge_id === 'constitutional');
      const standing = reviewStanding(execution.standing, constitutional, judgeClaims.get('constitutional') ?? []);
      verdict = settleCriteria(verdict, standing);
      deps.claims?.recordReview(ctx.taskId, 'review_change', ctx.round, judgeClaims, standing);
    } else if (judgeClaims.size) deps.claims?.recordReview(ctx.taskId, kind === 'plan' ? 'review_plan' : 'review_change', ctx.round, judgeClaims);
    const verdictId = records.saveVerdict(ctx.taskId, kind, verdict, rounds);
    records.recordValidation(ctx.taskId, kind, {
      spec,
      ...(change ? { changedFiles: change.changedFiles, budget: subject.budget } : {}),
      waiverStatus: new Map(subject.waivers.map((w) => [w.id, w.status])),
    });
    ctx.emit(
      {
        type: 'council.verdict',
        payload: {
          decision: verdict.decision,
          score: verdict.score,
          verdictId,
          subject: kind,
          threshold: verdict.threshold,
          vetoed: verdict.vetoed,
          escalated: verdict.escalated,
          dissent: verdict.dissent.map((d) => ({ judgeId: d.judge_id, verdict: d.verdict, reasons: d.reasons.slice(0, 6) })),
        },
      },
      `verdict:a${ctx.attempt}:${key}`,
    );
    return { outcome: toReviewOutcome(verdict, kind), verdict };
  };

  /**
   * The plan review with the council's depth: a judge asking for information gets it from the
   * planner once (the questions become guidance for a new plan, which is reviewed again); a council
   * still asking after that escalates the questions to the user. Conditions of an accepted plan
   * become acceptance criteria, so the worker must meet them before the change is reviewed.
   */
  const reviewPlanDeep = async (ctx: GovernanceStepContext): Promise<ReviewOutcome> => {
    let { outcome, verdict } = await review(ctx, 'plan');
    if (verdict.questions?.length) {
      const asked = verdict.questions.flatMap((q) => q.questions.map((text) => `${q.judge_id} judge asks: ${text}`));
      ctx.progress(0.5, `the council asks ${asked.length} question(s); the planner answers them in a revised plan`);
      await planWith(ctx, [...ctx.guidance.map((g) => g.text), ...asked.map((a) => `Answer in the plan: ${a}`)], 'spec-answers');
      ({ outcome, verdict } = await review(ctx, 'plan', undefined, undefined, 2));
      if (verdict.questions?.length) {
        const still = verdict.questions.flatMap((q) => q.questions.map((text) => `${q.judge_id}: ${text}`));
        return { decision: 'reject', summary: `the council needs answers a human must give: ${still.join(' | ')}`.slice(0, 8000), score: verdict.score };
      }
    }
    if (outcome.decision === 'accept' && verdict.conditions?.length) {
      const { spec } = specOf(ctx);
      const added = withConditions(spec, verdict.conditions);
      records.saveSpec(ctx.taskId, added, 'planner', 'council');
      records.recordValidation(ctx.taskId, 'plan', { spec: added });
      return { ...outcome, summary: `${outcome.summary}; ${verdict.conditions.length} condition(s) added as acceptance criteria` };
    }
    return outcome;
  };

  /**
   * Reads the task's attachments into the knowledge base (once; one that cannot be read is said so, it
   * never stops the task) and retrieves the chunks the planner cites, journaling which ones it got.
   */
  const referencesFor = async (ctx: GovernanceStepContext): Promise<KnowledgeHit[]> => {
    if (!deps.knowledge) return [];
    if (deps.knowledge.indexRepository) {
      // The repository's docs are reference material: one that cannot be read is logged, never a stop.
      try {
        const docs = await deps.knowledge.indexRepository(ctx.taskId, ctx.task.repoPath);
        if (docs.read.length || docs.skipped.length) ctx.progress(0.04, `repository docs: ${docs.read.length} read${docs.skipped.length ? `, ${docs.skipped.length} not read (${docs.skipped.slice(0, 3).map((x) => `${x.path}: ${x.reason}`).join('; ')})` : ''}`);
      } catch (e) {
        deps.logger.warn({ err: e, taskId: ctx.taskId }, 'repository docs could not be indexed');
      }
    }
    const outcomes = await deps.knowledge.index(ctx.taskId);
    for (const o of outcomes) {
      ctx.emit({ type: 'attachment.read', payload: o }, `attachment:${o.name}`);
      if (o.status === 'not_read') ctx.progress(0.05, `attachment ${o.name} was not read: ${o.detail}`);
    }
    const refs = deps.knowledge.references(ctx.taskId, ctx.task.description, ctx.task.repoPath);
    if (refs.length) {
      ctx.emit(
        { type: 'knowledge.retrieved', payload: { purpose: 'plan', chunks: refs.map((r) => ({ title: r.title, source: r.source, location: r.location, extraction: r.extraction, score: r.score })) } },
        `knowledge:plan:r${ctx.round}:a${ctx.attempt}:${refs.length}`,
      );
    }
    return refs;
  };

  const planWith = async (ctx: GovernanceStepContext, guidance: string[], artifactKey: string) => {
    const references = await referencesFor(ctx);
    const result = await deps.planner.plan({
      taskId: ctx.taskId,
      description: ctx.task.description,
      repoPath: ctx.task.repoPath,
      riskTier: ctx.task.riskTier,
      budget: policy.budget(ctx.task.riskTier),
      guidance,
      ...(references.length ? { references } : {}),
      signal: ctx.signal,
    });
    const author = result.attempts.at(-1)?.model ?? 'planner';
    records.saveSpec(ctx.taskId, result.spec, 'planner', author);
    records.recordValidation(ctx.taskId, 'plan', { spec: result.spec });
    ctx.emit(
      { type: 'artifact.produced', payload: { kind: 'spec', name: `${result.spec.id}.yaml`, sha256: createHash('sha256').update(result.yaml).digest('hex') } },
      artifactKey,
    );
    return result;
  };

  return {
    plan: (ctx) =>
      measured(ctx, 'planning', async () => {
        // A task run against the repository's own spec (execute --spec ID) is not planned: the spec is
        // read and validated with our CAWS schema again (the repository may have changed since submit).
        // Guidance from a review asking for changes sends it to the planner like any plan.
        if (ctx.task.specId && ctx.guidance.length === 0) {
          const spec = readRepositorySpec(ctx.task.repoPath, ctx.task.specId);
          const yaml = serializeSpec(spec);
          records.saveSpec(ctx.taskId, spec, 'repository', 'repository');
          records.recordValidation(ctx.taskId, 'plan', { spec });
          ctx.emit({ type: 'artifact.produced', payload: { kind: 'spec', name: `${spec.id}.yaml`, sha256: createHash('sha256').update(yaml).digest('hex') } }, 'spec');
          ctx.progress(1, `runs against the repository's spec ${spec.id}; the planner was not asked`);
          return { spec: yaml, summary: `${spec.id}: ${spec.title} (from the repository)` };
        }
        ctx.progress(0.05, 'reading the repository');
        const result = await planWith(ctx, ctx.guidance.map((g) => g.text), 'spec');
        ctx.progress(1, `planned ${result.spec.id} in ${result.attempts.length} attempt(s)`);
        return { spec: result.yaml, summary: `${result.spec.id}: ${result.spec.title}` };
      }),

    reviewPlan: (ctx) =>
      measured(ctx, 'reviewing_plan', () => {
        // A plan that nothing can test goes to a person, not to the council: escalated with the reason.
        const reason = untestable(specOf(ctx).spec);
        return reason ? Promise.resolve<ReviewOutcome>({ decision: 'reject', summary: `escalated: ${reason}` }) : reviewPlanDeep(ctx);
      }),

    verify: (ctx) =>
      measured(ctx, 'verifying', async () => {
        const { spec } = specOf(ctx);
        const change = await deps.changes(ctx);
        const current = policy.get();
        // Configured commands: the repository's policy entry, then the app defaults; detection fills the rest.
        const commands: CheckCommands = { ...deps.defaultCommands?.(), ...current.checkCommands[ctx.task.repoPath] };
        const runner = new GovernanceGateRunner({
          spec,
          policy: current,
          logger: deps.logger,
          waivers,
          commands,
          onResult: (r) => {
            ctx.emit(
              {
                type: 'gate.result',
                payload: { gate: r.gate, status: r.status, details: r.details.slice(0, 4000), mode: r.mode, score: r.score, durationMs: r.durationMs, ...(r.waiverId ? { waiverId: r.waiverId } : {}) },
              },
              `gate:a${ctx.attempt}:${r.gate}`,
            );
            ctx.progress(0.1 + 0.85 * (['spec_completeness', 'scope', 'budget', 'tests', 'coverage', 'typecheck', 'lint'].indexOf(r.gate) + 1) / 7, `${r.gate}: ${r.status}`);
          },
        });
        const results = await runner.run({ taskId: ctx.taskId, workspaceDir: change.workspaceDir, riskTier: ctx.task.riskTier, changedFiles: change.changedFiles, signal: ctx.signal });
        records.saveGateRun(ctx.taskId, results);
        records.recordValidation(ctx.taskId, 'change', { spec, changedFiles: change.changedFiles, budget: effectiveBudget(ctx, spec), waivedGates: new Set(results.filter((r) => r.waiverId).map((r) => r.gate)) });
        const failed = results.filter((r) => r.status === 'fail');
        const warned = results.filter((r) => r.status === 'warn');
        if (failed.length === 0) {
          const notes = warned.length ? `; warnings: ${warned.map((r) => r.gate).join(', ')}` : '';
          return { passed: true, summary: `${results.filter((r) => r.status === 'pass').length} gate(s) passed${notes}` };
        }
        return { passed: false, summary: failed.map((r) => `${r.gate}: ${r.details.split('\n').slice(0, 6).join(' ')}`).join('\n').slice(0, 8000) };
      }),

    reviewChange: (ctx) =>
      measured(ctx, 'reviewing_change', async () => {
        const change = await deps.changes(ctx);
        const gates = records.latestGates(ctx.taskId);
        const { outcome, verdict } = await review(ctx, 'change', change, gates?.results ?? []);
        // A judge that cannot decide the change without answers: a human gives them (bounded: no loop).
        if (verdict.questions?.length) {
          const asked = verdict.questions.flatMap((q) => q.questions.map((text) => `${q.judge_id}: ${text}`));
          return { decision: 'reject', summary: `the council needs answers a human must give: ${asked.join(' | ')}`.slice(0, 8000), score: verdict.score };
        }
        return outcome;
      }),
  };
}

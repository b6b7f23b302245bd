import { join } from 'node:path';
import type { Task } from '../../../shared/domain/task';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import type { LoopSpec } from '../agent/loop';
import { createWorkerSteps } from '../agent/worker-steps';
import { ChangeApplier } from '../apply/apply-change';
import type { PolicyService } from '../caws/policy-service';
import { readPolicyBudgets, stricterBudget } from '../caws/repository-caws';
import { Council, type CouncilCalibration } from '../council/council';
import { createLimiter, type Limiter } from '../council/limiter';
import type { Db } from '../db/open';
import type { StepSet } from '../engine/step';
import { GovernanceGateRunner } from '../gates/gate-runner';
import type { GovernanceRecords } from '../governance-steps/records';
import { createGovernanceSteps } from '../governance-steps/steps';
import type { Clock } from '../journal/journal';
import type { TextEmbedder } from '../models/text-embedder';
import type { ModelGateway } from '../models/types';
import type { Logger } from '../observability/logger';
import type { ToolsService } from '../tools/service';
import { Planner } from '../planner/planner';
import { sandboxTestProbe } from '../planner/test-probe';
import { RetrievalService, type FileRetrieval } from '../retrieval/service';
import { defaultSandboxService } from '../sandbox/default-service';
import type { WaiverService } from '../waivers/waiver-service';
import type { ClaimRecords } from '../claims/records';
import type { PlanningKnowledge } from '../governance-steps/steps';
import { workspaceWaiverCheck } from '../waivers/workspace-check';
import { WorkspaceManager } from '../workspace/manager';
import type { CheckCommands } from '../../../shared/domain/governance';
import { AppFailure } from '../../../shared/errors';

/** The services the real steps are built from; `createCore` hands them over once they exist. */
export type StepServices = {
  dataDir: string;
  db: Db;
  clock: Clock;
  logger: Logger;
  models: ModelGateway;
  policy: PolicyService;
  waivers: WaiverService;
  governance: GovernanceRecords;
  signer: { sign(payload: unknown): Promise<string> };
  /** App-wide default check commands from Settings. */
  defaultCommands?: () => CheckCommands;
  /** MCP tools the worker's model may call; without them the worker only edits. */
  tools?: ToolsService;
  /** How judges are scheduled: the round limiter on the scheduler in production (see council/round-limiter.ts). */
  councilLimiter?: Limiter;
  /** Council calibration learned from outcomes (its mode decides whether it only suggests). */
  calibration?: CouncilCalibration;
  /** The claim table (worker and judges) and the criteria's standing. */
  claims?: ClaimRecords;
  /** Task attachments and the knowledge base the planner reads and cites. */
  knowledge?: PlanningKnowledge;
  /** The one retrieval service the planner and the worker choose files through (default: indexes in the data folder). */
  retrieval?: FileRetrieval;
  /** What embeds the default retrieval service's file chunks and tasks while it names a model (none: no vectors). */
  embedder?: TextEmbedder;
  /**
   * How the worker's model writes edits: SEARCH/REPLACE text (the default, ADR 0019: bench:edits
   * places ~94% of real commits' edits and misplaces none) or `json` line hunks, kept for a model
   * that can follow neither a grammar nor the text format.
   */
  editFormat?: 'json' | 'text';
};

/** The parts of a working spec the worker loop needs. */
function loopSpecOf(spec: WorkingSpec): LoopSpec {
  return {
    id: spec.id,
    title: spec.title,
    scope: { in: spec.scope.in, out: spec.scope.out, support: spec.scope.support },
    acceptance: spec.acceptance.map((a) => ({ id: a.id, given: a.given, when: a.when, then: a.then, test: a.test_command })),
  };
}

/**
 * The production step set: planning and both reviews through the planner and the four-judge
 * council, execution through the generate–evaluate–refine worker in an isolated workspace, gates in
 * that workspace, and apply (or, in dry-run, the kept patch) with a signed commit.
 */
export function createDefaultSteps(s: StepServices): StepSet {
  const workspaces = new WorkspaceManager({ root: join(s.dataDir, 'workspaces'), db: s.db, logger: s.logger, clock: s.clock });
  const specOf = (taskId: string) => s.governance.currentSpec(taskId)?.spec ?? null;
  // One index per repository under the data folder, shared by the planner and the worker.
  const retrieval = s.retrieval ?? new RetrievalService({ dataDir: s.dataDir, logger: s.logger, ...(s.embedder ? { embedder: s.embedder } : {}) });

  const worker = createWorkerSteps({
    workspaces,
    db: s.db,
    clock: s.clock,
    model: s.models.client('worker'),
    specOf: (task: Task) => {
      const spec = specOf(task.id);
      return spec ? loopSpecOf(spec) : null;
    },
    gatesFor: (task: Task) => {
      const spec = specOf(task.id);
      if (!spec) throw new AppFailure('conflict', `task ${task.id} has no working spec to check the change against`);
      const policy = repositoryBound(s.policy.get(), task.repoPath);
      return new GovernanceGateRunner({
        spec,
        policy,
        logger: s.logger,
        waivers: s.waivers,
        commands: { ...s.defaultCommands?.(), ...policy.checkCommands[task.repoPath] },
      });
    },
    budgetFor: (task: Task) => repositoryBound(s.policy.get(), task.repoPath).budgets[task.riskTier],
    waiverCheckFor: (task: Task, spec: LoopSpec) => workspaceWaiverCheck(s.waivers, { taskId: task.id, specId: spec.id }),
    applier: new ChangeApplier({ logger: s.logger, sign: (payload) => s.signer.sign(payload) }),
    verdictOf: (taskId: string) => {
      const latest = s.governance.verdicts(taskId).filter((v) => v.subject === 'change').at(-1);
      return latest ? `${latest.verdict.decision} (score ${latest.verdict.score.toFixed(2)})` : 'none';
    },
    ...(s.tools ? { tools: s.tools } : {}),
    ...(s.claims ? { claims: s.claims } : {}),
    ...(s.knowledge?.lookup ? { knowledge: s.knowledge.lookup } : {}),
    retrieval,
    editFormat: s.editFormat ?? 'text',
  });

  const governance = createGovernanceSteps({
    planner: new Planner({
      client: s.models.client('planner'),
      logger: s.logger,
      // The plan's test commands run in the sandbox (on a scratch clone) before the plan goes to review.
      testProbe: sandboxTestProbe(() => defaultSandboxService(s.logger), { dataDir: s.dataDir }),
      retrieval,
    }),
    // The model service takes a scheduler slot for every inference call, so the judges' real
    // parallelism follows the scheduler; the limiter only caps how many wait at once.
    council: new Council({ gateway: s.models, logger: s.logger, limiter: s.councilLimiter ?? createLimiter(4), ...(s.calibration ? { calibration: s.calibration } : {}) }),
    policy: s.policy,
    waivers: s.waivers,
    records: s.governance,
    changes: (ctx) => worker.changeSource(ctx),
    ...(s.defaultCommands ? { defaultCommands: s.defaultCommands } : {}),
    ...(s.claims ? { claims: s.claims } : {}),
    ...(s.knowledge ? { knowledge: s.knowledge } : {}),
    logger: s.logger,
  });

  return {
    plan: (ctx) => governance.plan(ctx),
    reviewPlan: (ctx) => governance.reviewPlan(ctx),
    execute: (ctx) => worker.execute(ctx),
    verify: (ctx) => governance.verify(ctx),
    reviewChange: (ctx) => governance.reviewChange(ctx),
    apply: (ctx) => worker.apply(ctx),
    cleanup: (ctx) => worker.cleanup(ctx),
  };
}

/** The app's policy with each tier's budget narrowed to the repository's own `.caws/policy.yaml`, where stricter. */
function repositoryBound(policy: ReturnType<PolicyService['get']>, repoPath: string): ReturnType<PolicyService['get']> {
  const repo = readPolicyBudgets(repoPath).budgets;
  return { ...policy, budgets: { 1: stricterBudget(policy.budgets[1], repo[1]), 2: stricterBudget(policy.budgets[2], repo[2]), 3: stricterBudget(policy.budgets[3], repo[3]) } };
}

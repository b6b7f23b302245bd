import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedModel } from '../../../../test/fake-model';
import { governanceDb } from '../../../../test/governance';
import type { NewEvent } from '../../../shared/domain/events';
import type { JudgeId } from '../../../shared/domain/governance';
import type { Task } from '../../../shared/domain/task';
import { PolicyService } from '../caws/policy-service';
import { Council } from '../council/council';
import { eventsForTask } from '../db/queries/events';
import { getTask } from '../db/queries/tasks';
import type { ModelGateway, ModelRole } from '../models/types';
import { silentLogger } from '../observability/logger';
import { Planner } from '../planner/planner';
import { WaiverService } from '../waivers/waiver-service';
import { GovernanceRecords } from './records';
import { createGovernanceSteps, type GovernanceStepContext } from './steps';

const PROJECTS = join(__dirname, '../../../../test/fixtures/projects');

const draft = {
  id: 'FEAT-0042',
  title: 'Clamp inputs in the math helpers',
  mode: 'feature',
  blast_radius: { modules: ['math'], data_migration: false },
  scope: { in: ['src/'], out: [], support: ['test/'] },
  invariants: ['add keeps returning the sum'],
  acceptance: [{ id: 'A1', given: 'a value above the range', when: 'clamp runs', then: 'it returns the upper bound', test: 'npm test' }],
  non_functional: { security: [], reliability: [], a11y: [] },
  contracts: [{ name: 'math-behaviour', type: 'behavior', path: '' }],
};
const pass = { verdict: 'pass', confidence: 0.9, reasons: ['fits the spec'], evidence: [{ type: 'research', ref: 'spec', summary: 'read the spec' }] };

describe('governance steps', () => {
  let env: ReturnType<typeof governanceDb>;
  let models: Record<string, ScriptedModel>;
  let workspace: string;
  let steps: ReturnType<typeof createGovernanceSteps>;
  let waivers: WaiverService;
  let records: GovernanceRecords;

  beforeEach(() => {
    env = governanceDb();
    workspace = join(env.repo, 'workspace');
    cpSync(join(PROJECTS, 'node-pass'), workspace, { recursive: true });
    // The plan is checked against the repository itself: its scope must name real paths and its
    // test command a runner the repository has.
    cpSync(join(PROJECTS, 'node-pass'), env.repo, { recursive: true });
    models = { planner: new ScriptedModel([draft], 'planner-model') };
    for (const j of ['constitutional', 'technical', 'quality', 'integration'] as JudgeId[]) models[`judge.${j}`] = new ScriptedModel([pass, pass], `judge-${j}`);
    const gateway: ModelGateway = { client: (role: ModelRole) => models[role]! };
    const logger = silentLogger();
    waivers = new WaiverService({ db: env.db, journal: env.journal, clock: env.clock, logger });
    records = new GovernanceRecords({ db: env.db, clock: env.clock });
    steps = createGovernanceSteps({
      planner: new Planner({ client: gateway.client('planner'), logger }),
      council: new Council({ gateway, logger }),
      policy: new PolicyService({ db: env.db, clock: env.clock, logger }),
      waivers,
      records,
      changes: async () => ({ workspaceDir: workspace, changedFiles: [{ path: 'src/math.js', linesAdded: 4, linesRemoved: 1 }, { path: 'test/math.test.js', linesAdded: 6, linesRemoved: 0 }], diff: '+  if (n > hi) return hi;\n' }),
      logger,
    });
  });
  afterEach(() => env.cleanup());

  const context = (task: Task): GovernanceStepContext => ({
    taskId: task.id,
    task: getTask(env.db, task.id)!,
    round: 1,
    attempt: 1,
    signal: new AbortController().signal,
    guidance: [],
    emit: (event: NewEvent, key?: string) => env.journal.append(task.id, event, `${task.id}:${key ?? Math.random()}`).event,
    progress: () => undefined,
  });

  it('plans, reviews the plan, runs the gates and reviews the change, recording everything', async () => {
    const task = env.newTask({ riskTier: 2, mode: 'auto' });
    const planned = await steps.plan(context(task));
    expect(planned.spec).toMatch(/^id: FEAT-0042/m);
    expect(getTask(env.db, task.id)!.spec).toBe(planned.spec);
    expect(records.specVersions(task.id)).toMatchObject([{ version: 1, source: 'planner', author: 'planner-model' }]);

    const planReview = await steps.reviewPlan(context(task));
    expect(planReview).toMatchObject({ decision: 'accept' });

    const verified = await steps.verify(context(task));
    expect(verified.passed).toBe(true);
    expect(records.latestGates(task.id)!.results.map((r) => [r.gate, r.status])).toEqual([
      ['spec_completeness', 'pass'],
      ['scope', 'pass'],
      ['budget', 'pass'],
      ['tests', 'pass'],
      ['coverage', 'pass'],
      ['typecheck', 'pass'],
      ['lint', 'pass'],
    ]);

    const changeReview = await steps.reviewChange(context(task));
    expect(changeReview.decision).toBe('accept');

    const verdicts = records.verdicts(task.id);
    expect(verdicts.map((v) => [v.subject, v.verdict.decision, v.verdict.votes.length])).toEqual([
      ['plan', 'accept', 4],
      ['change', 'accept', 4],
    ]);
    expect(verdicts[1]!.rounds.every((r) => r.model?.startsWith('judge-'))).toBe(true);

    const types = eventsForTask(env.db, task.id).map((e) => e.type);
    expect(types.filter((t) => t === 'council.vote')).toHaveLength(8);
    expect(types.filter((t) => t === 'council.verdict')).toHaveLength(2);
    expect(types.filter((t) => t === 'gate.result')).toHaveLength(7);
    expect(types).toContain('artifact.produced');
    expect(records.validations(task.id).map((v) => v.subject)).toEqual(['plan', 'plan', 'change', 'change']);
    expect(records.resources(task.id).map((r) => [r.phase, r.success])).toEqual([
      ['planning', true],
      ['reviewing_plan', true],
      ['verifying', true],
      ['reviewing_change', true],
    ]);
  });

  it('reports failing gates so the engine sends the task back to execution', async () => {
    const task = env.newTask({ riskTier: 2 });
    await steps.plan(context(task));
    cpSync(join(PROJECTS, 'node-fail'), workspace, { recursive: true, force: true });
    const verified = await steps.verify(context(task));
    expect(verified.passed).toBe(false);
    expect(verified.summary).toMatch(/^tests: /m);
    expect(verified.summary).toMatch(/^lint: /m);
  });

  it('uses the app default check commands where the repository configures none', async () => {
    const task = env.newTask({ riskTier: 2 });
    await steps.plan(context(task));
    cpSync(join(PROJECTS, 'node-fail'), workspace, { recursive: true, force: true });
    const logger = silentLogger();
    const gateway: ModelGateway = { client: (role: ModelRole) => models[role]! };
    const policy = new PolicyService({ db: env.db, clock: env.clock, logger });
    policy.update({ checkCommands: { [task.repoPath]: { typecheck: 'echo repo typecheck' } } }, 'alice');
    const withDefaults = createGovernanceSteps({
      planner: new Planner({ client: gateway.client('planner'), logger }),
      council: new Council({ gateway, logger }),
      policy,
      waivers,
      records,
      changes: async () => ({ workspaceDir: workspace, changedFiles: [{ path: 'src/math.js', linesAdded: 1, linesRemoved: 0 }] }),
      defaultCommands: () => ({ lint: 'echo default lint', typecheck: 'exit 3' }),
      logger,
    });
    await withDefaults.verify(context(task));
    const gates = Object.fromEntries(records.latestGates(task.id)!.results.map((r) => [r.gate, r]));
    expect(gates['lint']).toMatchObject({ status: 'pass' });
    expect(gates['lint']!.details).toMatch(/echo default lint \[configured\]/);
    expect(gates['typecheck']!.details).toMatch(/echo repo typecheck/);
    expect(gates['tests']!.status).toBe('fail');
  });

  it('asks the planner what a judge needs to know, once, then the user; conditions become acceptance criteria', async () => {
    const task = env.newTask({ riskTier: 2, mode: 'auto' });
    const asks = { verdict: 'needs-info', confidence: 0.6, reasons: ['cannot tell'], evidence: [], questions: ['Which range does clamp use?'] };
    const conditional = { verdict: 'conditional', confidence: 0.9, reasons: ['fine if documented'], evidence: [], conditions: ['the clamp range is documented in the README'] };
    // The planner's model is fixed when the steps are built: queue its second answer.
    models['planner']!.push({ ...draft, invariants: ['add keeps returning the sum', 'clamp uses the range 0..10'] });
    models['judge.quality'] = new ScriptedModel([asks, conditional], 'judge-quality');
    await steps.plan(context(task));
    const outcome = await steps.reviewPlan(context(task));
    expect(outcome.decision).toBe('accept');
    expect(outcome.summary).toMatch(/1 condition\(s\) added as acceptance criteria/);
    // The planner was asked again with the judge's question as guidance.
    expect(models['planner']!.calls).toHaveLength(2);
    expect(JSON.stringify(models['planner']!.calls[1]!.messages)).toContain('Which range does clamp use?');
    const spec = records.currentSpec(task.id)!.spec;
    expect(spec.invariants).toContain('clamp uses the range 0..10');
    expect(spec.acceptance.at(-1)).toMatchObject({ id: 'A2', then: 'the clamp range is documented in the README' });

    // A council still asking after the planner answered goes to the user, with the questions.
    const other = env.newTask({ riskTier: 2, mode: 'auto' });
    models['planner']!.push(draft, draft);
    models['judge.quality'] = new ScriptedModel([asks, asks], 'judge-quality');
    for (const j of ['constitutional', 'technical', 'integration']) models[`judge.${j}`] = new ScriptedModel([pass, pass], `judge-${j}`);
    await steps.plan(context(other));
    const still = await steps.reviewPlan(context(other));
    expect(still.decision).toBe('reject');
    expect(still.summary).toMatch(/needs answers a human must give: quality: Which range does clamp use\?/);
    expect(models['planner']!.calls).toHaveLength(4);
  });

  it('turns a split council in auto mode into an escalation for a human', async () => {
    const task = env.newTask({ riskTier: 1, mode: 'auto' });
    models['planner'] = new ScriptedModel([{ ...draft, operational_rollback_slo: '5m', rollback: ['revert'], observability: { logs: ['math.clamped'], metrics: [], traces: [] }, non_functional: { security: ['clamps untrusted input'] } }], 'planner-model');
    const fail = { verdict: 'fail', confidence: 0.7, reasons: ['not convinced'], evidence: [] };
    models['judge.technical'] = new ScriptedModel([fail, fail, fail], 'judge-technical');
    models['judge.quality'] = new ScriptedModel([fail, fail, fail], 'judge-quality');
    models['judge.constitutional'] = new ScriptedModel([pass, pass, pass], 'judge-constitutional');
    models['judge.integration'] = new ScriptedModel([pass, pass, pass], 'judge-integration');
    const logger = silentLogger();
    const gateway: ModelGateway = { client: (role: ModelRole) => models[role]! };
    steps = createGovernanceSteps({
      planner: new Planner({ client: gateway.client('planner'), logger }),
      council: new Council({ gateway, logger }),
      policy: new PolicyService({ db: env.db, clock: env.clock, logger }),
      waivers,
      records,
      changes: async () => ({ workspaceDir: workspace, changedFiles: [] }),
      logger,
    });
    await steps.plan(context(task));
    const outcome = await steps.reviewPlan(context(task));
    expect(outcome.decision).toBe('reject');
    expect(outcome.summary).toMatch(/split after 2 debate round\(s\).*a human must decide/);
    const [stored] = records.verdicts(task.id);
    expect(stored!.verdict).toMatchObject({ decision: 'modify', escalated: true, debateRounds: 2 });
    expect(stored!.rounds).toHaveLength(12);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedModel } from '../../../../test/fake-model';
import { governanceDb } from '../../../../test/governance';
import type { NewEvent } from '../../../shared/domain/events';
import type { Task } from '../../../shared/domain/task';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { PolicyService } from '../caws/policy-service';
import { Council } from '../council/council';
import { getTask } from '../db/queries/tasks';
import type { ModelGateway } from '../models/types';
import { silentLogger } from '../observability/logger';
import { Planner } from '../planner/planner';
import { WaiverService } from '../waivers/waiver-service';
import { initRepo } from '../workspace/testing/git-fixture';
import { GovernanceRecords } from './records';
import { createGovernanceSteps, type GovernanceStepContext } from './steps';

const SPEC = {
  id: 'FEAT-0042',
  title: 'Clamp inputs in the math helpers',
  risk_tier: 2,
  mode: 'feature',
  lifecycle_state: 'draft',
  blast_radius: { modules: ['math'], data_migration: false },
  scope: { in: ['src/'] },
  invariants: ['add keeps returning the sum'],
  acceptance: [
    { id: 'A1', given: 'a value above the range', when: 'clamp runs', then: 'it returns the upper bound' },
    { id: 'A2', given: 'a value below the range', when: 'clamp runs', then: 'it returns the lower bound' },
  ],
  non_functional: {},
  contracts: [{ name: 'math-behaviour', type: 'behavior' }],
} as unknown as WorkingSpec;

describe('a plan nothing can test', () => {
  let env: ReturnType<typeof governanceDb>;
  let judge: ScriptedModel;
  beforeEach(() => {
    env = governanceDb();
    initRepo(env.repo, { 'src/math.js': 'export const clamp = (x) => x;\n' });
  });
  afterEach(() => env.cleanup());

  it('is escalated to a person with that reason, without asking the council', async () => {
    judge = new ScriptedModel([]);
    const gateway: ModelGateway = { client: () => judge };
    const logger = silentLogger();
    const records = new GovernanceRecords({ db: env.db, clock: env.clock });
    const steps = createGovernanceSteps({
      planner: new Planner({ client: judge, logger }),
      council: new Council({ gateway, logger }),
      policy: new PolicyService({ db: env.db, clock: env.clock, logger }),
      waivers: new WaiverService({ db: env.db, journal: env.journal, clock: env.clock, logger }),
      records,
      changes: async () => ({ workspaceDir: env.repo, changedFiles: [] }),
      logger,
    });
    const task: Task = env.newTask({ riskTier: 2, mode: 'auto' });
    records.saveSpec(task.id, SPEC, 'planner', 'test');
    const ctx: GovernanceStepContext = {
      taskId: task.id,
      task: getTask(env.db, task.id)!,
      round: 1,
      attempt: 1,
      signal: new AbortController().signal,
      guidance: [],
      emit: (event: NewEvent, key?: string) => env.journal.append(task.id, event, `${task.id}:${key ?? Math.random()}`).event,
      progress: () => undefined,
    };
    const outcome = await steps.reviewPlan(ctx);
    expect(outcome).toEqual({ decision: 'reject', summary: expect.stringMatching(/^escalated: every acceptance criterion is untestable: none of A1, A2 has a test command/) });
    expect(judge.calls).toHaveLength(0);
  });
});

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedModel } from '../../../../test/fake-model';
import { governanceDb } from '../../../../test/governance';
import { ListTasksInput } from '../../../shared/contract';
import type { NewEvent } from '../../../shared/domain/events';
import { SubmitTaskInput, type Task } from '../../../shared/domain/task';
import { PolicyService } from '../caws/policy-service';
import { Council } from '../council/council';
import { getTask } from '../db/queries/tasks';
import type { ModelGateway, ModelRole } from '../models/types';
import { silentLogger } from '../observability/logger';
import { Planner } from '../planner/planner';
import { TaskService } from '../tasks/task-service';
import { WaiverService } from '../waivers/waiver-service';
import { GovernanceRecords } from './records';
import { createGovernanceSteps, type GovernanceStepContext } from './steps';

const VALID = join(__dirname, '../../../../test/fixtures/caws/valid/tier2-feature.yaml');

describe('a task against the repository’s own CAWS spec (execute --spec ID)', () => {
  let env: ReturnType<typeof governanceDb>;
  let tasks: TaskService;
  let planner: ScriptedModel;
  let records: GovernanceRecords;
  let steps: ReturnType<typeof createGovernanceSteps>;

  beforeEach(() => {
    env = governanceDb();
    const logger = silentLogger();
    tasks = new TaskService({ db: env.db, journal: env.journal, clock: env.clock, logger });
    // A planner with nothing to say: if it is asked, the step fails.
    planner = new ScriptedModel([], 'planner-model');
    const gateway: ModelGateway = { client: (role: ModelRole) => (role === 'planner' ? planner : new ScriptedModel([], role)) };
    records = new GovernanceRecords({ db: env.db, clock: env.clock });
    steps = createGovernanceSteps({
      planner: new Planner({ client: gateway.client('planner'), logger }),
      council: new Council({ gateway, logger }),
      policy: new PolicyService({ db: env.db, clock: env.clock, logger }),
      waivers: new WaiverService({ db: env.db, journal: env.journal, clock: env.clock, logger }),
      records,
      changes: async () => ({ workspaceDir: env.repo, changedFiles: [], diff: '' }),
      logger,
    });
  });
  afterEach(() => env.cleanup());

  const submit = (specId: string): Task =>
    tasks.submit(SubmitTaskInput.parse({ description: 'run the spec the repository has', repoPath: env.repo, specId }));
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

  it('recognises .caws/specs/<id>.yaml: the task plans from it and the planner is not asked', async () => {
    mkdirSync(join(env.repo, '.caws', 'specs'), { recursive: true });
    copyFileSync(VALID, join(env.repo, '.caws', 'specs', 'FEAT-0042.yaml'));
    const task = submit('FEAT-0042');
    expect(getTask(env.db, task.id)!.specId).toBe('FEAT-0042');
    const planned = await steps.plan(context(task));
    expect(planned.spec).toMatch(/^id: FEAT-0042/m);
    expect(planned.summary).toBe('FEAT-0042: Add input validation to the signup form (from the repository)');
    expect(records.specVersions(task.id)).toMatchObject([{ version: 1, source: 'repository', author: 'repository' }]);
    expect(planner.calls).toHaveLength(0);
  });

  it('recognises .caws/working-spec.yaml by its id', async () => {
    mkdirSync(join(env.repo, '.caws'), { recursive: true });
    copyFileSync(VALID, join(env.repo, '.caws', 'working-spec.yaml'));
    const task = submit('FEAT-0042');
    const planned = await steps.plan(context(task));
    expect(planned.spec).toMatch(/^title: Add input validation to the signup form/m);
    expect(() => submit('FEAT-0043')).toThrow(/specId: no spec FEAT-0043 in \.caws\/specs or \.caws\/working-spec\.yaml/);
  });

  it('refuses a spec that our CAWS schema rejects, naming the field, and stores no task', () => {
    mkdirSync(join(env.repo, '.caws', 'specs'), { recursive: true });
    const broken = readFileSync(VALID, 'utf8').replace('  - id: A1\n', '  - id: first\n');
    writeFileSync(join(env.repo, '.caws', 'specs', 'FEAT-0042.yaml'), broken);
    let failure: unknown;
    try {
      submit('FEAT-0042');
    } catch (e) {
      failure = e;
    }
    expect(failure).toMatchObject({ code: 'invalid_input', issues: [expect.objectContaining({ path: expect.stringMatching(/^specId\.acceptance\.0\.id|^specId\.acceptance\[0\]\.id/) })] });
    expect(String((failure as Error).message)).toMatch(/specId: .*FEAT-0042\.yaml is not a valid CAWS working spec: acceptance/);
    expect(tasks.list(ListTasksInput.parse({}))).toEqual([]);
  });

  it('refuses a spec id that is not one, naming specId', () => {
    const parsed = SubmitTaskInput.safeParse({ description: 'x'.repeat(5), repoPath: env.repo, specId: 'not an id' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['specId']);
  });
});

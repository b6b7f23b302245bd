import { createHash } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedModel } from '../../../../test/fake-model';
import { governanceDb } from '../../../../test/governance';
import type { NewEvent } from '../../../shared/domain/events';
import type { JudgeId } from '../../../shared/domain/governance';
import type { Task } from '../../../shared/domain/task';
import { PolicyService } from '../caws/policy-service';
import { validateSpec } from '../caws/validate';
import { repairDraft } from '../planner/repair';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { executionStanding } from '../claims/ledger';
import type { VerifiedClaim } from '../claims/types';
import { verifyClaims } from '../claims/verify';
import { knowledgeLookup } from '../knowledge/claim-lookup';
import { KnowledgeService } from '../knowledge/knowledge-service';
import { RepositoryDocs } from '../knowledge/repository-docs';
import { ClaimRecords } from '../claims/records';
import { Council } from '../council/council';
import { eventsForTask } from '../db/queries/events';
import { getTask } from '../db/queries/tasks';
import type { ModelGateway, ModelRole } from '../models/types';
import { silentLogger } from '../observability/logger';
import { Planner } from '../planner/planner';
import { WaiverService } from '../waivers/waiver-service';
import { GovernanceRecords } from './records';
import { createGovernanceSteps, type GovernanceStepContext, type PlanningKnowledge } from './steps';

const PROJECTS = join(__dirname, '../../../../test/fixtures/projects');

/** A1 is checked by its own test; A2 (the changelog) has none, so only a verified claim can meet it. */
const DRAFT = {
  id: 'FEAT-0042',
  title: 'Clamp inputs in the math helpers',
  mode: 'feature',
  blast_radius: { modules: ['math'], data_migration: false },
  scope: { in: ['src/'], out: [], support: ['test/', 'CHANGELOG.md'] },
  invariants: ['add keeps returning the sum'],
  acceptance: [
    { id: 'A1', given: 'a value above the range', when: 'clamp runs', then: 'it returns the upper bound', test: 'npm test' },
    { id: 'A2', given: 'the changelog', when: 'it is read', then: 'it mentions the clamp' },
  ],
  non_functional: { security: [], reliability: [], a11y: [] },
  contracts: [{ name: 'math-behaviour', type: 'behavior', path: '' }],
};
function spec(): WorkingSpec {
  const v = validateSpec(repairDraft(DRAFT, { riskTier: 2, description: 'clamp', idNumber: '0042' }).value);
  if (!v.ok) throw new Error(JSON.stringify(v.issues));
  return v.spec;
}
const pass = (reasons: string[]) => ({ verdict: 'pass', confidence: 0.9, reasons, evidence: [{ type: 'test', ref: 'npm test', summary: 'tests pass' }] });
const CHANGE = { changedFiles: [{ path: 'src/math.js', linesAdded: 4, linesRemoved: 1 }, { path: 'test/math.test.js', linesAdded: 6, linesRemoved: 0 }], diff: 'diff --git a/src/math.js b/src/math.js\n--- a/src/math.js\n+++ b/src/math.js\n+  if (n > hi) return hi;\ndiff --git a/test/math.test.js b/test/math.test.js\n--- a/test/math.test.js\n+++ b/test/math.test.js\n+test()\n' };

describe('claims at the change review (real gates, real workspace files, scripted judge words)', () => {
  let env: ReturnType<typeof governanceDb>;
  let models: Record<string, ScriptedModel>;
  let claims: ClaimRecords;
  let records: GovernanceRecords;
  let steps: ReturnType<typeof createGovernanceSteps>;
  let workspace: string;

  beforeEach(() => {
    env = governanceDb();
    workspace = join(env.repo, 'workspace');
    cpSync(join(PROJECTS, 'node-pass'), workspace, { recursive: true });
    models = {};
    const gateway: ModelGateway = { client: (role: ModelRole) => models[role]! };
    records = new GovernanceRecords({ db: env.db, clock: env.clock });
    claims = new ClaimRecords({ db: env.db, clock: env.clock });
    steps = makeSteps(gateway);
  });
  afterEach(() => env.cleanup());

  function makeSteps(gateway: ModelGateway, knowledge?: PlanningKnowledge) {
    const logger = silentLogger();
    return createGovernanceSteps({
      planner: new Planner({ client: new ScriptedModel([]), logger }),
      council: new Council({ gateway, logger, maxDebateRounds: 0 }),
      policy: new PolicyService({ db: env.db, clock: env.clock, logger }),
      waivers: new WaiverService({ db: env.db, journal: env.journal, clock: env.clock, logger }),
      records,
      claims,
      changes: async () => ({ workspaceDir: workspace, ...CHANGE }),
      ...(knowledge ? { knowledge } : {}),
      logger,
    });
  }

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

  /** The worker's final account as the execute step records it (its file claim checked against src/math.js as it is now). */
  function executed(task: Task, workerClaimsA2: boolean, extra: readonly VerifiedClaim[] = []) {
    const sha256 = createHash('sha256').update(readFileSync(join(workspace, 'src/math.js'))).digest('hex');
    const evaluation = {
      criteria: [
        { id: 'A1', met: true, evidence: 'passed: npm test' },
        { id: 'A2', met: workerClaimsA2, evidence: workerClaimsA2 ? "claimed by the worker; the gates pass, the project's tests among them" : 'not yet claimed by the worker' },
      ],
      claims: [
        { kind: 'file_changed' as const, subject: 'src/math.js', text: 'Clamped the input in src/math.js.', source: 'worker' as const, extractedBy: 'rules' as const, status: 'verified' as const, evidence: 'the diff modifies src/math.js', sources: [{ source: 'workspace' as const, path: 'src/math.js', sha256 }] },
        ...(workerClaimsA2 ? [{ kind: 'criterion_met' as const, subject: 'A2', text: 'criteria_met: A2', source: 'worker' as const, extractedBy: 'rules' as const, status: 'unverifiable' as const, evidence: 'A2 has no test command of its own' }] : []),
        ...extra,
      ],
    };
    claims.recordExecution(task.id, 1, evaluation.claims, executionStanding([{ id: 'A1', test: 'npm test' }, { id: 'A2' }], evaluation));
  }

  function judges(reasons: Partial<Record<JudgeId, string[]>>) {
    for (const j of ['constitutional', 'technical', 'quality', 'integration'] as JudgeId[]) models[`judge.${j}`] = new ScriptedModel([pass(reasons[j] ?? ['fits the spec'])], `judge-${j}`);
  }

  async function setUp(workerClaimsA2: boolean, extra: (task: Task) => Promise<VerifiedClaim[]> = async () => []) {
    const task = env.newTask({ riskTier: 2, mode: 'auto' });
    records.saveSpec(task.id, spec(), 'planner', 'test');
    executed(task, workerClaimsA2, await extra(task));
    expect((await steps.verify(context(task))).passed).toBe(true);
    return task;
  }

  it("checks each judge's claims: a pass resting on a refuted one counts as uncertain; the constitutional pass verifies the untested criterion; the council saw the table", async () => {
    const task = await setUp(true);
    judges({
      constitutional: ['The change stays inside scope.in (src/math.js) and the tier budget.'],
      quality: ['A1 holds: clamp returns the upper bound.', 'Updated src/format.js to match.'],
    });
    const outcome = await steps.reviewChange(context(task));
    expect(outcome.decision).toBe('accept');

    const table = claims.view(task.id);
    const judged = table.claims.filter((c) => c.stage === 'review_change');
    expect(judged.map((c) => `${c.author} ${c.kind}:${c.subject} ${c.status}`).sort()).toEqual([
      'judge:constitutional file_changed:src/math.js verified',
      'judge:quality criterion_met:A1 verified',
      'judge:quality file_changed:src/format.js refuted',
    ]);
    // The refuted claim turned the quality judge's pass into uncertain, in the vote and the verdict.
    const vote = eventsForTask(env.db, task.id).find((e) => e.type === 'council.vote' && e.payload.judgeId === 'quality');
    expect(vote?.payload).toMatchObject({ verdict: 'uncertain' });
    const verdict = records.verdicts(task.id).at(-1)!.verdict;
    expect(verdict.judges.find((j) => j.judge_id === 'quality')?.reasons.join(' ')).toContain('claim refuted by the evidence');
    const settled = (id: string) => claims.view(task.id).criteria.find((c) => c.stage === 'review_change' && c.criterionId === id);
    expect(settled('A1')).toMatchObject({ status: 'verified', decidedBy: 'test' });
    expect(settled('A2')).toMatchObject({ status: 'verified', decidedBy: 'constitutional', evidence: expect.stringContaining('accepted by the constitutional judge') });
    // Each judge read the claim table; the constitutional judge was told its pass accepts A2.
    const constitutionalPrompt = models['judge.constitutional']!.calls[0]!.messages.map((m) => m.content).join('\n');
    expect(constitutionalPrompt).toContain('Claims the app checked');
    expect(constitutionalPrompt).toMatch(/\[verified\] file_changed src\/math\.js/);
    expect(constitutionalPrompt).toMatch(/A2 has no test of its own: a pass from you accepts it as met/);
    expect(models['judge.technical']!.calls[0]!.messages.map((m) => m.content).join('\n')).toMatch(/- A2: pending/);
    expect(table.criteria.filter((c) => c.stage === 'review_change').map((c) => `${c.criterionId}:${c.status}`)).toEqual(['A1:verified', 'A2:verified']);
  });

  it('an accept while a criterion has no verified claim becomes modify, naming the criterion (the worker goes again)', async () => {
    const task = await setUp(false);
    judges({});
    const outcome = await steps.reviewChange(context(task));
    expect(outcome.decision).toBe('modify');
    expect(outcome.summary).toMatch(/acceptance criteria not met by a verified claim: A2 \(unmet/);
    const verdict = records.verdicts(task.id).at(-1)!.verdict;
    expect(verdict).toMatchObject({ decision: 'modify', escalated: false });
    expect(claims.view(task.id).criteria.find((c) => c.stage === 'review_change' && c.criterionId === 'A2')).toMatchObject({ status: 'unmet', decidedBy: 'none' });
  });

  it("the worker's claim goes stale when its file changes after the execution round: the criterion pending on it is unmet though the constitutional judge passes", async () => {
    const task = await setUp(true);
    writeFileSync(join(workspace, 'src/math.js'), `${readFileSync(join(workspace, 'src/math.js'), 'utf8')}\n// edited after the worker's account\n`);
    judges({});
    const outcome = await steps.reviewChange(context(task));
    const worker = claims.view(task.id).claims.find((c) => c.stage === 'execute' && c.kind === 'file_changed');
    expect(worker).toMatchObject({ stale: true, sources: [expect.objectContaining({ path: 'src/math.js', stale: true })] });
    expect(claims.view(task.id).criteria.find((c) => c.stage === 'review_change' && c.criterionId === 'A2')).toMatchObject({ status: 'unmet', evidence: expect.stringContaining("the worker's account is stale: file_changed src/math.js") });
    expect(outcome.decision).not.toBe('accept');
  });

  it('a constitutional judge whose own claim is refuted does not verify the untested criterion', async () => {
    const task = await setUp(true);
    writeFileSync(join(workspace, 'CHANGELOG.md'), '# changes\n');
    judges({ constitutional: ['Updated CHANGELOG.md with the clamp, so A2 is met.'] });
    const outcome = await steps.reviewChange(context(task));
    const verdict = records.verdicts(task.id).at(-1)!.verdict;
    expect(claims.view(task.id).criteria.find((c) => c.stage === 'review_change' && c.criterionId === 'A2')).toMatchObject({ status: 'unmet', decidedBy: 'constitutional' });
    // Its pass rested on a refuted claim: uncertain, and the change is not accepted.
    expect(verdict.judges.find((j) => j.judge_id === 'constitutional')?.verdict).toBe('uncertain');
    expect(outcome.decision).not.toBe('accept');
  });

  it("claims about the docs are checked against the repository's README at the review; one whose README changed since is stale", async () => {
    writeFileSync(join(env.repo, 'README.md'), '# math\n\nclamp caps values at 100.\n');
    const kb = new KnowledgeService({ db: env.db, logger: silentLogger(), clock: env.clock });
    const docs = new RepositoryDocs({ db: env.db, knowledge: kb, clock: env.clock, logger: silentLogger() });
    const lookup = (taskId: string, repoPath: string) => knowledgeLookup({ db: env.db, knowledge: kb }, taskId, repoPath);
    steps = makeSteps({ client: (role: ModelRole) => models[role]! }, { index: async () => [], indexRepository: (id, path) => docs.index(id, path), references: () => [], lookup });
    const task = await setUp(true, async (t) => {
      await docs.index(t.id, env.repo);
      const ev = { changes: [], readFile: async () => null, gates: [], criterionTests: new Map(), criterionIds: [], knowledge: lookup(t.id, env.repo) };
      return verifyClaims([{ kind: 'documented', subject: 'clamp caps values at 100', text: 'The README says clamp caps values at 100.', source: 'worker', extractedBy: 'rules' }], ev);
    });
    // The README changes after the worker's round; the review reads it again.
    writeFileSync(join(env.repo, 'README.md'), '# math\n\nclamp caps values at 255.\n');
    judges({ quality: ['Per the README, clamp caps values at 100.'] });
    await steps.reviewChange(context(task));

    const table = claims.view(task.id).claims;
    const worker = table.find((c) => c.stage === 'execute' && c.kind === 'documented');
    expect(worker).toMatchObject({ status: 'verified', stale: true });
    expect(worker?.sources?.map((s) => `${s.source}:${s.path.split('/').pop()} ${s.stale}`).sort()).toEqual(['knowledge:README.md true', 'repository:README.md true']);
    // The judge's same claim is checked against the README as it is now: refuted, citing it.
    const judged = table.find((c) => c.stage === 'review_change' && c.kind === 'documented');
    expect(judged).toMatchObject({ author: 'judge:quality', status: 'refuted', evidence: '[README.md, lines 1-4]: "clamp caps values at 255." says 255, not 100', stale: false });
    const vote = eventsForTask(env.db, task.id).find((e) => e.type === 'council.vote' && e.payload.judgeId === 'quality');
    expect(vote?.payload).toMatchObject({ verdict: 'uncertain' });
  });
});

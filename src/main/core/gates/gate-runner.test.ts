import { cpSync, existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { governanceDb } from '../../../../test/governance';
import { tempDir } from '../../../../test/helpers';
import { DEFAULT_POLICY, type GateName, type Policy } from '../../../shared/domain/governance';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { silentLogger } from '../observability/logger';
import { WaiverService } from '../waivers/waiver-service';
import { GovernanceGateRunner, type GovernanceGateRunnerOptions } from './gate-runner';
import type { GateContext, GateResult } from './types';

const PROJECTS = join(__dirname, '../../../../test/fixtures/projects');

const spec = (over: Partial<WorkingSpec> = {}): WorkingSpec => ({
  id: 'FEAT-0042',
  title: 'Add input validation to the signup form',
  risk_tier: 2,
  mode: 'feature',
  lifecycle_state: 'active',
  blast_radius: { modules: ['signup'], data_migration: false },
  scope: { in: ['src/'], out: ['src/legacy'], support: ['test/'] },
  invariants: ['Existing accounts can still sign in'],
  acceptance: [{ id: 'A1', given: 'an empty email', when: 'the form is submitted', then: 'an error is shown' }],
  non_functional: { security: ['validate on the server too'] },
  contracts: [{ name: 'signup-behaviour', type: 'behavior' }],
  ...over,
});

const policy = (over: Partial<Policy> = {}): Policy => ({ ...structuredClone(DEFAULT_POLICY), ...over });
const byGate = (results: GateResult[]) => Object.fromEntries(results.map((r) => [r.gate, r])) as Record<GateName, GateResult>;

describe('quality gates', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('aa-gates-');
  });
  afterEach(() => tmp.cleanup());

  const project = (name: string) => {
    const dir = join(tmp.dir, name);
    cpSync(join(PROJECTS, name), dir, { recursive: true });
    return dir;
  };
  const run = (dir: string, options: Partial<GovernanceGateRunnerOptions> = {}, context: Partial<GateContext> = {}) =>
    new GovernanceGateRunner({ spec: spec(), policy: policy(), logger: silentLogger(), ...options }).run({
      taskId: 'tsk_test000000',
      workspaceDir: dir,
      riskTier: 2,
      changedFiles: [{ path: 'src/math.js', linesAdded: 3, linesRemoved: 1 }],
      ...context,
    });

  it('passes every gate on a healthy node project', async () => {
    const streamed: string[] = [];
    const results = byGate(await run(project('node-pass'), { onResult: (r) => streamed.push(r.gate) }));
    expect(streamed).toEqual(['spec_completeness', 'scope', 'budget', 'tests', 'coverage', 'typecheck', 'lint']);
    for (const gate of Object.values(results)) expect(gate.status, `${gate.gate}: ${gate.details}`).toBe('pass');
    expect(results.tests.details).toMatch(/4 passed, 0 failed/);
    expect(results.tests.details).toMatch(/package.json scripts.test/);
    expect(results.coverage.score).toBe(1);
    expect(results.coverage.details).toMatch(/100.0% ≥ 80.0% required at tier 2/);
  });

  it('fails tests, type check and lint on a broken node project, grading the tests', async () => {
    const results = byGate(await run(project('node-fail')));
    expect(results.tests).toMatchObject({ status: 'fail', mode: 'block' });
    expect(results.tests.score).toBeCloseTo(2 / 3);
    expect(results.tests.details).toMatch(/2 passed, 1 failed/);
    expect(results.typecheck.status).toBe('fail');
    expect(results.typecheck.details).toMatch(/SyntaxError/);
    expect(results.lint.status).toBe('fail');
    expect(results.lint.details).toMatch(/debugger/);
    // Coverage is below the tier 2 threshold; at tier 2 the policy only warns about it.
    expect(results.coverage).toMatchObject({ status: 'warn', mode: 'warn' });
    expect(results.coverage.score).toBeLessThan(0.8);
  });

  it('blocks on coverage at tier 1 where the policy says block', async () => {
    const results = byGate(await run(project('node-fail'), { gates: ['tests', 'coverage'] }, { riskTier: 1 }));
    expect(results.coverage).toMatchObject({ status: 'fail', mode: 'block' });
    expect(results.coverage.details).toMatch(/< 90.0% required at tier 1/);
  });

  it('runs Makefile targets', async () => {
    const good = byGate(await run(project('make-pass'), { gates: ['tests', 'typecheck', 'lint'] }));
    expect(good.tests).toMatchObject({ status: 'pass', score: 1 });
    expect(good.tests.details).toMatch(/make test \[Makefile target test\]/);
    expect(good.lint.status).toBe('pass');
    expect(good.typecheck.status).toBe('skip');
    const bad = byGate(await run(project('make-fail'), { gates: ['tests', 'lint'] }));
    expect(bad.tests).toMatchObject({ status: 'fail', score: 0 });
    expect(bad.tests.details).toMatch(/1 failed/);
    expect(bad.lint.status).toBe('fail');
    expect(bad.lint.details).toMatch(/line too long/);
  });

  it('uses configured commands over detected ones', async () => {
    const results = byGate(await run(project('node-fail'), { gates: ['lint'], commands: { lint: 'echo custom lint && exit 0' } }));
    expect(results.lint.status).toBe('pass');
    expect(results.lint.details).toMatch(/\[configured\]/);
  });

  it('requires a test command at tiers 1-2 and skips without one at tier 3', async () => {
    const empty = tmp.dir;
    expect(byGate(await run(empty, { gates: ['tests'] }, { riskTier: 3 })).tests.status).toBe('skip');
    expect(byGate(await run(empty, { gates: ['tests'] })).tests.status).toBe('fail');
    const tier1 = byGate(await run(empty, { gates: ['tests'] }, { riskTier: 1 })).tests;
    expect(tier1.status).toBe('fail');
    expect(tier1.details).toMatch(/tier 1 requires tests/);
  });

  it('stops a check that runs past its timeout, with its whole process tree', async () => {
    const dir = project('slow');
    const started = Date.now();
    const results = byGate(await run(dir, { gates: ['tests'], policy: policy({ checkTimeoutMs: 1_000 }) }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(results.tests.status).toBe('fail');
    expect(results.tests.details).toMatch(/timed out/);
    // Killed processes are reaped asynchronously; give the reaper a moment.
    await waitFor(() => allDead(dir), 5_000);
    expectAllDead(dir);
  });

  it('aborts a running check, kills its tree and rejects', async () => {
    const dir = project('slow');
    const controller = new AbortController();
    const pending = run(dir, { gates: ['tests'] }, { signal: controller.signal });
    await waitFor(() => existsSync(join(dir, 'pids.txt')));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await waitFor(() => allDead(dir));
    expectAllDead(dir);
  });

  it('checks scope: out wins over in, support counts as in scope', async () => {
    const gates = ['scope'] as const;
    const inScope = byGate(await run(tmp.dir, { gates }, { changedFiles: [{ path: 'src/a.ts', linesAdded: 1, linesRemoved: 0 }, { path: 'test/a.test.ts', linesAdded: 1, linesRemoved: 0 }] }));
    expect(inScope.scope.status).toBe('pass');
    const outside = byGate(
      await run(tmp.dir, { gates }, {
        changedFiles: [
          { path: 'src/a.ts', linesAdded: 1, linesRemoved: 0 },
          { path: 'src/legacy/old.ts', linesAdded: 1, linesRemoved: 0 },
          { path: 'package.json', linesAdded: 1, linesRemoved: 0 },
          { path: 'src/../../etc/passwd', linesAdded: 1, linesRemoved: 0 },
        ],
      }),
    );
    expect(outside.scope.status).toBe('fail');
    expect(outside.scope.score).toBeCloseTo(1 / 4);
    expect(outside.scope.details).toMatch(/src\/legacy\/old.ts \(excluded by scope.out src\/legacy\)/);
    expect(outside.scope.details).toMatch(/package.json \(outside scope.in and scope.support\)/);
    expect(outside.scope.details).toMatch(/etc\/passwd/);
  });

  it('checks spec completeness against the tier', async () => {
    const ok = byGate(await run(tmp.dir, { gates: ['spec_completeness'] }));
    expect(ok.spec_completeness.status).toBe('pass');
    const blocked = spec({ blockers: [{ reason: 'waiting for the API freeze' }] });
    const bad = byGate(await run(tmp.dir, { gates: ['spec_completeness'], spec: blocked }));
    expect(bad.spec_completeness.status).toBe('fail');
    expect(bad.spec_completeness.details).toMatch(/open blocker: waiting for the API freeze \[CAWS-BLOCKERS\]/);
    expect(bad.spec_completeness.score).toBeLessThan(1);
  });

  it('applies the tier budget and the policy mode', async () => {
    const files = (n: number, lines: number) => Array.from({ length: n }, (_, i) => ({ path: `src/f${i}.ts`, linesAdded: lines, linesRemoved: 0 }));
    expect(byGate(await run(tmp.dir, { gates: ['budget'] }, { riskTier: 1, changedFiles: files(10, 25) })).budget.status).toBe('pass');
    const over = byGate(await run(tmp.dir, { gates: ['budget'] }, { riskTier: 1, changedFiles: files(11, 1) })).budget;
    expect(over).toMatchObject({ status: 'fail', mode: 'block' });
    expect(over.details).toMatch(/over budget: 11\/10 files, 11\/250 lines/);
    const lines = byGate(await run(tmp.dir, { gates: ['budget'] }, { riskTier: 1, changedFiles: files(2, 126) })).budget;
    expect(lines.details).toMatch(/252\/250 lines/);
    const warnPolicy = policy();
    warnPolicy.gateModes[1].budget = 'warn';
    expect(byGate(await run(tmp.dir, { gates: ['budget'], policy: warnPolicy }, { riskTier: 1, changedFiles: files(11, 1) })).budget.status).toBe('warn');
    const skipPolicy = policy();
    skipPolicy.gateModes[2].lint = 'skip';
    const skipped = byGate(await run(project('node-fail'), { gates: ['lint'], policy: skipPolicy })).lint;
    expect(skipped).toMatchObject({ status: 'skip', mode: 'skip' });
  });

  describe('with waivers', () => {
    let env: ReturnType<typeof governanceDb>;
    let waivers: WaiverService;
    beforeEach(() => {
      env = governanceDb();
      waivers = new WaiverService({ db: env.db, journal: env.journal, clock: env.clock, logger: silentLogger() });
    });
    afterEach(() => env.cleanup());

    const waiver = (over: Partial<Parameters<WaiverService['create']>[0]>) =>
      waivers.approve(
        waivers.create({ title: 'Generated code', gates: ['budget'], reason: 'generated clients are large', createdBy: 'alice', expiresAt: env.clock.now() + 3_600_000, ...(over.specId === undefined ? { allSpecs: true as const } : {}), ...over }).id,
        { who: 'bob', via: 'cli', osUser: 'bob' },
      );
    const eleven = Array.from({ length: 11 }, (_, i) => ({ path: `src/f${i}.ts`, linesAdded: 1, linesRemoved: 0 }));

    it('widens the budget with an active waiver and records the use', async () => {
      const task = env.newTask({ riskTier: 1 });
      const w = waiver({ budgetDelta: { files: 5, lines: 0 } });
      const result = byGate(await run(tmp.dir, { gates: ['budget'], waivers }, { taskId: task.id, riskTier: 1, changedFiles: eleven })).budget;
      expect(result).toMatchObject({ status: 'pass', waiverId: w.id });
      expect(result.details).toMatch(/11\/15 files/);
      expect(waivers.get(w.id).uses).toBe(1);
    });

    it('does not pass when the widened budget is still too small', async () => {
      const task = env.newTask({ riskTier: 1 });
      const w = waiver({ budgetDelta: { files: 0, lines: 5 } });
      const result = byGate(await run(tmp.dir, { gates: ['budget'], waivers }, { taskId: task.id, riskTier: 1, changedFiles: eleven })).budget;
      expect(result.status).toBe('fail');
      expect(waivers.get(w.id).uses).toBe(0);
    });

    it('lets a named gate pass, and stops once the waiver is revoked or expired', async () => {
      const dir = project('node-fail');
      const w = waiver({ gates: ['lint'], specId: 'FEAT-0042' });
      const t1 = env.newTask();
      const first = byGate(await run(dir, { gates: ['lint'], waivers }, { taskId: t1.id })).lint;
      expect(first).toMatchObject({ status: 'pass', waiverId: w.id });
      expect(first.details).toMatch(/^waived by WV-0001 \(Generated code\): .*debugger/s);
      // A waiver scoped to another spec does not apply.
      const other = byGate(await run(dir, { gates: ['lint'], waivers, spec: spec({ id: 'FEAT-0099' }) }, { taskId: t1.id })).lint;
      expect(other.status).toBe('fail');
      waivers.revoke(w.id, 'carol', 'lint must be fixed now');
      const t2 = env.newTask();
      expect(byGate(await run(dir, { gates: ['lint'], waivers }, { taskId: t2.id })).lint.status).toBe('fail');
      const w2 = waiver({ gates: ['lint'] });
      env.clock.advance(3_600_000);
      expect(waivers.get(w2.id).status).toBe('expired');
      expect(byGate(await run(dir, { gates: ['lint'], waivers }, { taskId: t2.id })).lint.status).toBe('fail');
    });

    it('spends no use on a gate that passes or only warns', async () => {
      const w = waiver({ gates: ['lint', 'coverage'] });
      const task = env.newTask();
      const results = byGate(await run(project('node-fail'), { gates: ['tests', 'coverage'], waivers }, { taskId: task.id }));
      expect(results.coverage.status).toBe('warn');
      expect(waivers.get(w.id).uses).toBe(0);
    });
  });
});

function pids(dir: string): number[] {
  return readFileSync(join(dir, 'pids.txt'), 'utf8').trim().split(/\s+/).map(Number);
}

/**
 * No host process still works in `dir`. The pids in pids.txt are the sandbox's own (its pid
 * namespace), so the host's /proc is searched by working directory instead.
 */
function allDead(dir: string): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(join('/proc', entry, 'cwd')) === dir) return false;
    } catch {
      // exited meanwhile, or not ours to inspect
    }
  }
  return true;
}

function expectAllDead(dir: string): void {
  expect(pids(dir)).toHaveLength(2);
  expect(allDead(dir)).toBe(true);
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
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

// Fail-closed gate rules, each with the real sandbox and real project commands.
const PROJECTS = join(__dirname, '../../../../test/fixtures/projects');
const spec = { id: 'FEAT-0042', title: 'x', risk_tier: 1, mode: 'feature', lifecycle_state: 'active', blast_radius: { modules: ['m'], data_migration: false }, scope: { in: ['src/'], out: [] }, invariants: ['i'], acceptance: [{ id: 'A1', given: 'g', when: 'w', then: 't' }], non_functional: {}, contracts: [] } as unknown as WorkingSpec;
const byGate = (results: GateResult[]) => Object.fromEntries(results.map((r) => [r.gate, r])) as Record<GateName, GateResult>;

describe('gates fail closed', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('aa-failclosed-');
  });
  afterEach(() => tmp.cleanup());

  const run = (dir: string, tier: 1 | 2 | 3, options: Partial<GovernanceGateRunnerOptions> = {}, context: Partial<GateContext> = {}) =>
    new GovernanceGateRunner({ spec, policy: structuredClone(DEFAULT_POLICY), logger: silentLogger(), gates: ['tests', 'coverage'], ...options })
      .run({ taskId: 'tsk_test000000', workspaceDir: dir, riskTier: tier, changedFiles: [], ...context })
      .then(byGate);

  const emptyProject = () => {
    const dir = join(tmp.dir, 'empty');
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src', 'a.js'), 'module.exports = 1;\n');
    return dir;
  };

  it.each([1, 2] as const)('blocks the tests gate at tier %i when no test command is found, even if the policy says skip', async (tier) => {
    const policy: Policy = structuredClone(DEFAULT_POLICY);
    policy.gateModes[tier].tests = 'skip';
    const r = await run(emptyProject(), tier, { policy });
    expect(r.tests).toMatchObject({ status: 'fail', mode: 'block' });
    expect(r.tests.details).toContain(`no test command found; risk tier ${tier} requires tests`);
  });

  it('skips the tests gate at tier 3 when no test command is found', async () => {
    expect((await run(emptyProject(), 3)).tests.status).toBe('skip');
  });

  it('measures coverage itself at tier 1 when a Node project reports none (V8 coverage)', async () => {
    const dir = join(tmp.dir, 'node-nocov');
    mkdirSync(join(dir, 'src'), { recursive: true });
    mkdirSync(join(dir, 'test'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'nocov', private: true, scripts: { test: 'node --test' } }));
    writeFileSync(join(dir, 'src', 'math.js'), ['function add(a, b) {', '  return a + b;', '}', 'function unused(a) {', '  const b = a * 2;', '  return b - 1;', '}', 'module.exports = { add, unused };', ''].join('\n'));
    writeFileSync(join(dir, 'test', 'math.test.js'), "const test = require('node:test');\nconst assert = require('node:assert');\nconst { add } = require('../src/math.js');\ntest('add', () => assert.equal(add(1, 2), 3));\n");
    const strict = await run(dir, 1);
    expect(strict.tests.status, strict.tests.details).toBe('pass');
    expect(strict.coverage.details).toContain('measured by the app (Node V8 coverage');
    expect(strict.coverage.score).toBeGreaterThan(0.3);
    expect(strict.coverage.score).toBeLessThan(0.9);
    expect(strict.coverage.status).toBe('fail');
    const policy: Policy = structuredClone(DEFAULT_POLICY);
    policy.coverage[1] = 0.3;
    expect((await run(dir, 1, { policy })).coverage.status).toBe('pass');
  });

  it('blocks tier-1 coverage when the project reports none and it cannot be measured', async () => {
    const dir = join(tmp.dir, 'make-pass');
    cpSync(join(PROJECTS, 'make-pass'), dir, { recursive: true });
    const r = await run(dir, 1);
    expect(r.tests.status).toBe('pass');
    expect(r.coverage).toMatchObject({ status: 'fail', mode: 'block' });
    expect(r.coverage.details).toContain('could not measure it');
    // Tier 2 keeps its policy: no report is a skip there.
    expect((await run(dir, 2)).coverage.status).toBe('skip');
  });

  describe('waivers', () => {
    let env: ReturnType<typeof governanceDb>;
    let waivers: WaiverService;
    beforeEach(() => {
      env = governanceDb();
      waivers = new WaiverService({ db: env.db, journal: env.journal, clock: env.clock, logger: silentLogger() });
    });
    afterEach(() => env.cleanup());

    it('no waiver turns failing tests into a pass at tier 1 (but one can at tier 2)', async () => {
      const dir = join(tmp.dir, 'node-fail');
      cpSync(join(PROJECTS, 'node-fail'), dir, { recursive: true });
      const w = waivers.create({ title: 'Flaky tests', gates: ['tests'], reason: 'known flaky suite, fixed next sprint', createdBy: 'alice', expiresAt: env.clock.now() + 3_600_000, specId: 'FEAT-0042' });
      waivers.approve(w.id, { who: 'bob', via: 'cli', osUser: 'bob' });
      const t1 = env.newTask({ riskTier: 1 });
      const tier1 = await run(dir, 1, { waivers, gates: ['tests'] }, { taskId: t1.id });
      expect(tier1.tests.status).toBe('fail');
      expect(tier1.tests.waiverId).toBeUndefined();
      expect(tier1.tests.details).toContain('cannot be waived');
      expect(waivers.get(w.id).uses).toBe(0);
      const t2 = env.newTask({ riskTier: 2 });
      const tier2 = await run(dir, 2, { waivers, gates: ['tests'] }, { taskId: t2.id });
      expect(tier2.tests).toMatchObject({ status: 'pass', waiverId: w.id });
    });
  });
});

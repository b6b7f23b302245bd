import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { governanceDb } from '../../../../test/governance';
import { DEFAULT_POLICY } from '../../../shared/domain/governance';
import { setSetting } from '../db/queries/settings';
import { silentLogger } from '../observability/logger';
import { POLICY_KEY, PolicyService } from './policy-service';

describe('governance policy', () => {
  let env: ReturnType<typeof governanceDb>;
  let policy: PolicyService;
  beforeEach(() => {
    env = governanceDb();
    policy = new PolicyService({ db: env.db, clock: env.clock, logger: silentLogger() });
  });
  afterEach(() => env.cleanup());

  it('starts from the documented tier budgets', () => {
    expect(policy.budget(1)).toEqual({ maxFiles: 10, maxLines: 250 });
    expect(policy.budget(2)).toEqual({ maxFiles: 100, maxLines: 10_000 });
    expect(policy.budget(3)).toEqual({ maxFiles: 500, maxLines: 40_000 });
    expect(policy.gateMode(1, 'coverage')).toBe('block');
    expect(policy.gateMode(2, 'coverage')).toBe('warn');
  });

  it('stores edits, keeps what a patch leaves out, and removes per-repository commands on empty', () => {
    policy.update({ budgets: { 3: { maxLines: 50_000 } }, coverage: { 2: 0.75 }, checkCommands: { '/repo': { tests: 'make check' } } }, 'alice');
    const reread = new PolicyService({ db: env.db, clock: env.clock, logger: silentLogger() }).get();
    expect(reread.budgets[3]).toEqual({ maxFiles: 500, maxLines: 50_000 });
    expect(reread.coverage).toEqual({ 1: 0.9, 2: 0.75, 3: 0.7 });
    expect(reread.checkCommands).toEqual({ '/repo': { tests: 'make check' } });
    expect(policy.update({ checkCommands: { '/repo': {} } }, 'alice').checkCommands).toEqual({});
    const row = env.db.prepare('SELECT updated_by FROM settings WHERE key = ?').get(POLICY_KEY) as { updated_by: string };
    expect(row.updated_by).toBe('alice');
  });

  it('refuses invalid values and falls back to the defaults when the stored row is damaged', () => {
    expect(() => policy.update({ coverage: { 1: 1.5 } }, 'alice')).toThrow(/coverage/);
    expect(() => policy.update({ budgets: { 2: { maxFiles: 600 } } }, 'alice')).toThrow(/budgets.2.maxFiles: must not exceed tier 3/);
    setSetting(env.db, POLICY_KEY, '{"budgets": "everything goes"}', 'mallory', env.clock.now());
    expect(policy.get()).toEqual(DEFAULT_POLICY);
  });
});

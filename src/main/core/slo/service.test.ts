import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock, testCore } from '../../../../test/helpers';
import { silentLogger } from '../observability/logger';
import { SloService } from './service';

/** SLOs and alerts against a replayed journal, on a fake clock. */
describe('SLOs and burn-rate alerts', () => {
  let clock: FakeClock;
  let core: ReturnType<typeof testCore>;
  let slo: SloService;
  let n = 0;
  beforeEach(() => {
    clock = new FakeClock();
    core = testCore({ clock });
    slo = new SloService({ db: core.db, clock, logger: silentLogger() });
  });
  afterEach(() => core.cleanup());

  const finish = (ok: boolean) => {
    const t = core.tasks.submit({ description: `task ${n}`, repoPath: core.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
    core.journal.append(t.id, ok ? { type: 'task.completed', payload: {} } : { type: 'task.failed', payload: { reason: 'gates failed' } }, `end-${n++}`);
  };
  const taskSuccess = () => slo.list().find((s) => s.definition.id === 'task_success')!;

  it('computes the SLI, the budget left and burn rates from the journal', () => {
    for (let i = 0; i < 8; i++) finish(true);
    for (let i = 0; i < 2; i++) finish(false);
    const s = taskSuccess();
    expect(s).toMatchObject({ good: 8, valid: 10, sli: 0.8, meeting: false });
    expect(s.budgetRemaining).toBeCloseTo(1 - 0.2 / 0.1, 9);
    expect(s.burnRates[0]).toMatchObject({ rule: 'fast-burn', burning: false });
    expect(s.burnRates[0]!.short).toBeCloseTo(2, 9);
  });

  it('fires once while burning, resolves once when it stops, and the history says so', () => {
    for (let i = 0; i < 4; i++) finish(false);
    expect(slo.evaluate().map((c) => [c.kind, c.alert.sloId, c.alert.rule])).toEqual([
      ['fired', 'task_success', 'fast-burn'],
      ['fired', 'task_success', 'slow-burn'],
    ]);
    expect(slo.evaluate()).toEqual([]);
    clock.advance(10 * 60_000); // out of the 5-minute short window: the fast rule stops burning
    expect(slo.evaluate().map((c) => [c.kind, c.alert.rule])).toEqual([['resolved', 'fast-burn']]);
    expect(slo.evaluate()).toEqual([]);
    const { alerts, history } = slo.alerts();
    expect(alerts.map((a) => [a.rule, a.state])).toEqual([
      ['fast-burn', 'resolved'],
      ['slow-burn', 'firing'],
    ]);
    expect(history.map((h) => h.kind).sort()).toEqual(['fired', 'fired', 'resolved']);
  });

  it('a silence holds: the rule does not fire again until it ends', () => {
    for (let i = 0; i < 4; i++) finish(false);
    const fired = slo.evaluate().find((c) => c.alert.rule === 'fast-burn')!.alert;
    slo.silence(fired.id, 'ana', clock.now() + 3600_000);
    slo.acknowledge(fired.id, 'ana');
    clock.advance(10 * 60_000);
    slo.evaluate(); // resolves
    for (let i = 0; i < 4; i++) finish(false);
    expect(slo.evaluate().filter((c) => c.alert.rule === 'fast-burn')).toEqual([]);
    clock.advance(3600_000);
    for (let i = 0; i < 4; i++) finish(false);
    expect(slo.evaluate().filter((c) => c.alert.rule === 'fast-burn').map((c) => c.kind)).toEqual(['fired']);
    const kinds = slo.alerts().history.filter((h) => h.alertId === fired.id).map((h) => [h.kind, h.actor]);
    expect(kinds).toContainEqual(['silenced', 'ana']);
    expect(kinds).toContainEqual(['acknowledged', 'ana']);
  });

  it('keeps a budget SLO within its count and refuses a bad definition naming the field', () => {
    const d = slo.definitions().find((x) => x.id === 'crash_recoveries')!;
    expect(() => slo.setDefinition({ ...d, target: 2 }, 'ana')).toThrow(/^definition\.target:/);
    expect(slo.setDefinition({ ...d, maxEvents: 1 }, 'ana').definition.maxEvents).toBe(1);
    const t = core.tasks.submit({ description: 'crashy', repoPath: core.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
    for (let i = 0; i < 2; i++) core.journal.append(t.id, { type: 'task.recovered', payload: { cause: 'restart', phase: 'executing', action: 'retry', reason: 'host restarted' } }, `rec-${i}`);
    expect(slo.list().find((s) => s.definition.id === 'crash_recoveries')).toMatchObject({ valid: 2, meeting: false, budgetRemaining: -1 });
  });
});

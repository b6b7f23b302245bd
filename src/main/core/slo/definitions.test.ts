import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SLOS, type SloDefinition } from '../../../shared/channels/slo';
import { AppFailure } from '../../../shared/errors';
import { FakeClock, testCore } from '../../../../test/helpers';
import { silentLogger } from '../observability/logger';
import { SloService } from './service';

/** Editing objectives: checked as a whole with each refusal naming its field, and every change kept. */
describe('objective definitions', () => {
  let clock: FakeClock;
  let core: ReturnType<typeof testCore>;
  let slo: SloService;
  beforeEach(() => {
    clock = new FakeClock();
    core = testCore({ clock, slo: { evaluateEveryMs: 0 } });
    slo = new SloService({ db: core.db, clock, logger: silentLogger() });
  });
  afterEach(() => core.cleanup());

  const shipped = (id: string): SloDefinition => structuredClone(DEFAULT_SLOS.find((d) => d.id === id)!);
  const refusal = (input: unknown): AppFailure => {
    try {
      slo.setDefinition(input, 'ana');
    } catch (e) {
      if (e instanceof AppFailure) return e;
      throw e;
    }
    throw new Error('the definition was accepted');
  };

  it('saves a change, applies it at once, and keeps who changed what from what', () => {
    const failTasks = (n: number) => {
      for (let i = 0; i < n; i++) {
        const t = core.tasks.submit({ description: `task ${i}`, repoPath: core.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
        core.journal.append(t.id, i === 0 ? { type: 'task.failed', payload: { reason: 'x' } } : { type: 'task.completed', payload: {} }, `end-${t.id}`);
      }
    };
    failTasks(10); // 9 of 10 succeed: meets 90%, misses 95%
    expect(slo.list().find((s) => s.definition.id === 'task_success')!.meeting).toBe(true);
    const stricter = { ...shipped('task_success'), target: 0.95 };
    expect(slo.setDefinition(stricter, 'ana')).toMatchObject({ meeting: false, definition: { target: 0.95 } });
    expect(slo.definitions().find((d) => d.id === 'task_success')!.target).toBe(0.95);

    clock.advance(1000);
    slo.setDefinition({ ...stricter, windowMs: 24 * 3600_000, enabled: false }, 'bo');
    const changes = slo.changes();
    expect(changes.map((c) => [c.sloId, c.actor])).toEqual([
      ['task_success', 'bo'],
      ['task_success', 'ana'],
    ]);
    expect(changes[1]!.before).toBeNull(); // the first change replaced the shipped default
    expect(changes[0]!.before).toMatchObject({ target: 0.95, enabled: true });
    expect(changes[0]!.after).toMatchObject({ windowMs: 24 * 3600_000, enabled: false });
    expect(changes[0]!.ts - changes[1]!.ts).toBe(1000);
    expect(slo.changes('approval_wait')).toEqual([]);
    // The history cannot be rewritten.
    expect(() => core.db.prepare('DELETE FROM slo_definition_history').run()).toThrow(/append-only/);
  });

  it('names the field of each refusal, schema or sense, and saves nothing', () => {
    const cases: Array<[unknown, string]> = [
      [{ ...shipped('task_success'), target: 1.5 }, 'definition.target'],
      [{ ...shipped('task_success'), windowMs: 10 }, 'definition.windowMs'],
      [{ ...shipped('task_success'), kind: 'budget', maxEvents: 3 }, 'definition.kind'],
      [{ ...shipped('approval_wait'), threshold: undefined }, 'definition.threshold'],
      [{ ...shipped('crash_recoveries'), maxEvents: undefined }, 'definition.maxEvents'],
      [{ ...shipped('task_success'), rules: [{ ...shipped('task_success').rules[0]!, shortWindowMs: 7200_000 }] }, 'definition.rules[0].shortWindowMs'],
      [{ ...shipped('task_success'), windowMs: 3600_000, rules: [shipped('task_success').rules[1]!] }, 'definition.rules[0].longWindowMs'],
      [{ ...shipped('task_success'), rules: [{ ...shipped('task_success').rules[0]!, factor: -1 }] }, 'definition.rules[0].factor'],
      [{ ...shipped('task_success'), surprise: true }, 'definition'],
    ];
    for (const [input, field] of cases) {
      const e = refusal(input);
      expect(e.code).toBe('invalid_input');
      expect(e.issues?.map((i) => i.path), JSON.stringify(input).slice(0, 120)).toContain(field);
      expect(e.message).toContain(field);
    }
    expect(slo.changes()).toEqual([]);
    expect(slo.definitions()).toEqual(DEFAULT_SLOS);
  });
});

import { describe, expect, it } from 'vitest';
import { silentLogger } from '../observability/logger';
import type { Slot, WorkPriority } from './admission';
import { serviceOrder } from './order';
import { ThermalScheduler } from './scheduler';
import { DEFAULT_SCHEDULER_SETTINGS, mergeSettings } from './settings';
import { ManualProbe } from './testing';
import { FakeClock } from './timers';

const SECOND = 1000;
// One slot, so the order requests are served in is the order they get it.
const ONE_SLOT = mergeSettings(DEFAULT_SCHEDULER_SETTINGS, { confirmSamples: 1, cooldownMs: 0, slots: { nominal: 1, fair: 1, serious: 1 } });

function setup(expected: Record<string, number>) {
  const clock = new FakeClock(1_000_000);
  const scheduler = new ThermalScheduler({
    probe: new ManualProbe(),
    settings: ONE_SLOT,
    clock,
    timers: clock,
    logger: silentLogger(),
    expectedMs: (taskId) => expected[taskId],
    agingMs: 120 * SECOND,
  });
  scheduler.observe({ thermalState: 'nominal' });
  const served: string[] = [];
  const slots: Slot[] = [];
  const ask = (label: string, priority: WorkPriority = 'background', taskId: string | undefined = label) =>
    void scheduler.acquire({ priority, label, ...(taskId ? { taskId } : {}) }).then((s) => {
      served.push(label);
      slots.push(s);
    });
  /** Releases the slot in use and lets the next request in. */
  const next = async () => {
    slots.shift()!.release();
    await clock.advance(0);
  };
  return { clock, scheduler, served, ask, next };
}

describe('the order background work is served in', () => {
  it('serves the task expected to finish soonest first among background work, after council work', async () => {
    const { clock, served, ask, next } = setup({ long: 60 * SECOND, short: 10 * SECOND, middle: 30 * SECOND });
    ask('holder', 'interactive', undefined);
    await clock.advance(0);
    ask('long');
    ask('no-history');
    ask('short');
    ask('judge', 'council', 'long');
    ask('middle');
    await clock.advance(0);
    for (let i = 0; i < 5; i++) await next();
    expect(served).toEqual(['holder', 'judge', 'short', 'middle', 'long', 'no-history']);
  });

  it('is first come, first served without estimates (as before)', async () => {
    const { clock, served, ask, next } = setup({});
    ask('holder', 'interactive', undefined);
    await clock.advance(0);
    for (const t of ['a', 'b', 'c']) ask(t);
    await clock.advance(0);
    for (let i = 0; i < 3; i++) await next();
    expect(served).toEqual(['holder', 'a', 'b', 'c']);
  });

  it('never starves long work: past the aging time it goes before shorter work that came later', async () => {
    const { clock, served, ask, next } = setup({ long: 600 * SECOND, short1: SECOND, short2: SECOND });
    ask('holder', 'interactive', undefined);
    await clock.advance(0);
    ask('long');
    await clock.advance(121 * SECOND);
    ask('short1');
    ask('short2');
    await clock.advance(0);
    for (let i = 0; i < 3; i++) await next();
    expect(served).toEqual(['holder', 'long', 'short1', 'short2']);
  });
});

describe('serviceOrder', () => {
  it('keeps interactive and council work first come, first served whatever their estimates', () => {
    const q = [
      { id: 1, priority: 'council' as const, since: 0, expectedMs: 50 },
      { id: 2, priority: 'council' as const, since: 0, expectedMs: 5 },
      { id: 3, priority: 'interactive' as const, since: 0 },
    ];
    expect(serviceOrder(q, 0, 1000).map((w) => w.id)).toEqual([3, 1, 2]);
  });
});

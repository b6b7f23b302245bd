import { describe, expect, it } from 'vitest';
import { PRESSURE_LEVELS, type PressureLevel, type SchedulerSettings } from '../../../shared/domain/scheduler';
import { silentLogger } from '../observability/logger';
import type { Slot, SlotRequest, WorkPriority } from './admission';
import { CRITICAL_INTERACTIVE_SLOTS, ThermalScheduler, type DecisionDraft, type PauseSignal } from './scheduler';
import { DEFAULT_SCHEDULER_SETTINGS, mergeSettings } from './settings';
import { ManualProbe } from './testing';
import { FakeClock } from './timers';

// Immediate policy (no confirmation, no cooldown) so each test sets the level it needs directly.
const IMMEDIATE = mergeSettings(DEFAULT_SCHEDULER_SETTINGS, { confirmSamples: 1, cooldownMs: 0 });

function setup(settings: SchedulerSettings = IMMEDIATE) {
  const clock = new FakeClock(1_000_000);
  const probe = new ManualProbe();
  const scheduler = new ThermalScheduler({ probe, settings, clock, timers: clock, logger: silentLogger() });
  const decisions: DecisionDraft[] = [];
  scheduler.onDecision((d) => decisions.push(d));
  const setLevel = (level: PressureLevel, extra: Partial<ManualProbe['reading']> = {}) =>
    scheduler.observe({ thermalState: level, ...extra });
  return { clock, probe, scheduler, decisions, setLevel };
}

type Tracked = { request: SlotRequest; slot: Slot | undefined; error: unknown; promise: Promise<void> };

function track(scheduler: ThermalScheduler, priority: WorkPriority, label: string = priority, extra: Partial<SlotRequest> = {}): Tracked {
  const t: Tracked = { request: { priority, label, ...extra }, slot: undefined, error: undefined, promise: Promise.resolve() };
  t.promise = scheduler.acquire(t.request).then(
    (slot) => {
      t.slot = slot;
    },
    (e: unknown) => {
      t.error = e;
    },
  );
  return t;
}

const granted = (list: Tracked[]) => list.filter((t) => t.slot !== undefined).length;

describe('ThermalScheduler slot table', () => {
  it('admits exactly the configured number of concurrent calls at every level', async () => {
    const settings = mergeSettings(IMMEDIATE, { slots: { nominal: 3, fair: 2, serious: 1 } });
    for (const level of PRESSURE_LEVELS) {
      const { scheduler, clock, setLevel } = setup(settings);
      setLevel(level);
      const calls = Array.from({ length: 5 }, () => track(scheduler, 'interactive'));
      await clock.advance(0);
      // Critical admits only the interactive minimum (these calls are interactive).
      const allowed = level === 'critical' ? CRITICAL_INTERACTIVE_SLOTS : settings.slots[level];
      expect(granted(calls), `granted at ${level}`).toBe(allowed);
      expect(scheduler.state().inUse).toBe(allowed);

      // Releasing one lets exactly one more in.
      calls.find((c) => c.slot)?.slot?.release();
      await clock.advance(0);
      expect(granted(calls), `after a release at ${level}`).toBe(Math.min(5, allowed + 1));
    }
  });

  it('uses the default table nominal 2, fair 2, serious 1, critical 0', () => {
    expect(DEFAULT_SCHEDULER_SETTINGS.slots).toEqual({ nominal: 2, fair: 2, serious: 1, critical: 0 });
  });

  it('shrinking the table mid-run admits nothing new until running calls drop below it', async () => {
    const { scheduler, clock, setLevel } = setup();
    const first = [track(scheduler, 'interactive'), track(scheduler, 'interactive')];
    await clock.advance(0);
    expect(granted(first)).toBe(2);
    setLevel('serious'); // 1 slot, 2 running
    const next = track(scheduler, 'interactive');
    await clock.advance(0);
    expect(next.slot).toBeUndefined();
    first[0]!.slot!.release();
    await clock.advance(0);
    expect(next.slot).toBeUndefined(); // 1 running = 1 slot
    first[1]!.slot!.release();
    await clock.advance(0);
    expect(next.slot).toBeDefined();
  });
});

describe('ThermalScheduler at critical', () => {
  it('at critical admits only the interactive minimum, even with background work still running, and resumes when it cools', async () => {
    const { scheduler, clock, setLevel, decisions } = setup();
    const running = [track(scheduler, 'background'), track(scheduler, 'background')];
    await clock.advance(0);
    expect(granted(running)).toBe(2);

    setLevel('critical');
    const waiting = (['council', 'background', 'interactive', 'approval'] as const).map((p) => track(scheduler, p));
    await clock.advance(60_000);
    // The user's own work gets its slot though both slots are held by background work; the
    // approval waits for that one slot; council and background wait for the pressure to clear.
    expect(waiting.map((w) => w.slot !== undefined)).toEqual([false, false, true, false]);
    expect(decisions.filter((d) => d.kind === 'admit' && d.level === 'critical').map((d) => d.priority)).toEqual(['interactive']);
    // Running work is not killed: it stops at its own safe boundary and releases then.
    for (const r of running) r.slot!.release();
    await clock.advance(0);
    expect(waiting.map((w) => w.slot !== undefined)).toEqual([false, false, true, false]);
    waiting[2]!.slot!.release();
    await clock.advance(0);
    expect(waiting.map((w) => w.slot !== undefined)).toEqual([false, false, true, true]);
    const reasons = scheduler.state().waiting.map((w) => w.reason);
    expect(reasons).toEqual([expect.stringContaining('only interactive work is admitted at critical'), expect.stringContaining('only interactive work is admitted at critical')]);
    waiting[3]!.slot!.release();

    setLevel('fair');
    await clock.advance(0);
    // Two slots at fair: the council first, then background.
    expect(waiting.map((w) => w.slot !== undefined)).toEqual([true, true, true, true]);
  });

  it('tells the engine to pause at critical and to carry on after', () => {
    const { scheduler, setLevel } = setup();
    const signals: PauseSignal[] = [];
    scheduler.onPause((s) => signals.push(s));
    setLevel('serious');
    setLevel('critical');
    setLevel('critical');
    setLevel('serious');
    expect(signals.map((s) => (s.paused ? `pause:${s.cause}` : 'resume'))).toEqual(['pause:critical', 'resume']);
    expect(scheduler.pauseState().paused).toBe(false);
  });

  it('pauses on suspend and shutdown and admits nothing until resume', async () => {
    const { scheduler, clock, probe } = setup();
    const signals: PauseSignal[] = [];
    scheduler.onPause((s) => signals.push(s));
    scheduler.start();
    await clock.advance(0);
    probe.emit({ kind: 'suspend' });
    const call = track(scheduler, 'interactive');
    await clock.advance(1_000);
    expect(call.slot).toBeUndefined();
    expect(scheduler.state().paused?.cause).toBe('suspend');
    probe.emit({ kind: 'resume' });
    await clock.advance(0);
    expect(call.slot).toBeDefined();
    probe.emit({ kind: 'shutdown' });
    probe.emit({ kind: 'resume' }); // a shutdown is not undone by a stray resume
    const late = track(scheduler, 'interactive');
    await clock.advance(0);
    expect(late.slot).toBeUndefined();
    expect(signals.map((s) => (s.paused ? s.cause : 'resume'))).toEqual(['suspend', 'resume', 'shutdown']);
    await scheduler.stop();
  });
});

describe('ThermalScheduler priorities and deferral', () => {
  it('serves interactive and approvals before council, council before background', async () => {
    const { scheduler, clock } = setup(mergeSettings(IMMEDIATE, { slots: { nominal: 1 } }));
    const blocker = track(scheduler, 'background', 'blocker');
    await clock.advance(0);
    const order: string[] = [];
    const queued = [
      track(scheduler, 'background', 'bg'),
      track(scheduler, 'council', 'judge'),
      track(scheduler, 'approval', 'approval'),
      track(scheduler, 'interactive', 'chat'),
    ];
    for (const q of queued) void q.promise.then(() => order.push(q.request.label));
    const byLabel = new Map(queued.map((q) => [q.request.label, q]));
    let holder = blocker;
    for (let i = 0; i < queued.length; i++) {
      holder.slot!.release();
      await clock.advance(0);
      expect(order).toHaveLength(i + 1); // one slot: exactly one more admitted per release
      holder = byLabel.get(order[i]!)!;
    }
    expect(order).toEqual(['approval', 'chat', 'judge', 'bg']);
  });

  it('defers background work on battery while other work runs', async () => {
    const { scheduler, clock, setLevel } = setup();
    setLevel('nominal', { onBattery: true });
    const bg = track(scheduler, 'background');
    const council = track(scheduler, 'council');
    await clock.advance(0);
    expect(bg.slot).toBeUndefined();
    expect(council.slot).toBeDefined();
    expect(scheduler.state().backgroundDeferred).toBe(true);
    expect(scheduler.state().waiting[0]?.reason).toMatch(/battery/);
    setLevel('nominal', { onBattery: false });
    await clock.advance(0);
    expect(bg.slot).toBeDefined();
  });

  it('defers background work from the configured level up and prefers a smaller model under pressure', async () => {
    const { scheduler, clock, setLevel } = setup();
    setLevel('fair');
    const atFair = track(scheduler, 'background');
    await clock.advance(0);
    expect(atFair.slot?.preferSmallerModel).toBe(false);
    atFair.slot!.release();
    setLevel('serious');
    const bg = track(scheduler, 'background');
    const chat = track(scheduler, 'interactive');
    await clock.advance(0);
    expect(bg.slot).toBeUndefined();
    expect(chat.slot?.preferSmallerModel).toBe(true);
  });
});

describe('ThermalScheduler requests', () => {
  it('honours an AbortSignal while waiting and frees the place in the queue', async () => {
    const { scheduler, clock, setLevel, decisions } = setup();
    setLevel('critical');
    const controller = new AbortController();
    const call = track(scheduler, 'council', 'judge', { signal: controller.signal });
    await clock.advance(0);
    controller.abort();
    await clock.advance(0);
    expect((call.error as DOMException).name).toBe('AbortError');
    expect(scheduler.state().waiting).toHaveLength(0);
    expect(decisions.some((d) => d.kind === 'cancel' && d.label === 'judge')).toBe(true);
    // An already-aborted signal is refused at once.
    await expect(scheduler.acquire({ priority: 'interactive', label: 'x', signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('records why each request waits, once per cause, with its task id', async () => {
    const { scheduler, clock, setLevel, decisions } = setup(mergeSettings(IMMEDIATE, { slots: { nominal: 1 } }));
    const first = track(scheduler, 'interactive', 'first');
    const second = track(scheduler, 'council', 'judge', { taskId: 'tsk_0123456789' });
    await clock.advance(0);
    expect(first.slot).toBeDefined();
    setLevel('nominal'); // re-pumps; the cause is unchanged so no new decision
    setLevel('critical');
    const waits = decisions.filter((d) => d.kind === 'wait' && d.taskId === 'tsk_0123456789');
    expect(waits.map((w) => w.reason)).toEqual([
      'all 1 slot(s) at nominal pressure are in use',
      expect.stringContaining('only interactive work is admitted at critical'),
    ]);
    expect(second.slot).toBeUndefined();
  });

  it('stop refuses everything still waiting', async () => {
    const { scheduler, clock, setLevel } = setup();
    setLevel('critical');
    const call = track(scheduler, 'council');
    await clock.advance(0);
    await scheduler.stop();
    await clock.advance(0);
    expect(call.error).toMatchObject({ code: 'unavailable' });
    await expect(scheduler.acquire({ priority: 'interactive', label: 'late' })).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('release twice is harmless', async () => {
    const { scheduler, clock } = setup();
    const a = track(scheduler, 'interactive');
    await clock.advance(0);
    a.slot!.release();
    a.slot!.release();
    expect(scheduler.state().inUse).toBe(0);
  });
});

describe('ThermalScheduler sampling loop', () => {
  it('samples on its interval under the fake clock and keeps its level when a probe fails', async () => {
    const { scheduler, clock, probe } = setup();
    probe.reading = { thermalState: 'serious' };
    scheduler.start();
    await clock.advance(0);
    expect(scheduler.state().level).toBe('serious');
    expect(probe.samples).toBe(1);
    await clock.advance(IMMEDIATE.sampleIntervalMs * 3);
    expect(probe.samples).toBe(4);
    probe.failWith = new Error('sensor gone');
    await clock.advance(IMMEDIATE.sampleIntervalMs);
    expect(scheduler.state().level).toBe('serious');
    expect(scheduler.state().probes[0]).toMatchObject({ ok: false, detail: 'sensor gone' });
    await scheduler.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('samples at once when a push probe reports a change', async () => {
    const { scheduler, clock, probe } = setup();
    scheduler.start();
    await clock.advance(0);
    probe.reading = { thermalState: 'critical' };
    probe.emit({ kind: 'changed' });
    await clock.advance(0);
    expect(scheduler.state().level).toBe('critical');
    await scheduler.stop();
  });
});

describe('ThermalScheduler change during a sample', () => {
  it('takes another sample at once when a change arrives while one is in flight', async () => {
    const clock = new FakeClock(0);
    let release: (() => void) | undefined;
    const probe = new ManualProbe({ thermalState: 'nominal' });
    const slowSample = probe.sample.bind(probe);
    probe.sample = async () => {
      const reading = await slowSample();
      if (probe.samples === 1) await new Promise<void>((r) => (release = r));
      return reading;
    };
    const scheduler = new ThermalScheduler({ probe, settings: IMMEDIATE, clock, timers: clock, logger: silentLogger() });
    scheduler.start();
    await clock.advance(0);
    probe.reading = { thermalState: 'critical' };
    probe.emit({ kind: 'changed' }); // arrives while the first sample is still running
    release!();
    await clock.advance(0);
    expect(probe.samples).toBe(2);
    expect(scheduler.state().level).toBe('critical');
    await scheduler.stop();
  });
});

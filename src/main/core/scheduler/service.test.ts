import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../shared/domain/events';
import { ContractSession } from '../api/session';
import { createCore, type Core } from '../composition/app-core';
import { silentLogger } from '../observability/logger';
import { ManualProbe } from './testing';
import { FakeClock } from './timers';

const dirs: string[] = [];
const cores: Core[] = [];
afterEach(() => {
  for (const c of cores.splice(0)) c.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(dataDir?: string) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'aa-sched-'));
  if (!dataDir) dirs.push(dir);
  const clock = new FakeClock(1_700_000_000_000);
  const probe = new ManualProbe({ thermalState: 'nominal', memoryPressure: 0.4 });
  const core = createCore({ dataDir: dir, logger: silentLogger(), clock, scheduler: { probe, timers: clock } });
  cores.push(core);
  const pushed: AgentEvent[] = [];
  const session = new ContractSession(core, (e) => pushed.push(e));
  return { dir, clock, probe, core, session, pushed };
}

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'aa-sched-repo-'));
  mkdirSync(join(dir, '.git'));
  dirs.push(dir);
  return dir;
}

describe('core.scheduler through the contract', () => {
  it('reports the pressure state and a timeline of level changes', async () => {
    const { clock, probe, session } = open();
    await clock.advance(0);
    let state = await session.call('getSchedulerState', {});
    expect(state).toMatchObject({ ok: true, value: { level: 'nominal', slots: 2, inUse: 0, paused: null } });

    probe.reading = { thermalState: 'critical', memoryPressure: 0.4 };
    probe.emit({ kind: 'changed' });
    await clock.advance(0);
    state = await session.call('getSchedulerState', {});
    expect(state).toMatchObject({ ok: true, value: { level: 'critical', slots: 0, paused: { cause: 'critical' } } });

    const timeline = await session.call('getPressureTimeline', { windowMs: 60_000 });
    if (!timeline.ok) throw new Error(timeline.error.message);
    const value = timeline.value as { points: { level: string; memoryPressure?: number }[]; changes: { kind: string; reason: string }[] };
    expect(value.points.map((p) => p.level)).toEqual(['nominal', 'critical']);
    expect(value.points[1]!.memoryPressure).toBe(0.4);
    expect(value.changes.map((c) => c.kind)).toEqual(['level', 'pause']);
    expect(value.changes[0]!.reason).toContain('nominal → critical');
  });

  it('stores every decision with its reason, newest first, and filters them', async () => {
    const { clock, core, session } = open();
    await clock.advance(0);
    const slot = await core.scheduler.acquire({ priority: 'interactive', label: 'chat reply' });
    slot.release();
    const all = await session.call('listSchedulerDecisions', { limit: 10 });
    expect(all.ok && (all.value as { kind: string; label?: string; reason: string }[])[0]).toMatchObject({
      kind: 'admit',
      label: 'chat reply',
      reason: 'slot 1 of 2 at nominal pressure',
    });
    const none = await session.call('listSchedulerDecisions', { kinds: ['cancel'] });
    expect(none).toEqual({ ok: true, value: [] });
    expect(await session.call('listSchedulerDecisions', { limit: 0 })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('journals on the task why its inference call waits, and when it got a slot', async () => {
    const { clock, probe, core } = open();
    await clock.advance(0);
    const task = core.tasks.submit({ description: 'add validation', repoPath: repo(), mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
    probe.reading = { thermalState: 'critical' };
    probe.emit({ kind: 'changed' });
    await clock.advance(0);
    const pending = core.scheduler.acquire({ priority: 'council', label: 'technical judge', taskId: task.id });
    await clock.advance(0);
    expect(core.scheduler.state().waiting).toMatchObject([{ taskId: task.id, reason: expect.stringContaining('critical') }]);

    probe.reading = { thermalState: 'fair' };
    await clock.advance(core.scheduler.settings().cooldownMs + core.scheduler.settings().sampleIntervalMs * 3);
    const slot = await pending;
    slot.release();
    const events = core.tasks.get(task.id).events.filter((e) => e.type === 'scheduler.decision');
    expect(events.map((e) => e.type === 'scheduler.decision' && e.payload.kind)).toEqual(['wait', 'admit']);
    const [wait, admit] = events;
    expect(wait?.type === 'scheduler.decision' && wait.payload.reason).toContain('only interactive work is admitted at critical');
    expect(admit?.type === 'scheduler.decision' && admit.payload.waitedMs).toBeGreaterThan(0);
  });

  it('validates, applies and persists settings', async () => {
    const first = open();
    await first.clock.advance(0);
    const bad = await first.session.call('updateSchedulerSettings', { patch: { temperatureC: { fair: 95, serious: 90 } } });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringContaining('thresholds must increase') } });
    const unknown = await first.session.call('updateSchedulerSettings', { patch: { slots: { critical: 3 } } });
    expect(unknown.ok).toBe(false);
    const good = await first.session.call('updateSchedulerSettings', { patch: { slots: { nominal: 4 }, cooldownMs: 10_000 } });
    expect(good).toMatchObject({ ok: true, value: { slots: { nominal: 4, fair: 2, serious: 1, critical: 0 }, cooldownMs: 10_000 } });
    expect(first.core.scheduler.slots()).toBe(4);
    first.core.close();

    const again = open(first.dir);
    expect(await again.session.call('getSchedulerSettings', {})).toMatchObject({ ok: true, value: { slots: { nominal: 4 }, cooldownMs: 10_000 } });
  });

  it('stops sampling and refuses waiting work when the core closes', async () => {
    const { clock, probe, core } = open();
    await clock.advance(0);
    probe.reading = { thermalState: 'critical' };
    probe.emit({ kind: 'changed' });
    await clock.advance(0);
    const pending = core.scheduler.acquire({ priority: 'background', label: 'x' });
    core.close();
    await expect(pending).rejects.toMatchObject({ code: 'unavailable' });
    const samples = probe.samples;
    await clock.advance(60_000);
    expect(probe.samples).toBe(samples);
  });
});

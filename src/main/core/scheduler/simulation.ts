import { PRESSURE_LEVELS, type PressureLevel, type SchedulerSettings } from '../../../shared/domain/scheduler';
import { silentLogger, type Logger } from '../observability/logger';
import type { WorkPriority } from './admission';
import { ReplayProbe, type Trace } from './probes/replay-probe';
import { ThermalScheduler } from './scheduler';
import { DEFAULT_SCHEDULER_SETTINGS } from './settings';
import { FakeClock } from './timers';

/** A synthetic mix of model work: what an agent run asks of the scheduler. */
export type SyntheticWorkload = {
  /** A person waiting on an answer (chat, steering), now and then. */
  interactive: { everyMs: number; durationMs: number };
  /** A council review: every judge asks at once. */
  council: { everyMs: number; judges: number; durationMs: number };
  /** Worker loops that always have another inference call to make. */
  background: { workers: number; durationMs: number };
  /** Inference slows as the machine heats up: duration multiplier by level when a call starts. */
  slowdown: Record<PressureLevel, number>;
};

export const DEFAULT_WORKLOAD: SyntheticWorkload = {
  interactive: { everyMs: 45_000, durationMs: 4_000 },
  council: { everyMs: 120_000, judges: 4, durationMs: 10_000 },
  background: { workers: 2, durationMs: 20_000 },
  slowdown: { nominal: 1, fair: 1.15, serious: 1.5, critical: 2 },
};

const PRIORITIES: WorkPriority[] = ['interactive', 'approval', 'council', 'background'];

export type SimulationReport = {
  trace: string;
  durationMs: number;
  completed: Record<WorkPriority, number>;
  totalCompleted: number;
  throughputPerMinute: number;
  timeInLevelMs: Record<PressureLevel, number>;
  /** Council and background calls that started while the scheduler stood at critical. Must be 0. */
  admittedWhileCritical: number;
  /** Interactive calls and approvals that started at critical (the human's minimal slot). */
  interactiveAtCritical: number;
  /** Most calls running at once when a call started at each level (the slot table, observed). */
  peakConcurrency: Record<PressureLevel, number>;
  levelChanges: number;
  switchesPerMinute: number;
  /** Most level changes within any 60 s window. */
  maxSwitchesInAMinute: number;
  pauses: number;
  waits: Record<WorkPriority, { count: number; meanMs: number; maxMs: number }>;
  /** Calls still waiting or running when the trace ended. */
  unfinished: number;
};

export type SimulationOptions = {
  trace: Trace;
  settings?: SchedulerSettings;
  workload?: SyntheticWorkload;
  logger?: Logger;
};

/**
 * Replays a pressure trace against a synthetic workload on a fake clock: hours of trace run in
 * moments, and every figure comes from what the real scheduler did.
 */
export async function simulate(options: SimulationOptions): Promise<SimulationReport> {
  const { trace } = options;
  const settings = options.settings ?? DEFAULT_SCHEDULER_SETTINGS;
  const workload = options.workload ?? DEFAULT_WORKLOAD;
  const durationMs = trace.durationMs;
  if (durationMs <= 0) throw new Error(`${trace.name} lasts no time; a trace needs samples at t > 0`);

  const clock = new FakeClock(0);
  const probe = new ReplayProbe({ trace, clock, timers: clock, startAt: 0 });
  const scheduler = new ThermalScheduler({ probe, settings, clock, timers: clock, logger: options.logger ?? silentLogger() });

  const timeInLevelMs = zeroes<PressureLevel>(PRESSURE_LEVELS);
  const completed = zeroes<WorkPriority>(PRIORITIES);
  const waited: Record<WorkPriority, number[]> = { interactive: [], approval: [], council: [], background: [] };
  const changeTimes: number[] = [];
  let level: PressureLevel = 'nominal';
  let levelSince = 0;
  let admittedWhileCritical = 0;
  let interactiveAtCritical = 0;
  let pauses = 0;
  let outstanding = 0;
  let running = 0;
  const peakConcurrency = zeroes<PressureLevel>(PRESSURE_LEVELS);
  let ended = false;

  scheduler.onDecision((d) => {
    if (d.kind === 'level') {
      timeInLevelMs[level] += d.ts - levelSince;
      level = d.level;
      levelSince = d.ts;
      changeTimes.push(d.ts);
    }
    if (d.kind === 'pause') pauses++;
  });

  let resumeWaiters: (() => void)[] = [];
  scheduler.onPause((s) => {
    if (s.paused) return;
    const waiting = resumeWaiters;
    resumeWaiters = [];
    waiting.forEach((w) => w());
  });
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));

  const call = async (priority: WorkPriority, baseMs: number, label: string): Promise<void> => {
    outstanding++;
    const requested = clock.now();
    let slot;
    try {
      slot = await scheduler.acquire({ priority, label });
    } catch {
      return; // refused when the run ended; counted as unfinished
    }
    // Checked on the workload's side, independently of what the scheduler reports about itself.
    const at = scheduler.state().level;
    if (at === 'critical') {
      if (priority === 'interactive' || priority === 'approval') interactiveAtCritical++;
      else admittedWhileCritical++;
    }
    running++;
    peakConcurrency[at] = Math.max(peakConcurrency[at], running);
    waited[priority].push(clock.now() - requested);
    await sleep(Math.round(baseMs * workload.slowdown[at]));
    running--;
    slot.release();
    if (ended) return;
    outstanding--;
    completed[priority]++;
  };

  // The first sample lands before any work asks, as it does when the app starts.
  scheduler.start();
  await clock.advance(0);

  const every = (ms: number, fire: () => void) => {
    const tick = () => {
      if (ended) return;
      fire();
      clock.setTimeout(tick, ms);
    };
    clock.setTimeout(tick, ms);
  };
  every(workload.interactive.everyMs, () => void call('interactive', workload.interactive.durationMs, 'interactive reply'));
  every(workload.council.everyMs, () => {
    for (let j = 0; j < workload.council.judges; j++) void call('council', workload.council.durationMs, `judge ${j + 1}`);
  });
  for (let w = 0; w < workload.background.workers; w++) {
    void (async () => {
      while (!ended) {
        // A worker stops at its step boundary while work is paused, and picks up on resume.
        if (scheduler.pauseState().paused) await new Promise<void>((resolve) => resumeWaiters.push(resolve));
        if (ended) return;
        await call('background', workload.background.durationMs, `worker ${w + 1} step`);
      }
    })();
  }

  await clock.advanceTo(durationMs);
  ended = true;
  timeInLevelMs[level] += durationMs - levelSince;
  resumeWaiters.forEach((w) => w());
  await scheduler.stop();

  const totalCompleted = PRIORITIES.reduce((n, p) => n + completed[p], 0);
  const minutes = durationMs / 60_000;
  return {
    trace: trace.name,
    durationMs,
    completed,
    totalCompleted,
    throughputPerMinute: totalCompleted / minutes,
    timeInLevelMs,
    admittedWhileCritical,
    interactiveAtCritical,
    peakConcurrency,
    levelChanges: changeTimes.length,
    switchesPerMinute: changeTimes.length / minutes,
    maxSwitchesInAMinute: maxInWindow(changeTimes, 60_000),
    pauses,
    waits: Object.fromEntries(
      PRIORITIES.map((p) => {
        const w = waited[p];
        return [p, { count: w.length, meanMs: w.length ? w.reduce((a, b) => a + b, 0) / w.length : 0, maxMs: w.length ? Math.max(...w) : 0 }];
      }),
    ) as SimulationReport['waits'],
    unfinished: outstanding,
  };
}

export function formatReport(r: SimulationReport): string {
  const pct = (ms: number) => `${((ms / r.durationMs) * 100).toFixed(1)}%`;
  const secs = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
  const lines = [
    `trace: ${r.trace} (${(r.durationMs / 60_000).toFixed(1)} min simulated)`,
    `throughput: ${r.throughputPerMinute.toFixed(2)} calls/min (${r.totalCompleted} completed: ${PRIORITIES.map((p) => `${p} ${r.completed[p]}`).join(', ')}; ${r.unfinished} unfinished)`,
    'time in each level:',
    ...PRESSURE_LEVELS.map((l) => `  ${l.padEnd(9)} ${secs(r.timeInLevelMs[l]).padStart(8)}  ${pct(r.timeInLevelMs[l]).padStart(6)}`),
    `council or background admitted while critical: ${r.admittedWhileCritical}${r.admittedWhileCritical === 0 ? ' (ok)' : ' (VIOLATION: must be 0)'}; interactive at critical: ${r.interactiveAtCritical}`,
    `most calls running at once, by level: ${PRESSURE_LEVELS.map((l) => `${l} ${r.peakConcurrency[l]}`).join(', ')}`,
    `policy switches: ${r.levelChanges} (${r.switchesPerMinute.toFixed(2)} per minute; at most ${r.maxSwitchesInAMinute} in any minute)`,
    `pauses at a safe boundary: ${r.pauses}`,
    'waits for a slot (mean / max):',
    ...PRIORITIES.filter((p) => r.waits[p].count > 0).map(
      (p) => `  ${p.padEnd(11)} ${secs(r.waits[p].meanMs).padStart(7)} / ${secs(r.waits[p].maxMs).padStart(7)}  over ${r.waits[p].count} calls`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

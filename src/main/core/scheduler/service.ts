import { TaskId } from '../../../shared/domain/task';
import {
  SchedulerSettings,
  type PressurePoint,
  type PressureState,
  type SchedulerDecision,
  type SchedulerSettingsPatch,
} from '../../../shared/domain/scheduler';
import type { Db } from '../db/open';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import type { InferenceAdmission, Slot, SlotRequest } from './admission';
import { insertDecision, listDecisions, loadSettingsRow, pruneDecisions, saveSettingsRow, type DecisionFilter } from '../db/queries/scheduler';
import { ThermalScheduler, type DecisionDraft, type PauseSignal } from './scheduler';
import { DEFAULT_SCHEDULER_SETTINGS, mergeSettings } from './settings';
import type { Timers } from './timers';
import type { PressureProbe } from './types';

export type SchedulerServiceOptions = {
  db: Db;
  journal: Journal;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  probe: PressureProbe;
  /** Called when the system suspends or shuts down, so the journal reaches the disk first. */
  onFlush?: () => void;
  /** Most timeline points kept in memory (default 4 h at the default interval). */
  timelineCapacity?: number;
  /** Most decisions kept in the database. */
  maxStoredDecisions?: number;
  /** A task's expected remaining time: background work of shorter tasks goes first (see order.ts). */
  expectedMs?: (taskId: string) => number | undefined;
};

const PRUNE_EVERY = 200;

/**
 * The scheduler as the rest of the app sees it: admission for the model service, pause signals
 * for the engine, and a stored timeline of decisions and readings for the window and the CLI.
 * A request that carries a task id and has to wait is also journaled on that task, so the task's
 * own event stream says why it waits.
 */
export class SchedulerService implements InferenceAdmission {
  readonly scheduler: ThermalScheduler;
  private readonly db: Db;
  private readonly journal: Journal;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly onFlush: (() => void) | undefined;
  private settingsValue: SchedulerSettings;
  private readonly points: PressurePoint[] = [];
  private readonly capacity: number;
  private readonly maxStored: number;
  private sincePrune = 0;
  private readonly listeners = new Set<(d: SchedulerDecision) => void>();

  constructor(options: SchedulerServiceOptions) {
    this.db = options.db;
    this.journal = options.journal;
    this.clock = options.clock;
    this.logger = options.logger;
    this.onFlush = options.onFlush;
    this.capacity = options.timelineCapacity ?? 2_880;
    this.maxStored = options.maxStoredDecisions ?? 20_000;
    this.settingsValue = this.loadSettings();
    this.scheduler = new ThermalScheduler({
      probe: options.probe,
      settings: this.settingsValue,
      clock: options.clock,
      timers: options.timers,
      logger: options.logger,
      ...(options.expectedMs ? { expectedMs: options.expectedMs } : {}),
    });
    this.scheduler.onDecision((d) => this.record(d));
    this.scheduler.onSample(() => this.addPoint());
    this.scheduler.onPause((signal) => {
      if (signal.paused && signal.cause !== 'critical') this.flush();
    });
  }

  acquire(request: SlotRequest): Promise<Slot> {
    return this.scheduler.acquire(request);
  }

  /** Inference slots right now; the council's parallelism follows it. */
  slots(): number {
    return this.scheduler.slots();
  }

  start(): void {
    this.scheduler.start();
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  onPause(listener: (signal: PauseSignal) => void): () => void {
    return this.scheduler.onPause(listener);
  }

  onDecision(listener: (d: SchedulerDecision) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  state(): PressureState {
    return this.scheduler.state();
  }

  decisions(filter: DecisionFilter): SchedulerDecision[] {
    return listDecisions(this.db, filter);
  }

  timeline(windowMs: number): { points: PressurePoint[]; changes: SchedulerDecision[]; now: number } {
    const now = this.clock.now();
    const since = now - windowMs;
    const changes = listDecisions(this.db, { limit: 1_000, kinds: ['level', 'pause', 'resume'], sinceTs: since }).reverse();
    return { points: this.points.filter((p) => p.ts >= since), changes, now };
  }

  settings(): SchedulerSettings {
    return this.settingsValue;
  }

  updateSettings(patch: SchedulerSettingsPatch): SchedulerSettings {
    const next = mergeSettings(this.settingsValue, patch);
    saveSettingsRow(this.db, next, this.clock.now());
    this.settingsValue = next;
    this.scheduler.setSettings(next);
    return next;
  }

  private loadSettings(): SchedulerSettings {
    const stored = loadSettingsRow(this.db);
    if (stored === undefined) return DEFAULT_SCHEDULER_SETTINGS;
    const parsed = SchedulerSettings.safeParse(stored);
    if (parsed.success) return parsed.data;
    this.logger.warn({ issues: parsed.error.issues.length }, 'stored scheduler settings are invalid; using the defaults');
    return DEFAULT_SCHEDULER_SETTINGS;
  }

  private record(draft: DecisionDraft): void {
    let stored: SchedulerDecision;
    try {
      stored = insertDecision(this.db, draft);
      if (++this.sincePrune >= PRUNE_EVERY) {
        this.sincePrune = 0;
        pruneDecisions(this.db, this.maxStored);
      }
    } catch (e) {
      this.logger.warn({ err: e }, 'could not store a scheduler decision');
      return;
    }
    this.journalForTask(stored);
    for (const l of this.listeners) {
      try {
        l(stored);
      } catch {
        // A faulty listener must not stop the others.
      }
    }
  }

  /** A task that waits sees why in its own event stream; an admission without a wait is not news. */
  private journalForTask(d: SchedulerDecision): void {
    if (!d.taskId || !TaskId.safeParse(d.taskId).success) return;
    if (d.kind !== 'wait' && !(d.kind === 'admit' && (d.waitedMs ?? 0) > 0)) return;
    try {
      this.journal.append(
        d.taskId,
        {
          type: 'scheduler.decision',
          payload: {
            level: d.level,
            slots: d.slots,
            reason: d.reason,
            kind: d.kind,
            inUse: d.inUse,
            ...(d.priority ? { priority: d.priority } : {}),
            ...(d.label ? { label: d.label } : {}),
            ...(d.waitedMs !== undefined ? { waitedMs: d.waitedMs } : {}),
          },
        },
        `${d.taskId}:scheduler:${d.id}`,
      );
    } catch (e) {
      // The task may be gone (or never stored, in a test); the decision itself is kept above.
      this.logger.debug({ err: e, taskId: d.taskId }, 'scheduler decision not journaled on its task');
    }
  }

  private addPoint(): void {
    const s = this.scheduler.state();
    const r = s.reading;
    const temps = r?.temperatures ?? [];
    const point: PressurePoint = {
      ts: this.clock.now(),
      level: s.level,
      slots: s.slots,
      inUse: s.inUse,
      ...(temps.length > 0 ? { maxTemperatureC: Math.max(...temps.map((t) => t.celsius)) } : {}),
      ...(r?.memoryPressure !== undefined ? { memoryPressure: r.memoryPressure } : {}),
      ...(r?.cpuLoad !== undefined ? { cpuLoad: r.cpuLoad } : {}),
      ...(r?.speedLimit !== undefined ? { speedLimit: r.speedLimit } : {}),
      ...(r?.onBattery !== undefined ? { onBattery: r.onBattery } : {}),
    };
    this.points.push(point);
    if (this.points.length > this.capacity) this.points.splice(0, this.points.length - this.capacity);
  }

  private flush(): void {
    try {
      this.onFlush?.();
    } catch (e) {
      this.logger.warn({ err: e }, 'journal flush before suspend failed');
    }
  }
}

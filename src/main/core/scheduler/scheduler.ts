// Over 400 lines on purpose: admission, pressure levels, pause signals and the decision log share one queue and its timers.
import {
  type DecisionKind,
  type PauseCause,
  type PressureLevel,
  type PressureReading,
  type PressureState,
  type SchedulerSettings,
  type WaitingRequest,
} from '../../../shared/domain/scheduler';
import { AppFailure } from '../../../shared/errors';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';
import type { InferenceAdmission, Slot, SlotRequest, WorkPriority } from './admission';
import { DEFAULT_AGING_MS, serviceOrder } from './order';
import { PressurePolicy } from './policy';
import type { TimerHandle, Timers } from './timers';
import type { PressureProbe, ProbeEvent, ProbeReading, ProbeStatus } from './types';

/** A decision before it is stored; the store gives it an id. */
export type DecisionDraft = {
  ts: number;
  kind: DecisionKind;
  level: PressureLevel;
  slots: number;
  inUse: number;
  reason: string;
  priority?: WorkPriority;
  label?: string;
  taskId?: string;
  waitedMs?: number;
};

/** Sent to the engine: pause running work at its next safe boundary, or carry on. */
export type PauseSignal = { paused: true; cause: PauseCause; reason: string } | { paused: false; reason: string };

export type ThermalSchedulerOptions = {
  probe: PressureProbe;
  settings: SchedulerSettings;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /**
   * A task's expected remaining time (from its estimate), so background work of shorter tasks is
   * served first; undefined when there is no history. Without it, background work is FIFO.
   */
  expectedMs?: (taskId: string) => number | undefined;
  /** Background work waiting this long is served before shorter work that came later (default 2 min). */
  agingMs?: number;
};

/**
 * Slots a human's own work (a direct chat with a model, an approval) still gets at critical
 * pressure, by rule: the person at the keyboard is never locked out; council and background wait.
 */
export const CRITICAL_INTERACTIVE_SLOTS = 1;

const isInteractive = (p: WorkPriority) => p === 'interactive' || p === 'approval';

type WaitKind = 'power' | 'critical' | 'deferred' | 'slots';

type Waiter = {
  id: number;
  request: SlotRequest;
  since: number;
  /** The task's expected remaining time when the request came (background order). */
  expectedMs: number | undefined;
  reason: string;
  kind: WaitKind | undefined;
  resolve(slot: Slot): void;
  reject(error: unknown): void;
  detach(): void;
};

/**
 * Admission control for inference slots, driven by pressure. The model service calls `acquire`
 * before each inference call; the sampling loop reads the probes, the policy turns readings into
 * a level, and the level's row of the slot table says how many calls may run at once. Every
 * decision goes to `onDecision` listeners with its reason.
 */
export class ThermalScheduler implements InferenceAdmission {
  private readonly probe: PressureProbe;
  private readonly policy: PressurePolicy;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly logger: Logger;
  private readonly expectedMs: ((taskId: string) => number | undefined) | undefined;
  private readonly agingMs: number;
  private settings: SchedulerSettings;

  private queue: Waiter[] = [];
  private nextWaiterId = 1;
  private inUse = 0;
  /** Slots held by interactive work and approvals (what critical pressure still admits). */
  private interactiveInUse = 0;
  private reading: PressureReading | null = null;
  private powerPause: Exclude<PauseCause, 'critical'> | undefined;
  private lastPause: PauseSignal = { paused: false, reason: 'starting' };

  private timer: TimerHandle | undefined;
  private sampling: Promise<void> | undefined;
  /** A change was reported while a sample was in flight: take another as soon as it ends. */
  private resample = false;
  private running = false;
  private stopped = false;
  private unsubscribeProbe: (() => void) | undefined;
  private lastSampleError: string | undefined;

  private readonly decisionListeners = new Set<(d: DecisionDraft) => void>();
  private readonly pauseListeners = new Set<(s: PauseSignal) => void>();
  private readonly sampleListeners = new Set<(r: PressureReading) => void>();

  constructor(options: ThermalSchedulerOptions) {
    this.probe = options.probe;
    this.settings = options.settings;
    this.clock = options.clock;
    this.timers = options.timers;
    this.logger = options.logger;
    this.expectedMs = options.expectedMs;
    this.agingMs = options.agingMs ?? DEFAULT_AGING_MS;
    this.policy = new PressurePolicy({ settings: options.settings, clock: options.clock });
  }

  // ---- admission ------------------------------------------------------------------------------

  acquire(request: SlotRequest): Promise<Slot> {
    if (request.signal?.aborted) return Promise.reject(abortError());
    if (this.stopped) return Promise.reject(new AppFailure('unavailable', 'the scheduler has stopped'));
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = {
        id: this.nextWaiterId++,
        request,
        since: this.clock.now(),
        expectedMs: request.priority === 'background' && request.taskId ? this.expected(request.taskId) : undefined,
        reason: '',
        kind: undefined,
        resolve,
        reject,
        detach: () => undefined,
      };
      const signal = request.signal;
      if (signal) {
        const onAbort = () => this.cancel(waiter);
        signal.addEventListener('abort', onAbort, { once: true });
        waiter.detach = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Current number of inference slots; the council sizes its parallelism from it. */
  slots(): number {
    return this.policy.slots();
  }

  // ---- sampling loop --------------------------------------------------------------------------

  /** Starts sampling the probes (first sample at once). */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.unsubscribeProbe = this.probe.subscribe?.((event) => this.onProbeEvent(event));
    this.schedule(0);
  }

  /** Stops sampling and refuses every request still waiting. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribeProbe?.();
    const waiting = this.queue;
    this.queue = [];
    for (const w of waiting) {
      w.detach();
      w.reject(new AppFailure('unavailable', 'the scheduler has stopped'));
    }
    await this.sampling?.catch(() => undefined);
    this.probe.close?.();
  }

  /** Takes a sample now (after a probe reports a change, or from a test). */
  async sampleNow(): Promise<void> {
    if (this.sampling) {
      this.resample = true;
      return this.sampling;
    }
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.sampling = this.sampleOnce().finally(() => {
      this.sampling = undefined;
      const again = this.resample;
      this.resample = false;
      if (this.running) this.schedule(again ? 0 : this.settings.sampleIntervalMs);
    });
    return this.sampling;
  }

  /** Feeds a reading directly (the sampling loop does this; tests and replays may too). */
  observe(reading: ProbeReading, sources: string[] = [this.probe.name]): void {
    const ts = this.clock.now();
    this.reading = { ts, ...reading, sources };
    const change = this.policy.observe(reading);
    if (change) {
      this.emit('level', `${change.from} → ${change.to}: ${change.reason}`);
    }
    this.updatePause();
    for (const l of this.sampleListeners) safely(() => l(this.reading!));
    this.pump();
  }

  setSettings(settings: SchedulerSettings): void {
    this.settings = settings;
    this.policy.setSettings(settings);
    this.emit('settings', `settings changed; ${this.policy.level} now allows ${this.policy.slots()} slot(s)`);
    this.pump();
  }

  // ---- observers ------------------------------------------------------------------------------

  onDecision(listener: (d: DecisionDraft) => void): () => void {
    this.decisionListeners.add(listener);
    return () => this.decisionListeners.delete(listener);
  }

  /** The engine subscribes here to pause running work at its next safe boundary. */
  onPause(listener: (s: PauseSignal) => void): () => void {
    this.pauseListeners.add(listener);
    return () => this.pauseListeners.delete(listener);
  }

  onSample(listener: (r: PressureReading) => void): () => void {
    this.sampleListeners.add(listener);
    return () => this.sampleListeners.delete(listener);
  }

  pauseState(): PauseSignal {
    return this.lastPause;
  }

  state(): PressureState {
    const onBattery = this.reading?.onBattery;
    const pause = this.lastPause;
    return {
      level: this.policy.level,
      since: this.policy.since,
      reason: this.policy.reason,
      slots: this.policy.slots(),
      inUse: this.inUse,
      preferSmallerModel: this.policy.preferSmallerModel(),
      backgroundDeferred: this.policy.backgroundDeferral(onBattery) !== undefined,
      paused: pause.paused ? { cause: pause.cause, reason: pause.reason } : null,
      reading: this.reading,
      waiting: this.queue.map(
        (w): WaitingRequest => ({
          id: w.id,
          priority: w.request.priority,
          label: w.request.label,
          ...(w.request.taskId ? { taskId: w.request.taskId } : {}),
          since: w.since,
          reason: w.reason,
        }),
      ),
      probes: this.probeStatus(),
    };
  }

  // ---- internals ------------------------------------------------------------------------------

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.timer) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.sampleNow();
    }, ms);
  }

  private async sampleOnce(): Promise<void> {
    let reading: ProbeReading;
    try {
      reading = await this.probe.sample();
    } catch (e) {
      // Keep the level we have: a failing probe is not evidence that the machine cooled down.
      const message = e instanceof Error ? e.message : String(e);
      if (message !== this.lastSampleError) this.logger.warn({ err: e, probe: this.probe.name }, 'pressure probe failed');
      this.lastSampleError = message;
      return;
    }
    this.lastSampleError = undefined;
    if (this.stopped) return;
    const status = this.probe.status?.();
    this.observe(reading, status ? status.filter((s) => s.ok).map((s) => s.name) : [this.probe.name]);
  }

  private onProbeEvent(event: ProbeEvent): void {
    if (this.stopped) return;
    switch (event.kind) {
      case 'changed':
        void this.sampleNow();
        return;
      case 'suspend':
      case 'shutdown':
        if (this.powerPause !== 'shutdown') this.powerPause = event.kind;
        this.updatePause();
        return;
      case 'resume':
        if (this.powerPause === 'suspend') this.powerPause = undefined;
        this.updatePause();
        void this.sampleNow();
        this.pump();
        return;
      default: {
        const never: never = event;
        return never;
      }
    }
  }

  private updatePause(): void {
    let next: PauseSignal;
    if (this.powerPause === 'suspend') next = { paused: true, cause: 'suspend', reason: 'the system is going to sleep' };
    else if (this.powerPause === 'shutdown') next = { paused: true, cause: 'shutdown', reason: 'the system is shutting down' };
    else if (this.policy.level === 'critical') {
      next = { paused: true, cause: 'critical', reason: `critical pressure: ${this.policy.reason}` };
    } else next = { paused: false, reason: `pressure ${this.policy.level}; work may continue` };
    const prev = this.lastPause;
    const same = prev.paused === next.paused && (!prev.paused || !next.paused || prev.cause === next.cause);
    if (same) return;
    this.lastPause = next;
    this.emit(next.paused ? 'pause' : 'resume', next.reason);
    for (const l of this.pauseListeners) safely(() => l(next));
  }

  /** Grants slots to waiting requests in priority order, and records why the rest wait. */
  private pump(): void {
    const slots = this.policy.slots();
    // By rank, then (background work) shortest expected first with aging; see order.ts.
    const now = this.clock.now();
    this.queue = serviceOrder(
      this.queue.map((w) => ({ id: w.id, priority: w.request.priority, since: w.since, expectedMs: w.expectedMs, w })),
      now,
      this.agingMs,
    ).map((q) => q.w);
    let ahead = 0;
    for (const waiter of [...this.queue]) {
      const wait = this.whyWait(waiter, slots, ahead);
      if (!wait) {
        this.admit(waiter);
        continue;
      }
      if (wait.kind === 'slots') ahead++;
      this.setWaitReason(waiter, wait.kind, wait.reason);
    }
  }

  private whyWait(waiter: Waiter, slots: number, ahead: number): { kind: WaitKind; reason: string } | undefined {
    if (this.powerPause) {
      return { kind: 'power', reason: `the system is ${this.powerPause === 'suspend' ? 'asleep' : 'shutting down'}; nothing new starts` };
    }
    const level = this.policy.level;
    if (level === 'critical') {
      if (isInteractive(waiter.request.priority) && this.interactiveInUse < CRITICAL_INTERACTIVE_SLOTS) return undefined;
      const reason = isInteractive(waiter.request.priority)
        ? `critical pressure leaves ${CRITICAL_INTERACTIVE_SLOTS} slot for interactive work, in use (${this.policy.reason})`
        : `only interactive work is admitted at critical pressure (${this.policy.reason})`;
      return { kind: 'critical', reason };
    }
    if (waiter.request.priority === 'background') {
      const deferral = this.policy.backgroundDeferral(this.reading?.onBattery);
      if (deferral) return { kind: 'deferred', reason: deferral };
    }
    if (this.inUse >= slots || ahead > 0) {
      const queued = ahead > 0 ? `; ${ahead} request(s) ahead` : '';
      return { kind: 'slots', reason: `all ${slots} slot(s) at ${level} pressure are in use${queued}` };
    }
    return undefined;
  }

  private setWaitReason(waiter: Waiter, kind: WaitKind, reason: string): void {
    waiter.reason = reason;
    // One decision per change of cause, not per recount, so a long queue does not flood the log.
    if (waiter.kind === kind) return;
    waiter.kind = kind;
    this.emit('wait', reason, waiter);
  }

  private admit(waiter: Waiter): void {
    this.queue = this.queue.filter((w) => w !== waiter);
    waiter.detach();
    this.inUse++;
    const interactive = isInteractive(waiter.request.priority);
    if (interactive) this.interactiveInUse++;
    const level = this.policy.level;
    const slots = this.policy.slots();
    const waitedMs = Math.max(0, this.clock.now() - waiter.since);
    const reason =
      waitedMs > 0 ? `slot ${this.inUse} of ${slots} at ${level} pressure after waiting ${Math.round(waitedMs / 1000)} s` : `slot ${this.inUse} of ${slots} at ${level} pressure`;
    this.emit('admit', reason, waiter, waitedMs);
    let released = false;
    const slot: Slot = {
      preferSmallerModel: this.policy.preferSmallerModel(),
      release: () => {
        if (released) return;
        released = true;
        this.inUse--;
        if (interactive) this.interactiveInUse--;
        this.pump();
      },
    };
    waiter.resolve(slot);
  }

  private cancel(waiter: Waiter): void {
    if (!this.queue.includes(waiter)) return;
    this.queue = this.queue.filter((w) => w !== waiter);
    this.emit('cancel', 'the request was aborted while waiting', waiter, Math.max(0, this.clock.now() - waiter.since));
    waiter.reject(abortError());
    this.pump();
  }

  private emit(kind: DecisionKind, reason: string, waiter?: Waiter, waitedMs?: number): void {
    const draft: DecisionDraft = {
      ts: this.clock.now(),
      kind,
      level: this.policy.level,
      slots: this.policy.slots(),
      inUse: this.inUse,
      reason,
      ...(waiter
        ? {
            priority: waiter.request.priority,
            label: waiter.request.label,
            ...(waiter.request.taskId ? { taskId: waiter.request.taskId } : {}),
          }
        : {}),
      ...(waitedMs !== undefined ? { waitedMs } : {}),
    };
    if (kind === 'level' || kind === 'pause' || kind === 'resume') this.logger.info(draft, 'scheduler decision');
    for (const l of this.decisionListeners) safely(() => l(draft));
  }

  private expected(taskId: string): number | undefined {
    try {
      return this.expectedMs?.(taskId);
    } catch {
      return undefined;
    }
  }

  private probeStatus(): ProbeStatus[] {
    const status = this.probe.status?.();
    if (status) return status;
    return [{ name: this.probe.name, ok: this.lastSampleError === undefined, ...(this.lastSampleError ? { detail: this.lastSampleError } : {}) }];
  }
}

function abortError(): DOMException {
  return new DOMException('the slot request was aborted', 'AbortError');
}

/** A faulty listener must not stop the scheduler or the other listeners. */
function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // ignored on purpose
  }
}

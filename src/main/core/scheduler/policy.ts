import { levelRank, type PressureLevel, type SchedulerSettings } from '../../../shared/domain/scheduler';
import type { Clock } from '../journal/journal';
import { classify, type Classification, type SignalLevels } from './levels';
import type { ProbeReading } from './types';

export type LevelChange = { from: PressureLevel; to: PressureLevel; reason: string };

export type PolicyOptions = { settings: SchedulerSettings; clock: Clock };

type Streak = { direction: 1 | -1; level: PressureLevel; count: number };

/**
 * Turns a stream of readings into a committed pressure level without flapping:
 * - hysteresis per signal (in `classify`): a level is released only well below its threshold;
 * - confirmation: a new level must be seen in `confirmSamples` consecutive readings;
 * - cooldown: two level changes are at least `cooldownMs` apart, so a noisy trace of length D
 *   causes at most D / cooldownMs + 1 changes;
 * - quiet period: a level is released only once no reading has asked for it for `cooldownMs`,
 *   so a signal hovering on a threshold keeps the safer level instead of toggling.
 * The one exception is an escalation to critical, taken at once: heat damage outranks stability.
 */
export class PressurePolicy {
  private settings: SchedulerSettings;
  private readonly clock: Clock;
  private current: PressureLevel = 'nominal';
  private enteredAt: number;
  private lastChangeAt: number | undefined;
  /** Last time a reading asked for the current level (or more). */
  private lastHotAt: number;
  private why = 'no reading yet';
  private signals: SignalLevels = {};
  private streak: Streak | undefined;
  private observed = false;

  constructor(options: PolicyOptions) {
    this.settings = options.settings;
    this.clock = options.clock;
    this.enteredAt = options.clock.now();
    this.lastHotAt = this.enteredAt;
  }

  get level(): PressureLevel {
    return this.current;
  }
  /** When the current level was entered. */
  get since(): number {
    return this.enteredAt;
  }
  get reason(): string {
    return this.why;
  }

  setSettings(settings: SchedulerSettings): void {
    this.settings = settings;
  }

  slots(): number {
    return this.settings.slots[this.current];
  }

  preferSmallerModel(): boolean {
    return levelRank(this.current) >= levelRank(this.settings.preferSmallerModelAt);
  }

  /** Whether background work waits now, and why (undefined when it may run). */
  backgroundDeferral(onBattery: boolean | undefined): string | undefined {
    if (onBattery && this.settings.deferBackgroundOnBattery) return 'background work is deferred while on battery';
    if (levelRank(this.current) >= levelRank(this.settings.deferBackgroundAt)) {
      return `background work is deferred at ${this.current} pressure`;
    }
    return undefined;
  }

  /** Feeds one reading; returns the level change it caused, if any. */
  observe(reading: ProbeReading): LevelChange | undefined {
    const raw = classify(reading, this.settings, this.signals);
    this.signals = raw.signals;
    if (!this.observed) {
      // The first reading has no history to smooth against: take it as it is.
      this.observed = true;
      return this.commit(raw);
    }
    const now = this.clock.now();
    if (levelRank(raw.level) >= levelRank(this.current)) this.lastHotAt = now;
    if (raw.level === this.current) {
      this.streak = undefined;
      this.why = raw.reason;
      return undefined;
    }
    const direction = levelRank(raw.level) > levelRank(this.current) ? 1 : -1;
    if (this.streak?.direction === direction) {
      this.streak.count++;
      // Move only as far as every reading of the streak agrees.
      if (levelRank(raw.level) * direction < levelRank(this.streak.level) * direction) this.streak.level = raw.level;
    } else {
      this.streak = { direction, level: raw.level, count: 1 };
    }
    if (raw.level === 'critical') return this.commit(raw);
    const cooldownLeft = this.lastChangeAt === undefined ? 0 : this.settings.cooldownMs - (now - this.lastChangeAt);
    const quietLeft = direction === -1 ? this.settings.cooldownMs - (now - this.lastHotAt) : 0;
    if (this.streak.count >= this.settings.confirmSamples && cooldownLeft <= 0 && quietLeft <= 0) {
      return this.commit({ ...raw, level: this.streak.level });
    }
    const wait =
      cooldownLeft > 0
        ? `cooldown, ${Math.ceil(cooldownLeft / 1000)} s left`
        : quietLeft > 0
          ? `until readings stay below it for ${Math.round(this.settings.cooldownMs / 1000)} s, ${Math.ceil(quietLeft / 1000)} s left`
          : `confirming over ${this.settings.confirmSamples} samples`;
    this.why = `holding ${this.current} (${wait}): readings say ${raw.level} — ${raw.reason}`;
    return undefined;
  }

  private commit(raw: Classification): LevelChange | undefined {
    this.streak = undefined;
    this.why = raw.reason;
    if (raw.level === this.current) return undefined;
    const change = { from: this.current, to: raw.level, reason: raw.reason };
    this.current = raw.level;
    this.enteredAt = this.clock.now();
    this.lastChangeAt = this.enteredAt;
    this.lastHotAt = this.enteredAt;
    return change;
  }
}

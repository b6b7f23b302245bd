import {
  PRESSURE_LEVELS,
  levelRank,
  type PressureLevel,
  type SchedulerSettings,
  type Thresholds,
} from '../../../shared/domain/scheduler';
import type { ProbeReading } from './types';

export const SIGNALS = ['thermalState', 'speedLimit', 'temperature', 'memory', 'cpuLoad'] as const;
export type Signal = (typeof SIGNALS)[number];

/** The level each signal indicated last time; hysteresis is judged per signal against it. */
export type SignalLevels = Partial<Record<Signal, PressureLevel>>;

export type Classification = {
  level: PressureLevel;
  /** Why: the signals at the resulting level, in words. */
  reason: string;
  signals: SignalLevels;
};

const DESCENDING = [...PRESSURE_LEVELS].reverse().filter((l) => l !== 'nominal') as Exclude<PressureLevel, 'nominal'>[];

export const maxLevel = (a: PressureLevel, b: PressureLevel): PressureLevel => (levelRank(a) >= levelRank(b) ? a : b);

/**
 * The level a rising signal indicates. A level the signal already held is kept until the value
 * falls `hysteresis` below its threshold, so noise around a threshold does not toggle it.
 */
export function risingLevel(value: number, t: Thresholds, held: PressureLevel = 'nominal'): PressureLevel {
  for (const level of DESCENDING) {
    const threshold = t[level];
    if (threshold === null) continue;
    const effective = levelRank(level) <= levelRank(held) ? threshold - t.hysteresis : threshold;
    if (value >= effective) return level;
  }
  return 'nominal';
}

/** The same for a signal that falls with pressure (the CPU speed limit). */
export function fallingLevel(value: number, t: Thresholds, held: PressureLevel = 'nominal'): PressureLevel {
  for (const level of DESCENDING) {
    const threshold = t[level];
    if (threshold === null) continue;
    const effective = levelRank(level) <= levelRank(held) ? threshold + t.hysteresis : threshold;
    if (value <= effective) return level;
  }
  return 'nominal';
}

/** Turns one reading into a level: the worst of the signals it carries. Pure. */
export function classify(reading: ProbeReading, settings: SchedulerSettings, previous: SignalLevels = {}): Classification {
  const signals: SignalLevels = {};
  const words: Partial<Record<Signal, string>> = {};

  if (reading.thermalState) {
    signals.thermalState = reading.thermalState;
    words.thermalState = `system thermal state ${reading.thermalState}`;
  }
  if (isNumber(reading.speedLimit)) {
    signals.speedLimit = fallingLevel(reading.speedLimit, settings.speedLimit, previous.speedLimit);
    words.speedLimit = `CPU speed limited to ${round(reading.speedLimit)}%`;
  }
  const hottest = (reading.temperatures ?? []).filter((t) => isNumber(t.celsius)).sort((a, b) => b.celsius - a.celsius)[0];
  if (hottest) {
    signals.temperature = risingLevel(hottest.celsius, settings.temperatureC, previous.temperature);
    words.temperature = `${hottest.label || hottest.source} at ${round(hottest.celsius, 1)} °C`;
  }
  if (reading.memoryPressureLevel) {
    // The kernel's own verdict: it knows whether memory is short, used/total does not.
    signals.memory = reading.memoryPressureLevel;
    words.memory = `memory pressure ${reading.memoryPressureLevel} (${reading.memoryPressureDetail ?? 'reported by the OS'})`;
  } else if (isNumber(reading.memoryPressure)) {
    signals.memory = risingLevel(reading.memoryPressure, settings.memoryPressure, previous.memory);
    words.memory = `memory ${round(reading.memoryPressure * 100)}% in use`;
  }
  if (isNumber(reading.cpuLoad)) {
    signals.cpuLoad = risingLevel(reading.cpuLoad, settings.cpuLoad, previous.cpuLoad);
    words.cpuLoad = `CPU ${round(reading.cpuLoad * 100)}% busy`;
  }

  const present = SIGNALS.filter((s) => signals[s] !== undefined);
  if (present.length === 0) return { level: 'nominal', reason: 'no pressure signal readable; assuming nominal', signals };
  const level = present.map((s) => signals[s]!).reduce(maxLevel, 'nominal');
  const drivers = present.filter((s) => signals[s] === level).map((s) => words[s]!);
  const reason = level === 'nominal' ? `all signals nominal (${present.map((s) => words[s]!).join(', ')})` : drivers.join('; ');
  return { level, reason, signals };
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const round = (v: number, digits = 0) => Number(v.toFixed(digits));

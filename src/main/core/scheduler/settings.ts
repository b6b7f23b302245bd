import {
  SchedulerSettings,
  type SchedulerSettingsPatch,
} from '../../../shared/domain/scheduler';
import { AppFailure, describeZodError } from '../../../shared/errors';

/**
 * Defaults, and why:
 * - two slots while cool: two concurrent generations keep a laptop's cores busy without starving
 *   the window; serious halves that, critical admits nothing new.
 * - CPU load never raises the level past fair: our own inference saturates the CPU by design, so
 *   throttling on load alone would throttle ourselves and oscillate. Heat is what matters.
 * - temperatures: Apple Silicon and x86 packages throttle near 100 °C; we back off before that.
 */
export const DEFAULT_SCHEDULER_SETTINGS: SchedulerSettings = {
  slots: { nominal: 2, fair: 2, serious: 1, critical: 0 },
  temperatureC: { fair: 80, serious: 92, critical: 100, hysteresis: 3 },
  memoryPressure: { fair: 0.85, serious: 0.92, critical: 0.97, hysteresis: 0.03 },
  cpuLoad: { fair: 0.9, serious: null, critical: null, hysteresis: 0.1 },
  speedLimit: { fair: 95, serious: 75, critical: 50, hysteresis: 5 },
  cooldownMs: 30_000,
  confirmSamples: 2,
  sampleIntervalMs: 5_000,
  deferBackgroundOnBattery: true,
  deferBackgroundAt: 'serious',
  preferSmallerModelAt: 'serious',
};

/** Applies a partial update and validates the whole result (thresholds must stay ordered). */
export function mergeSettings(base: SchedulerSettings, patch: SchedulerSettingsPatch): SchedulerSettings {
  const merged = {
    ...base,
    ...stripUndefined({
      cooldownMs: patch.cooldownMs,
      confirmSamples: patch.confirmSamples,
      sampleIntervalMs: patch.sampleIntervalMs,
      deferBackgroundOnBattery: patch.deferBackgroundOnBattery,
      deferBackgroundAt: patch.deferBackgroundAt,
      preferSmallerModelAt: patch.preferSmallerModelAt,
    }),
    slots: { ...base.slots, ...stripUndefined(patch.slots ?? {}) },
    temperatureC: { ...base.temperatureC, ...stripUndefined(patch.temperatureC ?? {}) },
    memoryPressure: { ...base.memoryPressure, ...stripUndefined(patch.memoryPressure ?? {}) },
    cpuLoad: { ...base.cpuLoad, ...stripUndefined(patch.cpuLoad ?? {}) },
    speedLimit: { ...base.speedLimit, ...stripUndefined(patch.speedLimit ?? {}) },
  };
  const parsed = SchedulerSettings.safeParse(merged);
  if (!parsed.success) {
    const { message, issues } = describeZodError(parsed.error);
    throw new AppFailure('invalid_input', message, issues);
  }
  return parsed.data;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

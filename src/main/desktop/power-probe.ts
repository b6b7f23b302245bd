import type { PowerMonitor } from 'electron';
import type { PressureLevel } from '../../shared/domain/scheduler';
import type { PressureProbe, ProbeEvent, ProbeReading } from '../core/scheduler/types';

/** The part of Electron's powerMonitor this probe uses; a plain EventEmitter stands in for tests. */
export type PowerMonitorLike = Pick<PowerMonitor, 'on' | 'removeListener' | 'isOnBatteryPower'> & {
  getCurrentThermalState?: PowerMonitor['getCurrentThermalState'];
};

const LEVELS: readonly string[] = ['nominal', 'fair', 'serious', 'critical'] satisfies PressureLevel[];
const asLevel = (s: string | undefined): PressureLevel | undefined => (s && LEVELS.includes(s) ? (s as PressureLevel) : undefined);

/**
 * The OS's own view through Electron's powerMonitor: thermal state and CPU speed limit (macOS),
 * battery or mains, and suspend/resume/shutdown. Thin on purpose: it only remembers the latest
 * values and forwards events; the scheduler decides what they mean.
 */
export function createPowerProbe(monitor: PowerMonitorLike, platform: NodeJS.Platform = process.platform): PressureProbe {
  const state: ProbeReading = {};
  const listeners = new Set<(e: ProbeEvent) => void>();
  const emit = (event: ProbeEvent) => listeners.forEach((l) => l(event));

  // Only macOS reports a thermal state; elsewhere the call returns 'unknown' or does not exist.
  if (platform === 'darwin') {
    const initial = asLevel(monitor.getCurrentThermalState?.());
    if (initial) state.thermalState = initial;
  }
  const readBattery = () => {
    try {
      state.onBattery = monitor.isOnBatteryPower();
    } catch {
      delete state.onBattery;
    }
  };
  readBattery();

  const handlers = {
    'thermal-state-change': (details: { state: string }) => {
      const level = asLevel(details.state);
      if (level) state.thermalState = level;
      else delete state.thermalState;
      emit({ kind: 'changed' });
    },
    'speed-limit-change': (details: { limit: number }) => {
      if (Number.isFinite(details.limit) && details.limit >= 0 && details.limit <= 100) state.speedLimit = details.limit;
      emit({ kind: 'changed' });
    },
    'on-battery': () => {
      state.onBattery = true;
      emit({ kind: 'changed' });
    },
    'on-ac': () => {
      state.onBattery = false;
      emit({ kind: 'changed' });
    },
    suspend: () => emit({ kind: 'suspend' }),
    resume: () => {
      readBattery();
      emit({ kind: 'resume' });
    },
    shutdown: () => emit({ kind: 'shutdown' }),
  };
  // powerMonitor's overloads are per event name; the handlers above match them one to one.
  const on = monitor.on.bind(monitor) as (event: string, listener: (...args: never[]) => void) => void;
  const off = monitor.removeListener.bind(monitor) as (event: string, listener: (...args: never[]) => void) => void;
  for (const [event, handler] of Object.entries(handlers)) on(event, handler);

  return {
    name: 'powerMonitor',
    sample: async () => ({ ...state }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      for (const [event, handler] of Object.entries(handlers)) off(event, handler);
      listeners.clear();
    },
  };
}

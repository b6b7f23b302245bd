import type { PressureLevel, SensorTemperature } from '../../../shared/domain/scheduler';

/**
 * What one probe could read. Every field is optional: a probe fills only what its platform
 * exposes, and a field it cannot read stays absent rather than zero.
 */
export type ProbeReading = {
  thermalState?: PressureLevel;
  speedLimit?: number;
  temperatures?: SensorTemperature[];
  onBattery?: boolean;
  batteryPercent?: number;
  /** Share of memory in use, 0..1: only from replayed traces now (see memoryPressureLevel). */
  memoryPressure?: number;
  /** The OS's own memory-pressure verdict (Linux PSI, macOS kernel level); wins over memoryPressure. */
  memoryPressureLevel?: PressureLevel;
  /** What it was read from, in words, for the reason a decision gives. */
  memoryPressureDetail?: string;
  cpuLoad?: number;
};

export type ProbeField = keyof ProbeReading;

/** Something a probe noticed between samples; power events pause work at a safe point. */
export type ProbeEvent =
  | { kind: 'changed' }
  | { kind: 'suspend' }
  | { kind: 'resume' }
  | { kind: 'shutdown' };

export interface PressureProbe {
  readonly name: string;
  /** Never rejects for a missing sensor: absent fields mean "unknown". May reject on real faults. */
  sample(): Promise<ProbeReading>;
  /** Push-style probes (powerMonitor, replay) report changes and power events here. */
  subscribe?(listener: (event: ProbeEvent) => void): () => void;
  /** Per-source health after the last sample, for a probe that combines several. */
  status?(): ProbeStatus[];
  close?(): void;
}

export type ProbeStatus = { name: string; ok: boolean; detail?: string };

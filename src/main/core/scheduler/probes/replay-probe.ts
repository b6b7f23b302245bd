import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { PressureLevel, SensorTemperature } from '../../../../shared/domain/scheduler';
import { AppFailure } from '../../../../shared/errors';
import type { Clock } from '../../journal/journal';
import type { TimerHandle, Timers } from '../timers';
import type { PressureProbe, ProbeEvent, ProbeReading } from '../types';
import { macReadingFromText, psiReadingFromText } from './os-pressure-probe';

/**
 * One line of a recorded trace (JSON lines; blank lines and lines starting with # are ignored).
 * `t` is seconds from the start. A line updates only the fields it names; `null` clears a field
 * (a sensor that vanished); `event` replays a power event at that instant.
 */
export const TraceLine = z.strictObject({
  t: z.number().min(0).max(30 * 24 * 3600),
  thermalState: PressureLevel.nullable().optional(),
  speedLimit: z.number().min(0).max(100).nullable().optional(),
  /** Shorthand for a single sensor named "trace". */
  temperatureC: z.number().min(-100).max(250).nullable().optional(),
  temperatures: z.array(SensorTemperature).max(256).nullable().optional(),
  onBattery: z.boolean().nullable().optional(),
  batteryPercent: z.number().min(0).max(100).nullable().optional(),
  memoryPressure: z.number().min(0).max(1).nullable().optional(),
  memoryPressureLevel: PressureLevel.nullable().optional(),
  cpuLoad: z.number().min(0).max(1).nullable().optional(),
  /** Raw OS output, parsed exactly as the live probes parse it (see os-pressure-probe.ts). */
  pmsetTherm: z.string().max(4_000).optional(),
  thermalPressure: z.string().max(200).optional(),
  vmPressureLevel: z.string().max(200).optional(),
  psiMemory: z.string().max(1_000).optional(),
  event: z.enum(['suspend', 'resume', 'shutdown']).optional(),
  note: z.string().max(500).optional(),
});
export type TraceLine = z.infer<typeof TraceLine>;

export type TraceStep = {
  atMs: number;
  /** The full state after this line (earlier lines carried forward). */
  reading: ProbeReading;
  event?: Exclude<ProbeEvent['kind'], 'changed'>;
};

export type Trace = { name: string; steps: TraceStep[]; durationMs: number };

const MAX_TRACE_BYTES = 20 * 1024 * 1024;

export function parseTrace(text: string, name = 'trace'): Trace {
  const steps: TraceStep[] = [];
  let state: ProbeReading = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '' || raw.startsWith('#')) continue;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new AppFailure('invalid_input', `${name} line ${i + 1}: not valid JSON`);
    }
    const parsed = TraceLine.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      throw new AppFailure('invalid_input', `${name} line ${i + 1}: ${where}${issue?.message ?? 'invalid'}`);
    }
    const line = parsed.data;
    const atMs = Math.round(line.t * 1000);
    const previous = steps[steps.length - 1];
    if (previous && atMs < previous.atMs) {
      throw new AppFailure('invalid_input', `${name} line ${i + 1}: t=${line.t} goes back in time`);
    }
    state = applyLine(state, line);
    steps.push({ atMs, reading: state, ...(line.event ? { event: line.event } : {}) });
  }
  if (steps.length === 0) throw new AppFailure('invalid_input', `${name} holds no samples`);
  return { name, steps, durationMs: steps[steps.length - 1]!.atMs };
}

export async function loadTrace(file: string): Promise<Trace> {
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) throw new AppFailure('not_found', `no trace file at ${file}`);
  if (info.size > MAX_TRACE_BYTES) throw new AppFailure('invalid_input', `${file} is larger than ${MAX_TRACE_BYTES} bytes`);
  return parseTrace(await readFile(file, 'utf8'), file);
}

function applyLine(state: ProbeReading, line: TraceLine): ProbeReading {
  const next: Record<string, unknown> = { ...state };
  const set = (key: keyof ProbeReading, value: unknown) => {
    if (value === undefined) return;
    if (value === null) delete next[key];
    else next[key] = value;
  };
  set('thermalState', line.thermalState);
  set('speedLimit', line.speedLimit);
  set('onBattery', line.onBattery);
  set('batteryPercent', line.batteryPercent);
  set('memoryPressure', line.memoryPressure);
  set('memoryPressureLevel', line.memoryPressureLevel);
  if (line.memoryPressureLevel === null) set('memoryPressureDetail', null);
  set('cpuLoad', line.cpuLoad);
  const mac = macReadingFromText({ pmsetTherm: line.pmsetTherm, thermalPressure: line.thermalPressure, vmPressureLevel: line.vmPressureLevel });
  for (const [key, value] of Object.entries(mac.reading)) set(key as keyof ProbeReading, value);
  if (line.psiMemory !== undefined) {
    const psi = psiReadingFromText(line.psiMemory);
    if (!psi) throw new AppFailure('invalid_input', `psiMemory at t=${line.t} is not in /proc/pressure format`);
    for (const [key, value] of Object.entries(psi)) set(key as keyof ProbeReading, value);
  }
  set('temperatures', line.temperatures);
  if (line.temperatureC !== undefined) {
    set('temperatures', line.temperatureC === null ? null : [{ source: 'trace', label: 'trace sensor', celsius: line.temperatureC }]);
  }
  return next as ProbeReading;
}

export type ReplayProbeOptions = {
  trace: Trace;
  clock: Clock;
  /** With timers, power events fire at their own instant rather than at the next sample. */
  timers?: Timers;
  /** Clock time of the trace's t=0 (default: when the probe is made). */
  startAt?: number;
};

/** Plays a recorded trace back against a clock: the reading at time T is the state at T. */
export class ReplayProbe implements PressureProbe {
  readonly name: string;
  private readonly trace: Trace;
  private readonly clock: Clock;
  private readonly timers: Timers | undefined;
  private readonly startAt: number;
  private readonly listeners = new Set<(e: ProbeEvent) => void>();
  private nextEvent = 0;
  private eventTimer: TimerHandle | undefined;

  constructor(options: ReplayProbeOptions) {
    this.trace = options.trace;
    this.clock = options.clock;
    this.timers = options.timers;
    this.startAt = options.startAt ?? options.clock.now();
    this.name = `replay:${options.trace.name}`;
  }

  async sample(): Promise<ProbeReading> {
    const elapsed = this.clock.now() - this.startAt;
    if (!this.timers) this.deliverEventsUntil(elapsed);
    let current: TraceStep | undefined;
    for (const step of this.trace.steps) {
      if (step.atMs > elapsed) break;
      current = step;
    }
    return { ...(current?.reading ?? {}) };
  }

  subscribe(listener: (e: ProbeEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.timers && this.eventTimer === undefined) this.armNextEvent();
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.eventTimer && this.timers) this.timers.clearTimeout(this.eventTimer);
    this.eventTimer = undefined;
    this.listeners.clear();
  }

  private armNextEvent(): void {
    const timers = this.timers!;
    while (this.nextEvent < this.trace.steps.length && !this.trace.steps[this.nextEvent]!.event) this.nextEvent++;
    const step = this.trace.steps[this.nextEvent];
    if (!step) return;
    const delay = Math.max(0, this.startAt + step.atMs - this.clock.now());
    this.eventTimer = timers.setTimeout(() => {
      this.eventTimer = undefined;
      this.nextEvent++;
      this.fire(step.event!);
      this.armNextEvent();
    }, delay);
  }

  private deliverEventsUntil(elapsed: number): void {
    while (this.nextEvent < this.trace.steps.length && this.trace.steps[this.nextEvent]!.atMs <= elapsed) {
      const step = this.trace.steps[this.nextEvent++]!;
      if (step.event) this.fire(step.event);
    }
  }

  private fire(kind: Exclude<ProbeEvent['kind'], 'changed'>): void {
    for (const l of this.listeners) l({ kind });
  }
}

import { PressureReading } from '../../../../shared/domain/scheduler';
import type { Logger } from '../../observability/logger';
import { systemTimers, type Timers } from '../timers';
import type { PressureProbe, ProbeEvent, ProbeField, ProbeReading, ProbeStatus } from '../types';

export type CombinedProbeOptions = {
  /** In order of trust: for each field, the first probe that reads it wins. */
  probes: PressureProbe[];
  logger: Logger;
  /** A probe slower than this is treated as having read nothing this time. */
  timeoutMs?: number;
  timers?: Timers;
};

const FIELDS: ProbeField[] = ['thermalState', 'speedLimit', 'temperatures', 'onBattery', 'batteryPercent', 'memoryPressure', 'memoryPressureLevel', 'memoryPressureDetail', 'cpuLoad'];

/**
 * Several probes behind one: every probe is sampled, each field is taken from the most trusted
 * probe that produced a valid value, and a probe that throws, hangs or returns garbage simply
 * contributes nothing. Only when every probe fails does the sample fail.
 */
export class CombinedProbe implements PressureProbe {
  readonly name = 'combined';
  private readonly probes: PressureProbe[];
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly timers: Timers;
  private statuses: ProbeStatus[];
  private readonly reported = new Set<string>();

  constructor(options: CombinedProbeOptions) {
    this.probes = options.probes;
    this.logger = options.logger;
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.timers = options.timers ?? systemTimers();
    this.statuses = this.probes.map((p) => ({ name: p.name, ok: true, detail: 'not sampled yet' }));
  }

  async sample(): Promise<ProbeReading> {
    const results = await Promise.allSettled(this.probes.map((p) => withTimeout(p.sample(), this.timeoutMs, p.name, this.timers)));
    const merged: ProbeReading = {};
    const statuses: ProbeStatus[] = [];
    let anyOk = false;
    results.forEach((result, i) => {
      const probe = this.probes[i]!;
      if (result.status === 'rejected') {
        const detail = result.reason instanceof Error ? result.reason.message : String(result.reason);
        statuses.push({ name: probe.name, ok: false, detail });
        this.reportOnce(probe.name, detail);
        return;
      }
      anyOk = true;
      this.reported.delete(probe.name);
      for (const field of FIELDS) {
        if (merged[field] !== undefined) continue;
        const value = clean(field, result.value[field]);
        if (value !== undefined) (merged as Record<ProbeField, unknown>)[field] = value;
      }
      statuses.push(...(probe.status?.() ?? [{ name: probe.name, ok: true }]));
    });
    this.statuses = statuses;
    if (!anyOk && this.probes.length > 0) throw new Error('no pressure probe could be read');
    return merged;
  }

  status(): ProbeStatus[] {
    return this.statuses;
  }

  subscribe(listener: (event: ProbeEvent) => void): () => void {
    const offs = this.probes.map((p) => p.subscribe?.(listener));
    return () => offs.forEach((off) => off?.());
  }

  close(): void {
    for (const p of this.probes) {
      try {
        p.close?.();
      } catch (e) {
        this.logger.debug({ err: e, probe: p.name }, 'probe close failed');
      }
    }
  }

  /** A broken probe is logged when it starts failing, not on every sample. */
  private reportOnce(name: string, detail: string): void {
    if (this.reported.has(name)) return;
    this.reported.add(name);
    this.logger.warn({ probe: name, detail }, 'pressure probe failed; using the others');
  }
}

/** A value of the wrong type or out of range counts as not read. */
function clean(field: ProbeField, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (field === 'temperatures') {
    if (!Array.isArray(value)) return undefined;
    const ok = value.filter((t) => PressureReading.shape.temperatures.unwrap().element.safeParse(t).success);
    return ok.length > 0 ? ok : undefined;
  }
  const parsed = PressureReading.shape[field].safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number, name: string, timers: Timers): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = timers.setTimeout(() => reject(new Error(`${name} did not answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        timers.clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        timers.clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

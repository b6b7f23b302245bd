import { battery, currentLoad, mem } from 'systeminformation';
import { z } from 'zod';
import type { PressureProbe, ProbeReading, ProbeStatus } from '../types';

/** The three systeminformation calls this probe uses; injectable so tests can feed odd values. */
export type SystemInfoSource = {
  currentLoad(): Promise<unknown>;
  mem(): Promise<unknown>;
  battery(): Promise<unknown>;
};

export const systemInformation: SystemInfoSource = { currentLoad, mem, battery };

// Library output is parsed like any other input: a field that is missing or odd is dropped.
const finite = z.number().finite();
const LoadData = z.object({ currentLoad: finite.min(0).max(100) });
const MemData = z.object({ total: finite.positive(), available: finite.min(0) });
const BatteryData = z.object({
  hasBattery: z.boolean(),
  acConnected: z.boolean().optional(),
  isCharging: z.boolean().optional(),
  percent: finite.optional(),
});

/** CPU load, memory pressure and power source through systeminformation, on every platform. */
export class SystemInformationProbe implements PressureProbe {
  readonly name = 'systeminformation';
  private readonly source: SystemInfoSource;
  private last: ProbeStatus = { name: 'systeminformation', ok: true, detail: 'not sampled yet' };

  constructor(options: { source?: SystemInfoSource } = {}) {
    this.source = options.source ?? systemInformation;
  }

  async sample(): Promise<ProbeReading> {
    const [load, memory, power] = await Promise.allSettled([this.source.currentLoad(), this.source.mem(), this.source.battery()]);
    const reading: ProbeReading = {};
    const l = load.status === 'fulfilled' ? LoadData.safeParse(load.value) : undefined;
    if (l?.success) reading.cpuLoad = l.data.currentLoad / 100;
    const m = memory.status === 'fulfilled' ? MemData.safeParse(memory.value) : undefined;
    if (m?.success) reading.memoryPressure = clamp01(1 - m.data.available / m.data.total);
    const b = power.status === 'fulfilled' ? BatteryData.safeParse(power.value) : undefined;
    if (b?.success) {
      if (!b.data.hasBattery) {
        // A machine without a battery runs on mains power.
        reading.onBattery = false;
      } else {
        const onAc = b.data.acConnected ?? b.data.isCharging;
        if (onAc !== undefined) reading.onBattery = !onAc;
        if (b.data.percent !== undefined && b.data.percent >= 0 && b.data.percent <= 100) reading.batteryPercent = b.data.percent;
      }
    }
    const got = Object.keys(reading);
    this.last = { name: this.name, ok: got.length > 0, detail: got.length > 0 ? `read ${got.join(', ')}` : 'nothing readable' };
    return reading;
  }

  status(): ProbeStatus[] {
    return [this.last];
  }
}

const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

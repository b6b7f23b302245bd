import { battery } from 'systeminformation';
import { z } from 'zod';
import type { PressureProbe, ProbeReading, ProbeStatus } from '../types';
import { cpuLoadReader } from './cpu-load';

/** The systeminformation calls this probe uses; injectable so tests can feed odd values. */
export type SystemInfoSource = {
  currentLoad(): Promise<unknown>;
  battery(): Promise<unknown>;
};

/** Load from the kernel's counters in-process (see cpu-load.ts); the power source from systeminformation. */
export const systemInformation = (): SystemInfoSource => ({ currentLoad: cpuLoadReader(), battery });

// Library output is parsed like any other input: a field that is missing or odd is dropped.
const finite = z.number().finite();
const LoadData = z.object({ currentLoad: finite.min(0).max(100) });
const BatteryData = z.object({
  hasBattery: z.boolean(),
  acConnected: z.boolean().optional(),
  isCharging: z.boolean().optional(),
  percent: finite.optional(),
});

/** CPU load and power source through systeminformation, on every platform. */
export class SystemInformationProbe implements PressureProbe {
  readonly name = 'systeminformation';
  private readonly source: SystemInfoSource;
  private last: ProbeStatus = { name: 'systeminformation', ok: true, detail: 'not sampled yet' };

  constructor(options: { source?: SystemInfoSource } = {}) {
    this.source = options.source ?? systemInformation();
  }

  async sample(): Promise<ProbeReading> {
    // No memory figure: used/total counts the app's own loaded model, so memory pressure comes from
    // the OS's own signal (LinuxPsiProbe, MacPressureProbe) instead.
    const [load, power] = await Promise.allSettled([this.source.currentLoad(), this.source.battery()]);
    const reading: ProbeReading = {};
    const l = load.status === 'fulfilled' ? LoadData.safeParse(load.value) : undefined;
    if (l?.success) reading.cpuLoad = l.data.currentLoad / 100;
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


import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../observability/logger';
import { ManualProbe } from '../testing';
import { FakeClock } from '../timers';
import type { PressureProbe, ProbeReading } from '../types';
import { CombinedProbe } from './combined-probe';
import { cpuLoadReader } from './cpu-load';
import { SystemInformationProbe, type SystemInfoSource } from './systeminformation-probe';

const hanging: PressureProbe = { name: 'hanging', sample: () => new Promise<ProbeReading>(() => undefined) };

describe('CombinedProbe', () => {
  it('takes each field from the most trusted probe that read it', async () => {
    const power = new ManualProbe({ thermalState: 'fair', onBattery: true }, 'powerMonitor');
    const si = new ManualProbe({ onBattery: false, memoryPressure: 0.5, cpuLoad: 0.3 }, 'systeminformation');
    const probe = new CombinedProbe({ probes: [power, si], logger: silentLogger() });
    expect(await probe.sample()).toEqual({ thermalState: 'fair', onBattery: true, memoryPressure: 0.5, cpuLoad: 0.3 });
  });

  it('drops values of the wrong type or out of range and lets the next probe fill them', async () => {
    const odd = new ManualProbe(
      {
        memoryPressure: Number.NaN,
        cpuLoad: 7,
        speedLimit: -5,
        thermalState: 'melting' as never,
        temperatures: [{ source: 'x', label: 'bad', celsius: Number.POSITIVE_INFINITY }, { source: 'x', label: 'good', celsius: 50 }],
      },
      'odd',
    );
    const sane = new ManualProbe({ memoryPressure: 0.4 }, 'sane');
    const probe = new CombinedProbe({ probes: [odd, sane], logger: silentLogger() });
    expect(await probe.sample()).toEqual({ memoryPressure: 0.4, temperatures: [{ source: 'x', label: 'good', celsius: 50 }] });
  });

  it('carries on without a probe that throws or hangs, and says which one failed', async () => {
    const clock = new FakeClock();
    const broken = new ManualProbe({}, 'broken');
    broken.failWith = new Error('sensor bus error');
    const good = new ManualProbe({ memoryPressure: 0.7 }, 'good');
    const probe = new CombinedProbe({ probes: [broken, hanging, good], logger: silentLogger(), timers: clock, timeoutMs: 2_000 });
    const pending = probe.sample();
    await clock.advance(2_000);
    expect(await pending).toEqual({ memoryPressure: 0.7 });
    expect(probe.status()).toEqual([
      { name: 'broken', ok: false, detail: 'sensor bus error' },
      { name: 'hanging', ok: false, detail: 'hanging did not answer within 2000 ms' },
      { name: 'good', ok: true },
    ]);
  });

  it('fails the sample only when every probe fails, so the scheduler keeps its level', async () => {
    const broken = new ManualProbe({}, 'broken');
    broken.failWith = new Error('gone');
    await expect(new CombinedProbe({ probes: [broken], logger: silentLogger() }).sample()).rejects.toThrow('no pressure probe');
  });

  it('forwards power events from every probe', () => {
    const a = new ManualProbe({}, 'a');
    const b = new ManualProbe({}, 'b');
    const probe = new CombinedProbe({ probes: [a, b], logger: silentLogger() });
    const seen: string[] = [];
    const off = probe.subscribe((e) => seen.push(e.kind));
    a.emit({ kind: 'suspend' });
    b.emit({ kind: 'resume' });
    off();
    a.emit({ kind: 'shutdown' });
    expect(seen).toEqual(['suspend', 'resume']);
  });
});

describe('SystemInformationProbe', () => {
  const source = (over: Partial<Record<keyof SystemInfoSource, () => Promise<unknown>>>): SystemInfoSource => ({
    currentLoad: async () => ({ currentLoad: 42 }),
    battery: async () => ({ hasBattery: true, acConnected: false, percent: 63 }),
    ...over,
  });

  it('turns load and battery into a reading, and never memory used/total (a loaded model is not pressure)', async () => {
    expect(await new SystemInformationProbe({ source: source({}) }).sample()).toEqual({
      cpuLoad: 0.42,
      onBattery: true,
      batteryPercent: 63,
    });
  });

  it('leaves out what is missing or odd instead of guessing', async () => {
    const probe = new SystemInformationProbe({
      source: source({
        currentLoad: async () => ({ currentLoad: Number.NaN }),
        battery: async () => {
          throw new Error('no power supply class');
        },
      }),
    });
    expect(await probe.sample()).toEqual({});
    expect(probe.status()[0]).toMatchObject({ ok: false, detail: 'nothing readable' });
  });

  it('treats a machine without a battery as on mains power', async () => {
    const reading = await new SystemInformationProbe({ source: source({ battery: async () => ({ hasBattery: false, acConnected: true, percent: 0 }) }) }).sample();
    expect(reading.onBattery).toBe(false);
    expect(reading.batteryPercent).toBeUndefined();
  });

  it('reads CPU load from the kernel counters as busy time over the time between samples', async () => {
    const core = (user: number, idle: number) => ({ model: 'cpu', speed: 1, times: { user, nice: 0, sys: 0, idle, irq: 0 } });
    const samples = [[core(100, 900), core(100, 900)], [core(150, 950), core(200, 900)]];
    const read = cpuLoadReader(() => samples.shift()!);
    expect((await read()).currentLoad).toBeCloseTo(10);
    // Between the two samples: 150 busy of 200 ticks.
    expect((await read()).currentLoad).toBeCloseTo(75);
  });

  it('reads this machine without failing', async () => {
    const reading = await new SystemInformationProbe().sample();
    expect(reading.memoryPressure).toBeUndefined();
    expect(reading.cpuLoad).toBeGreaterThanOrEqual(0);
  });
});

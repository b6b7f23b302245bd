import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify } from '../levels';
import { DEFAULT_SCHEDULER_SETTINGS } from '../settings';
import { simulate } from '../simulation';
import { osPressureProbes } from './default-probe';
import { LinuxPsiProbe, MacPressureProbe, type RunCommand } from './os-pressure-probe';
import { parsePmsetTherm, parsePsi, parseThermalPressure, parseVmPressureLevel, pmsetThermalState, psiMemoryLevel } from './os-signals';
import { parseTrace } from './replay-probe';

const TRACES = join(__dirname, '..', '..', '..', '..', '..', 'resources', 'traces');
const load = (name: string) => parseTrace(readFileSync(join(TRACES, name), 'utf8'), name);

/** `pmset -g therm` on an Intel MacBook Pro that throttles (as posted on Ask Different). */
const PMSET_THROTTLED = `Note: No thermal warning level has been recorded
Note: No performance warning level has been recorded
2020-11-24 13:10:40 +0100 CPU Power notify
    CPU_Scheduler_Limit     = 100
    CPU_Available_CPUs  = 8
    CPU_Speed_Limit     = 35
`;
/** `pmset -g therm` on Apple Silicon: nothing recorded at all. */
const PMSET_APPLE_SILICON = `Note: No thermal warning level has been recorded
Note: No performance warning level has been recorded
Note: No CPU power status has been recorded
`;

describe('OS pressure parsers, on the text the OS prints', () => {
  it('reads Linux PSI (/proc/pressure/memory) and bands it', () => {
    const idle = parsePsi('some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n');
    expect(idle).toEqual({ some: { avg10: 0, avg60: 0, avg300: 0, total: 0 }, full: { avg10: 0, avg60: 0, avg300: 0, total: 0 } });
    const level = (some: number, full: number) =>
      psiMemoryLevel(parsePsi(`some avg10=${some.toFixed(2)} avg60=1.00 avg300=0.50 total=123456\nfull avg10=${full.toFixed(2)} avg60=0.10 avg300=0.01 total=4567\n`)!).level;
    expect([level(0, 0), level(4.99, 0), level(5, 0), level(24, 1.99), level(25, 0), level(10, 2), level(60, 9.99), level(60, 10)]).toEqual([
      'nominal',
      'nominal',
      'fair',
      'fair',
      'serious',
      'serious',
      'serious',
      'critical',
    ]);
    // Kernels before 5.13 print no `full` line for memory on some configurations.
    expect(parsePsi('some avg10=12.50 avg60=3.00 avg300=1.00 total=99')?.full).toBeNull();
    expect(parsePsi('MemTotal: 32791560 kB')).toBeUndefined();
    expect(parsePsi('some avg10=250.00 avg60=0.00 avg300=0.00 total=0')).toBeUndefined();
  });

  it('reads the macOS kernel memory pressure level (sysctl)', () => {
    expect(parseVmPressureLevel('1\n')).toMatchObject({ level: 'nominal' });
    expect(parseVmPressureLevel('kern.memorystatus_vm_pressure_level: 2\n')).toMatchObject({ level: 'serious', detail: expect.stringContaining('warning') });
    expect(parseVmPressureLevel('4')).toMatchObject({ level: 'critical' });
    expect(parseVmPressureLevel('3')).toBeUndefined();
    expect(parseVmPressureLevel('sysctl: unknown oid')).toBeUndefined();
  });

  it('reads `pmset -g therm`: speed limit, and a recorded warning level as a thermal state', () => {
    expect(parsePmsetTherm(PMSET_THROTTLED)).toEqual({ thermalWarningLevel: null, performanceWarningLevel: null, cpuSpeedLimit: 35, cpuSchedulerLimit: 100, availableCpus: 8 });
    expect(pmsetThermalState(parsePmsetTherm(PMSET_THROTTLED))).toBeUndefined();
    expect(parsePmsetTherm(PMSET_APPLE_SILICON)).toMatchObject({ thermalWarningLevel: null, cpuSpeedLimit: null });
    const warned = (n: number) => pmsetThermalState(parsePmsetTherm(`Thermal warning level set to ${n}.\nNote: No performance warning level has been recorded\n`));
    expect([warned(0), warned(3), warned(5), warned(10)]).toEqual(['nominal', 'fair', 'serious', 'critical']);
  });

  it('reads the Apple Silicon thermal pressure notification (notifyutil)', () => {
    const levels = [0, 1, 2, 3, 4].map((n) => parseThermalPressure(`com.apple.system.thermalpressurelevel ${n}\n`)?.level);
    expect(levels).toEqual(['nominal', 'fair', 'serious', 'critical', 'critical']);
    expect(parseThermalPressure('2')).toMatchObject({ level: 'serious', detail: 'macOS thermal pressure heavy' });
    expect(parseThermalPressure('com.apple.system.thermalpressurelevel 9')).toBeUndefined();
  });
});

describe('OS pressure probes', () => {
  it('gives a Mac without Electron thermal state, speed limit and memory pressure', async () => {
    const outputs: Record<string, string> = {
      '/usr/bin/pmset': PMSET_THROTTLED,
      '/usr/bin/notifyutil': 'com.apple.system.thermalpressurelevel 1\n',
      '/usr/sbin/sysctl': '2\n',
    };
    const run: RunCommand = async (file) => {
      const out = outputs[file];
      if (out === undefined) throw new Error(`${file}: not found`);
      return out;
    };
    const probe = new MacPressureProbe({ run });
    expect(await probe.sample()).toEqual({ thermalState: 'fair', speedLimit: 35, memoryPressureLevel: 'serious', memoryPressureDetail: 'macOS memory pressure level 2 (warning)' });
    // A missing tool costs only its own fields.
    delete outputs['/usr/bin/notifyutil'];
    expect(await probe.sample()).toEqual({ speedLimit: 35, memoryPressureLevel: 'serious', memoryPressureDetail: expect.any(String) });
    const dead = new MacPressureProbe({ run: () => Promise.reject(new Error('ENOENT')) });
    expect(await dead.sample()).toEqual({});
    expect(dead.status()[0]).toMatchObject({ ok: false });
  });

  it('reads PSI from the file, and says so when the kernel has none', async () => {
    const probe = new LinuxPsiProbe({ read: async () => 'some avg10=31.72 avg60=14.05 avg300=3.61 total=29811030\nfull avg10=6.48 avg60=2.71 avg300=0.66 total=7710021\n' });
    expect(await probe.sample()).toEqual({ memoryPressureLevel: 'serious', memoryPressureDetail: 'Linux PSI memory: some avg10 31.72%, full avg10 6.48%' });
    const missing = new LinuxPsiProbe({ file: '/nonexistent/pressure/memory' });
    expect(await missing.sample()).toEqual({});
    expect(missing.status()[0]).toMatchObject({ ok: false, detail: expect.stringContaining('memory pressure unknown') });
  });

  it('puts the OS probe in the default set: a headless Mac reads pmset, Linux reads PSI', () => {
    expect(osPressureProbes('darwin').map((p) => p.name)).toEqual(['macos-pressure']);
    expect(osPressureProbes('linux').map((p) => p.name)).toEqual(['linux-psi']);
    expect(osPressureProbes('win32')).toEqual([]);
  });

  it.runIf(process.platform === 'linux')('reads this machine’s real /proc/pressure/memory when the kernel has PSI', async () => {
    const probe = new LinuxPsiProbe();
    const reading = await probe.sample();
    if (probe.status()[0]!.ok) expect(reading.memoryPressureLevel).toMatch(/^(nominal|fair|serious|critical)$/);
    else expect(reading).toEqual({});
  });
});

describe('replayed traces of real OS output', () => {
  const levelsAt = (name: string) => {
    const trace = load(name);
    return new Map(trace.steps.map((s) => [s.atMs / 1000, classify(s.reading, DEFAULT_SCHEDULER_SETTINGS)]));
  };

  it('MacBook Air M2: a loaded model (91 % used) is no pressure; the kernel’s warning and the thermal pressure are', async () => {
    const at = levelsAt('macbook-air-m2-pressure.jsonl');
    expect(at.get(120)).toMatchObject({ level: 'nominal' });
    expect(at.get(120)!.reason).toContain('memory pressure nominal (macOS memory pressure level 1 (normal))');
    expect(at.get(600)).toMatchObject({ level: 'serious', reason: expect.stringContaining('thermal state serious') });
    expect(at.get(840)).toMatchObject({ level: 'critical' });
    expect(at.get(1380)).toMatchObject({ level: 'critical', reason: expect.stringContaining('memory pressure critical') });
    expect(at.get(1500)).toMatchObject({ level: 'nominal' });
    const report = await simulate({ trace: load('macbook-air-m2-pressure.jsonl') });
    expect(report.admittedWhileCritical).toBe(0);
    expect(report.timeInLevelMs.critical).toBeGreaterThan(0);
    expect(report.interactiveAtCritical).toBeGreaterThan(0);
  });

  it('Intel MacBook Pro: pmset’s speed limit and warning level drive the level on a headless host', async () => {
    const at = levelsAt('intel-macbook-pro-pmset.jsonl');
    expect([0, 240, 420, 600, 780, 900, 1080, 1320].map((t) => at.get(t)!.level)).toEqual(['nominal', 'fair', 'fair', 'serious', 'critical', 'critical', 'fair', 'nominal']);
    expect(at.get(600)!.reason).toContain('CPU speed limited to 68%');
    const report = await simulate({ trace: load('intel-macbook-pro-pmset.jsonl') });
    expect(report.admittedWhileCritical).toBe(0);
    expect(report.pauses).toBeGreaterThanOrEqual(1);
  });

  it('Linux: PSI stalls, not a big resident model, raise memory pressure', async () => {
    const at = levelsAt('linux-psi-memory.jsonl');
    expect([0, 60, 300, 360, 420, 480, 540, 600, 720].map((t) => at.get(t)!.level)).toEqual(['nominal', 'nominal', 'nominal', 'fair', 'serious', 'critical', 'serious', 'nominal', 'nominal']);
    const report = await simulate({ trace: load('linux-psi-memory.jsonl') });
    expect(report.timeInLevelMs.critical).toBeGreaterThan(0);
    expect(report.admittedWhileCritical).toBe(0);
  });
});

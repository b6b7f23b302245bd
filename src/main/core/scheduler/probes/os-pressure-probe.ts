import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { PressureProbe, ProbeReading, ProbeStatus } from '../types';
import { parsePmsetTherm, parsePsi, parseThermalPressure, parseVmPressureLevel, pmsetThermalState, psiMemoryLevel } from './os-signals';

/** Runs a program and resolves with its stdout; rejects on failure or after `timeoutMs`. */
export type RunCommand = (file: string, args: readonly string[], timeoutMs: number) => Promise<string>;

export const runCommand: RunCommand = (file, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { timeout: timeoutMs, maxBuffer: 64 * 1024, env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin', LC_ALL: 'C' } }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  });

const COMMAND_TIMEOUT_MS = 1_500;

/** Linux: memory pressure from the kernel's PSI file (absent before 4.20 or without CONFIG_PSI). */
export class LinuxPsiProbe implements PressureProbe {
  readonly name = 'linux-psi';
  private last: ProbeStatus = { name: this.name, ok: true, detail: 'not sampled yet' };

  constructor(private readonly options: { file?: string; read?: (file: string) => Promise<string> } = {}) {}

  async sample(): Promise<ProbeReading> {
    const file = this.options.file ?? '/proc/pressure/memory';
    let text: string;
    try {
      text = await (this.options.read ?? ((f) => readFile(f, 'utf8')))(file);
    } catch (e) {
      this.last = { name: this.name, ok: false, detail: `${file} unreadable (${e instanceof Error ? e.message : String(e)}); memory pressure unknown` };
      return {};
    }
    const reading = psiReadingFromText(text);
    if (!reading) {
      this.last = { name: this.name, ok: false, detail: `${file} is not in PSI format` };
      return {};
    }
    this.last = { name: this.name, ok: true, detail: reading.memoryPressureDetail ?? 'read' };
    return reading;
  }

  status(): ProbeStatus[] {
    return [this.last];
  }
}

/**
 * macOS without Electron (the headless host, the CLI): thermal state and CPU speed limit from
 * `pmset -g therm` and the thermal pressure notification, memory pressure from the kernel's
 * level. In the desktop app, powerMonitor comes first and this fills in what it lacks.
 */
export class MacPressureProbe implements PressureProbe {
  readonly name = 'macos-pressure';
  private last: ProbeStatus = { name: this.name, ok: true, detail: 'not sampled yet' };
  private readonly run: RunCommand;

  constructor(options: { run?: RunCommand } = {}) {
    this.run = options.run ?? runCommand;
  }

  async sample(): Promise<ProbeReading> {
    const [therm, pressure, memory] = await Promise.allSettled([
      this.run('/usr/bin/pmset', ['-g', 'therm'], COMMAND_TIMEOUT_MS),
      this.run('/usr/bin/notifyutil', ['-g', 'com.apple.system.thermalpressurelevel'], COMMAND_TIMEOUT_MS),
      this.run('/usr/sbin/sysctl', ['-n', 'kern.memorystatus_vm_pressure_level'], COMMAND_TIMEOUT_MS),
    ]);
    const text = (r: PromiseSettledResult<string>) => (r.status === 'fulfilled' ? r.value : undefined);
    const { reading, details } = macReadingFromText({ pmsetTherm: text(therm), thermalPressure: text(pressure), vmPressureLevel: text(memory) });
    this.last = details.length > 0 ? { name: this.name, ok: true, detail: details.join('; ') } : { name: this.name, ok: false, detail: 'pmset, notifyutil and sysctl gave nothing readable' };
    return reading;
  }

  status(): ProbeStatus[] {
    return [this.last];
  }
}

/**
 * What a Mac's three outputs say, as a reading: the live probe and replayed traces both go through
 * here, so a recorded trace exercises exactly the parsing a real Mac gets.
 */
export function macReadingFromText(texts: { pmsetTherm?: string | undefined; thermalPressure?: string | undefined; vmPressureLevel?: string | undefined }): {
  reading: ProbeReading;
  details: string[];
} {
  const reading: ProbeReading = {};
  const details: string[] = [];
  const thermalPressure = texts.thermalPressure !== undefined ? parseThermalPressure(texts.thermalPressure) : undefined;
  if (thermalPressure) {
    reading.thermalState = thermalPressure.level;
    details.push(thermalPressure.detail);
  }
  if (texts.pmsetTherm !== undefined) {
    const parsed = parsePmsetTherm(texts.pmsetTherm);
    const state = pmsetThermalState(parsed);
    // The worse of the two thermal signals: pmset's warning level is what older Macs report.
    if (state && (!reading.thermalState || rank(state) > rank(reading.thermalState))) reading.thermalState = state;
    if (parsed.thermalWarningLevel !== null) details.push(`pmset thermal warning level ${parsed.thermalWarningLevel}`);
    if (parsed.cpuSpeedLimit !== null) {
      reading.speedLimit = Math.min(100, Math.max(0, parsed.cpuSpeedLimit));
      details.push(`CPU speed limit ${parsed.cpuSpeedLimit}%`);
    }
  }
  const mem = texts.vmPressureLevel !== undefined ? parseVmPressureLevel(texts.vmPressureLevel) : undefined;
  if (mem) {
    reading.memoryPressureLevel = mem.level;
    reading.memoryPressureDetail = mem.detail;
    details.push(mem.detail);
  }
  return { reading, details };
}

/** What /proc/pressure/memory says, as a reading (undefined when it is not PSI). */
export function psiReadingFromText(text: string): ProbeReading | undefined {
  const psi = parsePsi(text);
  if (!psi) return undefined;
  const signal = psiMemoryLevel(psi);
  return { memoryPressureLevel: signal.level, memoryPressureDetail: signal.detail };
}

const ORDER = ['nominal', 'fair', 'serious', 'critical'];
const rank = (l: string) => ORDER.indexOf(l);

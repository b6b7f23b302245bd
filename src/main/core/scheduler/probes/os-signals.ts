import type { PressureLevel } from '../../../../shared/domain/scheduler';

/**
 * The operating system's own pressure signals, parsed from the text the OS gives: Linux PSI
 * (/proc/pressure/memory), and on macOS `pmset -g therm`, `sysctl kern.memorystatus_vm_pressure_level`
 * and `notifyutil -g com.apple.system.thermalpressurelevel`. Memory pressure comes from these,
 * never from used/total memory: a loaded model fills memory without the kernel being short of it,
 * and the app must not throttle itself for its own model.
 */

export type OsSignal = { level: PressureLevel; detail: string };

// ---- Linux PSI ---------------------------------------------------------------------------------

export type PsiLine = { avg10: number; avg60: number; avg300: number; total: number };
export type Psi = { some: PsiLine; full: PsiLine | null };

/**
 * `some avg10=0.00 avg60=0.00 avg300=0.00 total=0` and (kernel 5.13+ for memory, always since)
 * `full …`. Undefined when the text is not PSI.
 */
export function parsePsi(text: string): Psi | undefined {
  const lines = new Map<string, PsiLine>();
  for (const raw of text.split('\n')) {
    const m = /^(some|full)\s+avg10=([\d.]+)\s+avg60=([\d.]+)\s+avg300=([\d.]+)\s+total=(\d+)\s*$/.exec(raw.trim());
    if (!m) continue;
    const line = { avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), total: Number(m[5]) };
    if ([line.avg10, line.avg60, line.avg300].some((v) => !Number.isFinite(v) || v < 0 || v > 100)) return undefined;
    lines.set(m[1]!, line);
  }
  const some = lines.get('some');
  return some ? { some, full: lines.get('full') ?? null } : undefined;
}

/**
 * Share of the last 10 s in which tasks stalled on memory: `some` (at least one task waited) and
 * `full` (every non-idle task waited at once: the machine did no work). Any `full` stall means
 * the kernel is reclaiming hard; these bands are this app's choice (docs/scheduler-mac-manual-check.md).
 */
export const PSI_THRESHOLDS = { fairSome: 5, seriousSome: 25, seriousFull: 2, criticalFull: 10 } as const;

export function psiMemoryLevel(psi: Psi): OsSignal {
  const some = psi.some.avg10;
  const full = psi.full?.avg10 ?? 0;
  const detail = `Linux PSI memory: some avg10 ${some.toFixed(2)}%, full avg10 ${full.toFixed(2)}%`;
  const t = PSI_THRESHOLDS;
  if (full >= t.criticalFull) return { level: 'critical', detail };
  if (full >= t.seriousFull || some >= t.seriousSome) return { level: 'serious', detail };
  if (some >= t.fairSome) return { level: 'fair', detail };
  return { level: 'nominal', detail };
}

// ---- macOS memory pressure ---------------------------------------------------------------------

/**
 * `sysctl -n kern.memorystatus_vm_pressure_level` (or `sysctl kern.memorystatus_vm_pressure_level`
 * with the name): the kernel's own level, the one Activity Monitor's memory pressure graph shows —
 * 1 normal (green), 2 warning (yellow: compressing and swapping), 4 critical (red).
 */
export function parseVmPressureLevel(text: string): OsSignal | undefined {
  const m = /^(?:kern\.memorystatus_vm_pressure_level\s*[:=]\s*)?(\d+)\s*$/.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  const detail = `macOS memory pressure level ${value}`;
  if (value === 1) return { level: 'nominal', detail: `${detail} (normal)` };
  if (value === 2) return { level: 'serious', detail: `${detail} (warning)` };
  if (value === 4) return { level: 'critical', detail: `${detail} (critical)` };
  return undefined;
}

// ---- macOS thermal -----------------------------------------------------------------------------

export type PmsetTherm = {
  /** IOPMGetThermalWarningLevel as pmset prints it; null when none has been recorded. */
  thermalWarningLevel: number | null;
  performanceWarningLevel: number | null;
  /** CPU_Speed_Limit in percent; null when no CPU power status has been recorded (Apple Silicon). */
  cpuSpeedLimit: number | null;
  cpuSchedulerLimit: number | null;
  availableCpus: number | null;
};

/**
 * `pmset -g therm`, e.g. on an Intel MacBook that throttles:
 *   Note: No thermal warning level has been recorded
 *   Note: No performance warning level has been recorded
 *   2020-11-24 13:10:40 +0100 CPU Power notify
 *       CPU_Scheduler_Limit     = 100
 *       CPU_Available_CPUs  = 8
 *       CPU_Speed_Limit     = 35
 * A recorded warning reads `Thermal warning level set to 5.` (or `Thermal Warning Level: 5`).
 */
export function parsePmsetTherm(text: string): PmsetTherm {
  const num = (re: RegExp): number | null => {
    const m = re.exec(text);
    if (!m) return null;
    const v = Number(m[1]);
    return Number.isFinite(v) ? v : null;
  };
  return {
    thermalWarningLevel: /no thermal warning level has been recorded/i.test(text) ? null : num(/thermal warning level(?:\s+set to|\s*[:=])\s*(\d+)/i),
    performanceWarningLevel: /no performance warning level has been recorded/i.test(text) ? null : num(/performance warning level(?:\s+set to|\s*[:=])\s*(\d+)/i),
    cpuSpeedLimit: num(/CPU_Speed_Limit\s*=\s*(\d+)/),
    cpuSchedulerLimit: num(/CPU_Scheduler_Limit\s*=\s*(\d+)/),
    availableCpus: num(/CPU_Available_CPUs\s*=\s*(\d+)/),
  };
}

/**
 * The thermal state a pmset warning level stands for (IOPMLib: 0 normal, 5 danger, 10 crisis;
 * other values are only seen on older machines and are read as at least fair). Undefined when no
 * warning has been recorded: then the speed limit (and the pressure level below) speak.
 */
export function pmsetThermalState(therm: PmsetTherm): PressureLevel | undefined {
  const w = therm.thermalWarningLevel;
  if (w === null) return undefined;
  if (w <= 0) return 'nominal';
  if (w >= 10) return 'critical';
  if (w >= 5) return 'serious';
  return 'fair';
}

/**
 * `notifyutil -g com.apple.system.thermalpressurelevel` → `com.apple.system.thermalpressurelevel 2`:
 * the thermal pressure Apple Silicon reports (0 nominal, 1 moderate, 2 heavy, 3 trapping, 4 sleeping),
 * the same signal NSProcessInfo.thermalState is built from.
 */
export function parseThermalPressure(text: string): OsSignal | undefined {
  const m = /^(?:com\.apple\.system\.thermalpressurelevel\s+)?(\d+)\s*$/.exec(text.trim());
  if (!m) return undefined;
  const value = Number(m[1]);
  const names = ['nominal', 'moderate', 'heavy', 'trapping', 'sleeping'];
  const levels: PressureLevel[] = ['nominal', 'fair', 'serious', 'critical', 'critical'];
  if (value < 0 || value >= levels.length) return undefined;
  return { level: levels[value]!, detail: `macOS thermal pressure ${names[value]}` };
}

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * Cores that inference threads should use: on a Mac the performance cores (efficiency cores slow a
 * llama.cpp thread pool down to their pace), on Linux the physical cores (a hyper-thread sibling
 * adds no matrix throughput), elsewhere the logical processors. Never fewer than one.
 */
export function performanceCores(platform: NodeJS.Platform = process.platform): number {
  try {
    if (platform === 'darwin') {
      const perf = Number(execFileSync('sysctl', ['-n', 'hw.perflevel0.physicalcpu'], { encoding: 'utf8', timeout: 2000 }).trim());
      if (Number.isInteger(perf) && perf > 0) return perf;
      const physical = Number(execFileSync('sysctl', ['-n', 'hw.physicalcpu'], { encoding: 'utf8', timeout: 2000 }).trim());
      if (Number.isInteger(physical) && physical > 0) return physical;
    } else if (platform === 'linux') {
      const physical = physicalCoresFromCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
      if (physical > 0) return Math.min(physical, availableParallelism());
    }
  } catch {
    // No sysctl or /proc: fall back to what Node sees.
  }
  return Math.max(1, availableParallelism());
}

/** Distinct (physical id, core id) pairs in /proc/cpuinfo; 0 when the file does not say. */
export function physicalCoresFromCpuinfo(text: string): number {
  const cores = new Set<string>();
  for (const block of text.split(/\n\s*\n/)) {
    const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1] ?? '0';
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (core !== undefined) cores.add(`${physical}:${core}`);
  }
  return cores.size;
}

import { cpus as osCpus, type CpuInfo } from 'node:os';

type Totals = { busy: number; total: number };

function totals(cpus: readonly CpuInfo[]): Totals {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    busy += all - times.idle;
    total += all;
  }
  return { busy, total };
}

/**
 * CPU load in percent over the time since the previous call (since boot on the first), from the
 * kernel's per-core counters that `os.cpus()` returns. It replaces systeminformation's currentLoad,
 * which on Linux runs `cat /proc/stat | grep cpu` through execSync on every sample: the main event
 * loop (the app's API, streams, IPC) then stood still for tens of milliseconds every five seconds.
 */
export function cpuLoadReader(cpus: () => readonly CpuInfo[] = osCpus): () => Promise<{ currentLoad: number }> {
  let last: Totals = { busy: 0, total: 0 };
  return async () => {
    const now = totals(cpus());
    const busy = now.busy - last.busy;
    const total = now.total - last.total;
    last = now;
    return { currentLoad: total > 0 ? Math.min(100, Math.max(0, (busy / total) * 100)) : 0 };
  };
}

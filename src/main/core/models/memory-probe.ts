import { totalmem } from 'node:os';
import { mem as readMemory } from 'systeminformation';
import type { MachineSnapshot } from './fit';

/** What the fit check asks about the machine; tests pass fixed numbers. */
export interface MemoryProbe {
  read(): Promise<MachineSnapshot>;
}

/**
 * The real machine: total memory from the OS and "available" (free plus reclaimable caches) from
 * systeminformation, which reads the right counters on macOS, where `os.freemem()` leaves out the
 * inactive pages the kernel gives back on demand.
 */
export function systemMemoryProbe(gpu: () => Promise<string>): MemoryProbe {
  return {
    async read() {
      const total = totalmem();
      let available: number;
      try {
        const mem = await readMemory();
        available = mem.available > 0 ? mem.available : mem.free;
      } catch {
        available = total / 2;
      }
      let backend = 'cpu';
      try {
        backend = await gpu();
      } catch {
        // The binding failed to load; loads will fail with their own message.
      }
      return { totalBytes: total, availableBytes: available, gpu: backend };
    },
  };
}

/** Fixed numbers, for tests and for what-if views. */
export function fixedMemoryProbe(snapshot: MachineSnapshot): MemoryProbe {
  return { read: async () => ({ ...snapshot }) };
}

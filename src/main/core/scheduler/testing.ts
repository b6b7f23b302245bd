import type { PressureProbe, ProbeEvent, ProbeReading } from './types';

/**
 * A probe whose reading a test (or a demo) sets by hand, and which can raise power events.
 * Not a mock of anything: it is the smallest real PressureProbe.
 */
export class ManualProbe implements PressureProbe {
  readonly name: string;
  reading: ProbeReading;
  failWith: Error | undefined;
  samples = 0;
  private readonly listeners = new Set<(e: ProbeEvent) => void>();

  constructor(reading: ProbeReading = {}, name = 'manual') {
    this.reading = reading;
    this.name = name;
  }

  async sample(): Promise<ProbeReading> {
    this.samples++;
    if (this.failWith) throw this.failWith;
    return { ...this.reading };
  }

  subscribe(listener: (e: ProbeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: ProbeEvent): void {
    for (const l of this.listeners) l(event);
  }
}

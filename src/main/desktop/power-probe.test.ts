import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ProbeEvent } from '../core/scheduler/types';
import { createPowerProbe, type PowerMonitorLike } from './power-probe';

/** Stands in for Electron's powerMonitor: an EventEmitter with the two getters the probe reads. */
function fakeMonitor(thermal: string, onBattery: boolean) {
  const emitter = new EventEmitter();
  const monitor = Object.assign(emitter, {
    getCurrentThermalState: () => thermal,
    isOnBatteryPower: () => onBattery,
  });
  return { emitter, monitor: monitor as unknown as PowerMonitorLike };
}

describe('createPowerProbe', () => {
  it('reads the thermal state and power source, then follows powerMonitor events', async () => {
    const { emitter, monitor } = fakeMonitor('fair', false);
    const probe = createPowerProbe(monitor, 'darwin');
    const events: ProbeEvent['kind'][] = [];
    probe.subscribe?.((e) => events.push(e.kind));
    expect(await probe.sample()).toEqual({ thermalState: 'fair', onBattery: false });

    emitter.emit('thermal-state-change', { state: 'serious' });
    emitter.emit('speed-limit-change', { limit: 70 });
    emitter.emit('on-battery');
    expect(await probe.sample()).toEqual({ thermalState: 'serious', speedLimit: 70, onBattery: true });

    emitter.emit('thermal-state-change', { state: 'unknown' });
    emitter.emit('speed-limit-change', { limit: Number.NaN });
    emitter.emit('on-ac');
    expect(await probe.sample()).toEqual({ speedLimit: 70, onBattery: false });

    emitter.emit('suspend');
    emitter.emit('resume');
    emitter.emit('shutdown');
    expect(events).toEqual(['changed', 'changed', 'changed', 'changed', 'changed', 'changed', 'suspend', 'resume', 'shutdown']);
  });

  it('reports no thermal state off macOS and removes its listeners on close', async () => {
    const { emitter, monitor } = fakeMonitor('nominal', false);
    const probe = createPowerProbe(monitor, 'linux');
    expect(await probe.sample()).toEqual({ onBattery: false });
    expect(emitter.listenerCount('suspend')).toBe(1);
    probe.close?.();
    expect(emitter.eventNames()).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { FakeClock } from '../timers';
import type { ProbeEvent } from '../types';
import { parseTrace, ReplayProbe } from './replay-probe';

const TRACE = [
  '# a comment',
  '{"t":0,"temperatureC":60,"memoryPressure":0.5,"onBattery":false}',
  '',
  '{"t":10,"temperatureC":80}',
  '{"t":20,"event":"suspend"}',
  '{"t":25,"event":"resume","temperatureC":null}',
  '{"t":30,"thermalState":"serious"}',
].join('\n');

describe('parseTrace', () => {
  it('carries fields forward and lets null clear one', () => {
    const trace = parseTrace(TRACE, 'demo');
    expect(trace.durationMs).toBe(30_000);
    expect(trace.steps.map((s) => s.atMs)).toEqual([0, 10_000, 20_000, 25_000, 30_000]);
    expect(trace.steps[1]!.reading).toEqual({
      memoryPressure: 0.5,
      onBattery: false,
      temperatures: [{ source: 'trace', label: 'trace sensor', celsius: 80 }],
    });
    expect(trace.steps[4]!.reading).toEqual({ memoryPressure: 0.5, onBattery: false, thermalState: 'serious' });
  });

  it('names the line of a bad record', () => {
    expect(() => parseTrace('{"t":0}\n{"t":1,"memoryPressure":3}', 'x.jsonl')).toThrow(/x\.jsonl line 2: memoryPressure/);
    expect(() => parseTrace('{"t":5}\n{"t":1}', 'x.jsonl')).toThrow(/line 2: t=1 goes back in time/);
    expect(() => parseTrace('{"t":0,"fan":3}', 'x.jsonl')).toThrow(/line 1/);
    expect(() => parseTrace('nope', 'x.jsonl')).toThrow(/line 1: not valid JSON/);
    expect(() => parseTrace('# only comments', 'x.jsonl')).toThrow(/no samples/);
  });
});

describe('ReplayProbe', () => {
  it('returns the state at the clock time and fires power events at their instant', async () => {
    const clock = new FakeClock(5_000);
    const probe = new ReplayProbe({ trace: parseTrace(TRACE), clock, timers: clock });
    const events: { at: number; kind: ProbeEvent['kind'] }[] = [];
    probe.subscribe((e) => events.push({ at: clock.now() - 5_000, kind: e.kind }));
    expect((await probe.sample()).temperatures?.[0]?.celsius).toBe(60);
    await clock.advance(12_000);
    expect((await probe.sample()).temperatures?.[0]?.celsius).toBe(80);
    await clock.advance(20_000);
    expect(await probe.sample()).toEqual({ memoryPressure: 0.5, onBattery: false, thermalState: 'serious' });
    expect(events).toEqual([
      { at: 20_000, kind: 'suspend' },
      { at: 25_000, kind: 'resume' },
    ]);
    probe.close();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('without timers, delivers passed events on the next sample', async () => {
    let now = 0;
    const probe = new ReplayProbe({ trace: parseTrace(TRACE), clock: { now: () => now } });
    const kinds: string[] = [];
    probe.subscribe((e) => kinds.push(e.kind));
    now = 26_000;
    await probe.sample();
    expect(kinds).toEqual(['suspend', 'resume']);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classify, fallingLevel, risingLevel } from './levels';
import { PressurePolicy } from './policy';
import { parseTrace } from './probes/replay-probe';
import { DEFAULT_SCHEDULER_SETTINGS, mergeSettings } from './settings';

const TRACES = join(__dirname, '..', '..', '..', '..', 'resources', 'traces');
const S = DEFAULT_SCHEDULER_SETTINGS;

/** Feeds temperatures one per `stepMs` and counts level changes. */
function run(temps: number[], settings = S, stepMs = 1_000) {
  let now = 0;
  const policy = new PressurePolicy({ settings, clock: { now: () => now } });
  const changes: { at: number; to: string }[] = [];
  for (const c of temps) {
    const change = policy.observe({ temperatures: [{ source: 't', label: 'die', celsius: c }] });
    if (change) changes.push({ at: now, to: change.to });
    now += stepMs;
  }
  return { policy, changes };
}

/** Deterministic noise so a failure can be reproduced. */
function noisy(center: number, amplitude: number, n: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return center + (s / 2147483648 - 0.5) * 2 * amplitude;
  });
}

describe('classify', () => {
  it('takes the worst signal and names it', () => {
    const c = classify({ temperatures: [{ source: 'hwmon', label: 'cpu', celsius: 93 }], memoryPressure: 0.5, thermalState: 'fair' }, S);
    expect(c.level).toBe('serious');
    expect(c.reason).toContain('cpu at 93 °C');
  });

  it('assumes nominal, and says so, when nothing is readable', () => {
    expect(classify({}, S)).toMatchObject({ level: 'nominal', reason: expect.stringContaining('no pressure signal') });
  });

  it('never raises the level past fair on CPU load alone by default (our own inference is load)', () => {
    expect(classify({ cpuLoad: 1 }, S).level).toBe('fair');
  });

  it('reads the speed limit downwards and applies hysteresis both ways', () => {
    expect(fallingLevel(100, S.speedLimit)).toBe('nominal');
    expect(fallingLevel(70, S.speedLimit)).toBe('serious');
    expect(fallingLevel(78, S.speedLimit, 'serious')).toBe('serious'); // 75 + 5 not yet passed
    expect(fallingLevel(81, S.speedLimit, 'serious')).toBe('fair');
    expect(risingLevel(90, S.temperatureC, 'serious')).toBe('serious'); // 92 - 3 not yet passed
    expect(risingLevel(88.5, S.temperatureC, 'serious')).toBe('fair');
  });
});

describe('PressurePolicy', () => {
  it('noise smaller than the hysteresis around a threshold causes one switch', () => {
    // Starts at 95 (serious), then hovers on 92 ± 2.5: hysteresis 3 holds serious throughout.
    const { changes } = run([95, ...noisy(92, 2.5, 600)]);
    expect(changes).toEqual([{ at: 0, to: 'serious' }]);
  });

  it('noise larger than the hysteresis keeps the safer level instead of toggling', () => {
    const { changes } = run(noisy(92, 8, 600, 3)); // 10 minutes at 1 s, ±8 °C around 92
    expect(changes.map((c) => c.to)).toEqual(['serious']);
  });

  it('changes are always at least a cooldown apart, so switches never exceed duration / cooldown + 1', () => {
    const settings = mergeSettings(S, { cooldownMs: 60_000, confirmSamples: 1 });
    // Square waves between fair (85 °C) and serious (95 °C) with several periods, plus noise.
    for (const periodS of [10, 45, 90, 130, 300]) {
      const temps = Array.from({ length: 1_200 }, (_, t) => (Math.floor(t / (periodS / 2)) % 2 === 0 ? 85 : 95));
      const jittered = temps.map((c, i) => c + (noisy(0, 2, 1_200, periodS)[i] ?? 0));
      const { changes } = run(jittered, settings);
      expect(changes.length, `period ${periodS} s`).toBeLessThanOrEqual(Math.floor(1_200_000 / settings.cooldownMs) + 1);
      for (let i = 1; i < changes.length; i++) expect(changes[i]!.at - changes[i - 1]!.at).toBeGreaterThanOrEqual(settings.cooldownMs);
      // A slow wave is real change, not noise: the policy follows it.
      if (periodS === 300) expect(changes.length).toBeGreaterThanOrEqual(6);
    }
  });

  it('the shipped noisy trace stays within the configured switch budget', () => {
    const trace = parseTrace(readFileSync(join(TRACES, 'noisy-threshold.jsonl'), 'utf8'));
    const temps = trace.steps.map((s) => s.reading.temperatures![0]!.celsius);
    const { changes } = run(temps); // default settings: 30 s cooldown, 2 confirming samples
    expect(changes.length).toBeLessThanOrEqual(Math.floor(trace.durationMs / S.cooldownMs) + 1);
    expect(changes.length).toBeLessThanOrEqual(2);
  });

  it('needs confirming samples before moving, so a single spike is ignored', () => {
    const { changes } = run([70, 70, 95, 70, 70, 70]);
    expect(changes).toEqual([]);
  });

  it('escalates to critical at once, even inside the cooldown', () => {
    const { changes } = run([70, 95, 95, 101]);
    expect(changes.map((c) => c.to)).toEqual(['serious', 'critical']);
    expect(changes[1]!.at - changes[0]!.at).toBeLessThan(S.cooldownMs);
  });

  it('holds a level for the cooldown before releasing it, and says why', () => {
    const { policy, changes } = run([101, ...Array<number>(10).fill(60)]);
    expect(changes).toEqual([{ at: 0, to: 'critical' }]);
    expect(policy.reason).toMatch(/holding critical \(cooldown/);
    const later = run([101, ...Array<number>(40).fill(60)]);
    expect(later.changes.map((c) => c.to)).toEqual(['critical', 'nominal']);
    expect(later.changes[1]!.at).toBeGreaterThanOrEqual(S.cooldownMs);
  });

  it('steps down only as far as every confirming sample agrees', () => {
    const settings = mergeSettings(S, { cooldownMs: 0, confirmSamples: 3 });
    const { changes } = run([101, 60, 85, 60], settings);
    expect(changes.map((c) => c.to)).toEqual(['critical', 'fair']);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrace } from './probes/replay-probe';
import { DEFAULT_SCHEDULER_SETTINGS } from './settings';
import { CRITICAL_INTERACTIVE_SLOTS } from './scheduler';
import { formatReport, simulate } from './simulation';

const TRACES = join(__dirname, '..', '..', '..', '..', 'resources', 'traces');
const load = (name: string) => parseTrace(readFileSync(join(TRACES, name), 'utf8'), name);

describe('simulate', () => {
  it('replays a heat soak: only the interactive minimum admitted at critical, the slot table held, work paused and resumed', async () => {
    const report = await simulate({ trace: load('heat-soak.jsonl') });
    expect(report.durationMs).toBe(30 * 60_000);
    expect(report.admittedWhileCritical).toBe(0);
    expect(report.timeInLevelMs.critical).toBeGreaterThan(60_000);
    expect(Object.values(report.timeInLevelMs).reduce((a, b) => a + b, 0)).toBe(report.durationMs);
    const slots = DEFAULT_SCHEDULER_SETTINGS.slots;
    for (const level of ['nominal', 'fair', 'serious'] as const) expect(report.peakConcurrency[level]).toBeLessThanOrEqual(slots[level]);
    expect(report.peakConcurrency.critical).toBeLessThanOrEqual(CRITICAL_INTERACTIVE_SLOTS);
    expect(report.interactiveAtCritical).toBeGreaterThan(0); // the human is never locked out
    expect(report.pauses).toBeGreaterThanOrEqual(1);
    expect(report.completed.background).toBeGreaterThan(0); // it came back after cooling
    expect(report.totalCompleted).toBeGreaterThan(50);
    expect(formatReport(report)).toContain('council or background admitted while critical: 0 (ok)');
  });

  it('keeps policy switches within the cooldown budget on a noisy trace', async () => {
    const trace = load('noisy-threshold.jsonl');
    const report = await simulate({ trace });
    expect(report.levelChanges).toBeLessThanOrEqual(Math.floor(trace.durationMs / DEFAULT_SCHEDULER_SETTINGS.cooldownMs) + 1);
    expect(report.maxSwitchesInAMinute).toBeLessThanOrEqual(Math.ceil(60_000 / DEFAULT_SCHEDULER_SETTINGS.cooldownMs));
  });

  it('follows the OS thermal state and sleeps through a suspend on a machine without sensors', async () => {
    const report = await simulate({ trace: load('macos-thermal-state.jsonl') });
    expect(report.admittedWhileCritical).toBe(0);
    expect(report.timeInLevelMs.critical).toBeGreaterThan(0);
    expect(report.pauses).toBe(2); // critical, then the suspend
  });

  it('is deterministic', async () => {
    const trace = load('heat-soak.jsonl');
    expect(await simulate({ trace })).toEqual(await simulate({ trace }));
  });
});

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SchedulerSettingsPatch } from '../shared/domain/scheduler';
import { describeZodError } from '../shared/errors';
import { loadTrace } from '../main/core/scheduler/probes/replay-probe';
import { DEFAULT_SCHEDULER_SETTINGS, mergeSettings } from '../main/core/scheduler/settings';
import { formatReport, simulate } from '../main/core/scheduler/simulation';

export type SimulateOptions = { trace: string; settings?: string; json?: boolean };

/**
 * `agent-agency simulate --trace <file>`: replays a recorded pressure trace against a synthetic
 * workload on a fake clock and prints what the scheduler did. Exits 1 if anything was admitted
 * at critical pressure.
 */
export async function simulateCommand(options: SimulateOptions): Promise<void> {
  const trace = await loadTrace(resolve(options.trace));
  let settings = DEFAULT_SCHEDULER_SETTINGS;
  if (options.settings) {
    const raw: unknown = JSON.parse(await readFile(resolve(options.settings), 'utf8'));
    const patch = SchedulerSettingsPatch.safeParse(raw);
    if (!patch.success) throw new Error(`--settings: ${describeZodError(patch.error).message}`);
    settings = mergeSettings(settings, patch.data);
  }
  const report = await simulate({ trace, settings });
  process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatReport(report));
  if (report.admittedWhileCritical > 0) process.exitCode = 1;
}

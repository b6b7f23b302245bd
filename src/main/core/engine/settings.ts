import { z } from 'zod';
import { STEP_NAMES, type StepName } from './phases';

const positiveMs = z.number().int().positive();

const Settings = z.object({
  /** Steps running at once, across tasks. */
  concurrency: z.number().int().min(1).max(64).default(2),
  /** A step attempt that runs longer is aborted and retried (a timeout is retryable). */
  defaultStepTimeoutMs: positiveMs.default(30 * 60_000),
  stepTimeoutsMs: z.partialRecord(z.enum(STEP_NAMES), positiveMs).default({}),
  /** Step time a new task may use in all; `modifyTask` raises it. */
  timeBudgetMs: positiveMs.default(2 * 60 * 60_000),
  retry: z
    .object({
      maxAttempts: z.number().int().min(1).max(20).default(4),
      baseDelayMs: z.number().int().nonnegative().default(1_000),
      maxDelayMs: z.number().int().nonnegative().default(60_000),
    })
    .prefault({}),
  breaker: z
    .object({
      failureThreshold: z.number().int().min(1).default(5),
      cooldownMs: positiveMs.default(30_000),
    })
    .prefault({}),
  /** How often the watchdog looks for active tasks with nothing executing; 0 turns it off. */
  watchdogIntervalMs: z.number().int().nonnegative().default(5_000),
  /** Times the watchdog restarts a stalled task before failing it. */
  maxStalls: z.number().int().min(0).default(3),
  /** Crashes of the process during one step before the task fails instead of crash-looping the app. */
  maxInterruptions: z.number().int().min(0).default(3),
  /** How long an aborted step that ignores its signal may keep its worker slot. */
  abortGraceMs: z.number().int().nonnegative().default(1_000),
  cleanupTimeoutMs: positiveMs.default(60_000),
});

export type EngineSettings = z.output<typeof Settings>;
export type EngineSettingsInput = z.input<typeof Settings>;

export function resolveEngineSettings(input: EngineSettingsInput = {}): EngineSettings {
  return Settings.parse(input);
}

export function stepTimeout(settings: EngineSettings, step: StepName): number {
  return settings.stepTimeoutsMs[step] ?? settings.defaultStepTimeoutMs;
}

import { z } from 'zod';

/**
 * The thermal-aware scheduler's vocabulary: pressure levels, what the probes read, the settings
 * that turn readings into levels, and the decisions the user sees. Shared so the window, the CLI
 * and the core read the same shapes.
 */
export const PRESSURE_LEVELS = ['nominal', 'fair', 'serious', 'critical'] as const;
export const PressureLevel = z.enum(PRESSURE_LEVELS);
export type PressureLevel = z.infer<typeof PressureLevel>;

/** Ordinal of a level: larger is hotter. */
export const levelRank = (level: PressureLevel): number => PRESSURE_LEVELS.indexOf(level);

export const WORK_PRIORITIES = ['interactive', 'approval', 'council', 'background'] as const;
export const WorkPriorityName = z.enum(WORK_PRIORITIES);

/** One temperature sensor; `critC` is the sensor's own critical trip point when it reports one. */
export const SensorTemperature = z.object({
  source: z.string().max(100),
  label: z.string().max(200),
  celsius: z.number().min(-100).max(250),
  critC: z.number().optional(),
});
export type SensorTemperature = z.infer<typeof SensorTemperature>;

/**
 * What the probes saw at one instant. Every signal is optional: many machines report no
 * temperatures, desktops have no battery, only macOS reports a thermal state and speed limit.
 */
export const PressureReading = z.object({
  ts: z.number().int(),
  /** The operating system's own verdict (macOS thermal state). */
  thermalState: PressureLevel.optional(),
  /** CPU speed limit in percent; below 100 means the OS is throttling. */
  speedLimit: z.number().min(0).max(100).optional(),
  temperatures: z.array(SensorTemperature).optional(),
  onBattery: z.boolean().optional(),
  batteryPercent: z.number().min(0).max(100).optional(),
  /** Share of physical memory in use, 0..1 (replayed traces; live probes report memoryPressureLevel). */
  memoryPressure: z.number().min(0).max(1).optional(),
  /** The OS's own memory-pressure verdict: Linux PSI or the macOS kernel's level. */
  memoryPressureLevel: PressureLevel.optional(),
  memoryPressureDetail: z.string().max(300).optional(),
  /** Share of CPU time busy across all cores, 0..1. */
  cpuLoad: z.number().min(0).max(1).optional(),
  /** Which probes answered for this reading (a probe may answer with nothing readable). */
  sources: z.array(z.string()),
});
export type PressureReading = z.infer<typeof PressureReading>;

const threshold = z.number().nullable();
const thresholdsShape = {
  fair: threshold,
  serious: threshold,
  critical: threshold,
  /** How far a value must fall back past a threshold before the level is released. */
  hysteresis: z.number().min(0),
};

function ordered(direction: 1 | -1) {
  return (t: { fair: number | null; serious: number | null; critical: number | null }) => {
    const values = [t.fair, t.serious, t.critical].filter((v): v is number => v !== null);
    return values.every((v, i) => i === 0 || (v - values[i - 1]!) * direction > 0);
  };
}

/** A signal that rises with pressure (temperature, memory, load); `null` disables a level. */
export const RisingThresholds = z
  .object(thresholdsShape)
  .refine(ordered(1), { message: 'thresholds must increase from fair to serious to critical' });
/** A signal that falls with pressure (speed limit). */
export const FallingThresholds = z
  .object(thresholdsShape)
  .refine(ordered(-1), { message: 'thresholds must decrease from fair to serious to critical' });
export type Thresholds = z.infer<typeof RisingThresholds>;

const slotCount = z.number().int().min(0).max(64);

export const SchedulerSettings = z.object({
  /** Inference slots per level. Critical admits nothing new, by rule rather than by setting. */
  slots: z.object({ nominal: slotCount, fair: slotCount, serious: slotCount, critical: z.literal(0) }),
  temperatureC: RisingThresholds,
  memoryPressure: RisingThresholds,
  cpuLoad: RisingThresholds,
  speedLimit: FallingThresholds,
  /** Least time between two level changes (an escalation to critical never waits). */
  cooldownMs: z.number().int().min(0).max(3_600_000),
  /** Consecutive samples that must agree on a new level before it is taken. */
  confirmSamples: z.number().int().min(1).max(50),
  sampleIntervalMs: z.number().int().min(200).max(600_000),
  deferBackgroundOnBattery: z.boolean(),
  /** Background work waits at this level and above. */
  deferBackgroundAt: PressureLevel,
  /** Slots granted at this level and above carry `preferSmallerModel`. */
  preferSmallerModelAt: PressureLevel,
});
export type SchedulerSettings = z.infer<typeof SchedulerSettings>;

/** A partial update; nested threshold objects may be partial too. The merged result is validated. */
export const SchedulerSettingsPatch = z.strictObject({
  // Critical is not settable: nothing new is ever admitted there.
  slots: z.strictObject({ nominal: slotCount, fair: slotCount, serious: slotCount }).partial().optional(),
  temperatureC: z.strictObject(thresholdsShape).partial().optional(),
  memoryPressure: z.strictObject(thresholdsShape).partial().optional(),
  cpuLoad: z.strictObject(thresholdsShape).partial().optional(),
  speedLimit: z.strictObject(thresholdsShape).partial().optional(),
  cooldownMs: SchedulerSettings.shape.cooldownMs.optional(),
  confirmSamples: SchedulerSettings.shape.confirmSamples.optional(),
  sampleIntervalMs: SchedulerSettings.shape.sampleIntervalMs.optional(),
  deferBackgroundOnBattery: z.boolean().optional(),
  deferBackgroundAt: PressureLevel.optional(),
  preferSmallerModelAt: PressureLevel.optional(),
});
export type SchedulerSettingsPatch = z.infer<typeof SchedulerSettingsPatch>;

export const DECISION_KINDS = ['level', 'admit', 'wait', 'cancel', 'pause', 'resume', 'settings'] as const;
export const DecisionKind = z.enum(DECISION_KINDS);
export type DecisionKind = z.infer<typeof DecisionKind>;

/** Payload of a `scheduler.decision` event; the first three fields are all older readers know. */
export const SchedulerDecisionPayload = z.object({
  level: PressureLevel,
  slots: z.number().int(),
  reason: z.string(),
  kind: DecisionKind.optional(),
  inUse: z.number().int().optional(),
  priority: WorkPriorityName.optional(),
  label: z.string().optional(),
  waitedMs: z.number().int().nonnegative().optional(),
});

/** One stored decision of the scheduler's own timeline (decisions are not task-scoped). */
export const SchedulerDecision = SchedulerDecisionPayload.extend({
  id: z.number().int().positive(),
  ts: z.number().int(),
  kind: DecisionKind,
  inUse: z.number().int(),
  taskId: z.string().optional(),
});
export type SchedulerDecision = z.infer<typeof SchedulerDecision>;

export const PauseCause = z.enum(['critical', 'suspend', 'shutdown']);
export type PauseCause = z.infer<typeof PauseCause>;

/** A request that has not been given a slot yet, and why. */
export const WaitingRequest = z.object({
  id: z.number().int(),
  priority: WorkPriorityName,
  label: z.string(),
  taskId: z.string().optional(),
  since: z.number().int(),
  reason: z.string(),
});
export type WaitingRequest = z.infer<typeof WaitingRequest>;

export const PressureState = z.object({
  level: PressureLevel,
  /** When the current level was entered. */
  since: z.number().int(),
  /** Why the scheduler is at this level. */
  reason: z.string(),
  slots: z.number().int(),
  inUse: z.number().int(),
  preferSmallerModel: z.boolean(),
  backgroundDeferred: z.boolean(),
  paused: z.object({ cause: PauseCause, reason: z.string() }).nullable(),
  reading: PressureReading.nullable(),
  waiting: z.array(WaitingRequest),
  /** Probes in use, and whether each produced data on its last sample. */
  probes: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string().optional() })),
});
export type PressureState = z.infer<typeof PressureState>;

/** One point of the pressure timeline (a sample, reduced to what a chart plots). */
export const PressurePoint = z.object({
  ts: z.number().int(),
  level: PressureLevel,
  slots: z.number().int(),
  inUse: z.number().int(),
  maxTemperatureC: z.number().optional(),
  memoryPressure: z.number().optional(),
  cpuLoad: z.number().optional(),
  speedLimit: z.number().optional(),
  onBattery: z.boolean().optional(),
});
export type PressurePoint = z.infer<typeof PressurePoint>;

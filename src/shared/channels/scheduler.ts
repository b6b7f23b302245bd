import { z } from 'zod';
import {
  DecisionKind,
  PressurePoint,
  PressureState,
  SchedulerDecision,
  SchedulerSettings,
  SchedulerSettingsPatch,
} from '../domain/scheduler';

export const ListSchedulerDecisionsInput = z.strictObject({
  limit: z.number().int().min(1).max(1000).default(200),
  /** Page back: only decisions with a smaller id. */
  beforeId: z.number().int().positive().optional(),
  kinds: z.array(DecisionKind).max(DecisionKind.options.length).optional(),
  taskId: z.string().max(100).optional(),
});

export const GetPressureTimelineInput = z.strictObject({
  /** How far back, in milliseconds (default one hour). */
  windowMs: z.number().int().min(1_000).max(7 * 24 * 3_600_000).default(3_600_000),
});

export const PressureTimeline = z.object({
  points: z.array(PressurePoint),
  /** Level changes (and pauses) in the window, oldest first. */
  changes: z.array(SchedulerDecision),
  now: z.number().int(),
});

/** The scheduler's current pressure state, its decision timeline, and its settings. */
export const schedulerChannels = {
  getSchedulerState: { input: z.strictObject({}), output: PressureState },
  listSchedulerDecisions: { input: ListSchedulerDecisionsInput, output: z.array(SchedulerDecision) },
  getPressureTimeline: { input: GetPressureTimelineInput, output: PressureTimeline },
  getSchedulerSettings: { input: z.strictObject({}), output: SchedulerSettings },
  updateSchedulerSettings: { input: z.strictObject({ patch: SchedulerSettingsPatch }), output: SchedulerSettings },
} as const;

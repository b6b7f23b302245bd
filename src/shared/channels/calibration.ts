import { z } from 'zod';

/** Council calibration learned from outcomes, and this installation's federation membership. */

const params = z.object({
  weights: z.object({ constitutional: z.number(), technical: z.number(), quality: z.number(), integration: z.number() }),
  bias: z.number(),
  thresholds: z.object({ 1: z.number(), 2: z.number(), 3: z.number() }),
});

export const CalibrationModeInput = z.enum(['off', 'suggest', 'apply']);

export const CalibrationViewSchema = z.object({
  mode: CalibrationModeInput,
  source: z.enum(['default', 'local', 'federation']),
  fittedAt: z.number().int(),
  params,
  /** What the calibration was learned from: counts only, never content. */
  outcomesBySource: z.record(z.string(), z.number().int()),
  effect: z.object({
    outcomes: z.number().int(),
    wouldRejectBadAccepts: z.number().int(),
    wouldAcceptGoodRejects: z.number().int(),
    wouldRejectGoodAccepts: z.number().int(),
    accuracyCurrent: z.number(),
    accuracyCalibrated: z.number(),
  }),
  federation: z
    .object({
      federationId: z.string(),
      coordinatorUrl: z.string(),
      name: z.string(),
      joinedAt: z.number().int(),
      leftAt: z.number().int().nullable(),
      epsilonSpent: z.number(),
      maxEpsilon: z.number(),
      delta: z.number(),
      periodEnds: z.number().int(),
      rounds: z.number().int(),
    })
    .nullable(),
  log: z.array(z.object({ seq: z.number().int(), ts: z.number().int(), kind: z.string(), detail: z.record(z.string(), z.unknown()) })),
});
export type CalibrationViewSchema = z.infer<typeof CalibrationViewSchema>;

export const calibrationChannels = {
  getCalibration: { input: z.strictObject({}), output: CalibrationViewSchema },
  setCalibrationMode: { input: z.strictObject({ mode: CalibrationModeInput, actor: z.string().trim().min(1, 'must not be empty').max(200) }), output: CalibrationViewSchema },
  /** Refits the local calibration from this installation's recorded outcomes. */
  fitCalibration: { input: z.strictObject({ actor: z.string().trim().min(1, 'must not be empty').max(200) }), output: CalibrationViewSchema },
} as const;

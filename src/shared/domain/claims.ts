import { z } from 'zod';

/**
 * Claims taken from the worker's account of its change and from each judge's reasons, each checked
 * against what the app holds (diff, workspace, gates, tests), and the standing of each acceptance
 * criterion: met only by a verified claim.
 */

export const ClaimStatus = z.enum(['verified', 'refuted', 'unverifiable']);
export type ClaimStatus = z.infer<typeof ClaimStatus>;

/** A source a claim was checked against: the version read (its sha256) and whether it has changed since. */
export const ClaimSourceView = z.object({
  source: z.enum(['workspace', 'repository', 'attachment', 'knowledge']),
  path: z.string(),
  location: z.string().nullable(),
  sha256: z.string(),
  /** The source's hash was later recorded different: what the claim says may no longer hold. */
  stale: z.boolean(),
});
export type ClaimSourceView = z.infer<typeof ClaimSourceView>;

export const ClaimView = z.object({
  id: z.number().int(),
  /** execute: the worker's final account of an execution round; review_*: a judge's reasons. */
  stage: z.enum(['execute', 'review_plan', 'review_change']),
  round: z.number().int(),
  /** `worker`, or `judge:<id>`. */
  author: z.string(),
  kind: z.string(),
  subject: z.string(),
  text: z.string(),
  status: ClaimStatus,
  evidence: z.string(),
  extractedBy: z.enum(['rules', 'model']),
  createdAt: z.number().int(),
  /** The sources it was checked against, with their hashes (none for a claim decided by gates or tests). */
  sources: z.array(ClaimSourceView).optional(),
  /** A source it was checked against changed afterwards: it no longer counts as verified for a criterion. */
  stale: z.boolean().optional(),
});
export type ClaimView = z.infer<typeof ClaimView>;

/**
 * A criterion's standing: verified (its test passed, or the constitutional judge accepted the
 * worker's unrefuted claim), refuted (its test failed), pending (claimed, untested, awaiting the
 * constitutional judge), unmet (no claim, or the worker's account was refuted).
 */
export const CriterionStanding = z.enum(['verified', 'refuted', 'pending', 'unmet']);
export type CriterionStanding = z.infer<typeof CriterionStanding>;

export const CriterionView = z.object({
  stage: z.enum(['execute', 'review_change']),
  round: z.number().int(),
  criterionId: z.string(),
  status: CriterionStanding,
  decidedBy: z.enum(['test', 'constitutional', 'none']),
  evidence: z.string(),
  createdAt: z.number().int(),
});
export type CriterionView = z.infer<typeof CriterionView>;

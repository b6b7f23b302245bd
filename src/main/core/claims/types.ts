import { z } from 'zod';

/** An atomic, checkable statement taken from a worker's proposal or a judge's reasons. */
export const CLAIM_KINDS = ['criterion_met', 'file_changed', 'file_deleted', 'symbol_present', 'gate_passes', 'tests_pass'] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];

export const claimSchema = z.object({
  kind: z.enum(CLAIM_KINDS),
  /** What the claim is about: a criterion id, a path, a symbol name or a gate name ('' for tests_pass). */
  subject: z.string().max(300),
  /** The words the claim was taken from. */
  text: z.string().max(1000),
});
export type Claim = z.infer<typeof claimSchema> & { source: 'worker' | 'judge' | 'model'; extractedBy: 'rules' | 'model' };

export type ClaimStatus = 'verified' | 'refuted' | 'unverifiable';

export type VerifiedClaim = Claim & { status: ClaimStatus; evidence: string };

/** What a claim is checked against: the change, the workspace after it, the gates and the tests. */
export type ClaimEvidence = {
  changes: readonly { path: string; status: 'added' | 'modified' | 'deleted' }[];
  /** Reads a workspace file after the change; null when it does not exist. */
  readFile: (path: string) => Promise<string | null>;
  gates: readonly { gate: string; status: 'pass' | 'fail' | 'warn' | 'skip'; details: string }[];
  /** Acceptance criteria with their own test command and its result (criteria without one are absent). */
  criterionTests: ReadonlyMap<string, { passed: boolean; output: string }>;
  /** Criterion ids of the spec: a claim about any other id is refuted. */
  criterionIds: readonly string[];
};

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

/**
 * A source a claim was checked against, with the hash of the version read: a file of the task's
 * workspace (or of the user's repository), an attachment, or a knowledge-base document (`location`
 * names the chunk). Stored in source_integrity_records and linked to the claim, so a claim whose
 * source later changed shows as stale.
 */
export type ClaimSource = { source: 'workspace' | 'repository' | 'attachment' | 'knowledge'; path: string; sha256: string; location?: string };

export type VerifiedClaim = Claim & { status: ClaimStatus; evidence: string; sources?: ClaimSource[] };

/** What a claim is checked against: the change, the workspace after it, the gates and the tests. */
export type ClaimEvidence = {
  changes: readonly { path: string; status: 'added' | 'modified' | 'deleted' }[];
  /** Reads a workspace file after the change; null when it does not exist. */
  readFile: (path: string) => Promise<string | null>;
  /**
   * The same file's bytes, for the hash of the version a claim was checked against; without it the
   * hash is of the text's UTF-8 (the same bytes for any text file).
   */
  readBytes?: (path: string) => Promise<Buffer | null>;
  gates: readonly { gate: string; status: 'pass' | 'fail' | 'warn' | 'skip'; details: string }[];
  /** Acceptance criteria with their own test command and its result (criteria without one are absent). */
  criterionTests: ReadonlyMap<string, { passed: boolean; output: string }>;
  /** Criterion ids of the spec: a claim about any other id is refuted. */
  criterionIds: readonly string[];
};

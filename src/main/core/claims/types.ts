import { z } from 'zod';

/** An atomic, checkable statement taken from a worker's proposal or a judge's reasons. */
/** `documented`: a statement said to be what the docs, a spec or an attachment say (subject: the statement). */
export const CLAIM_KINDS = ['criterion_met', 'file_changed', 'file_deleted', 'symbol_present', 'gate_passes', 'tests_pass', 'documented'] as const;
export type ClaimKind = (typeof CLAIM_KINDS)[number];

export const claimSchema = z.object({
  kind: z.enum(CLAIM_KINDS),
  /** What the claim is about: a criterion id, a path, a symbol name, a gate name, the statement of a documented claim ('' for tests_pass). */
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

/**
 * A retrieved knowledge-base chunk, cited by its source and location. `origin` is the file it was
 * read from as a source-integrity record (a repository doc, an attachment, a document the user
 * added) with the hash of the version indexed, so a claim checked against it goes stale when the file
 * changes.
 */
export type KnowledgePassage = { source: string; location: string; title: string; text: string; origin?: ClaimSource };

/** Retrieves the best chunks of the knowledge base for a statement (the task's scope), best first. */
export type KnowledgeLookup = (query: string) => Promise<readonly KnowledgePassage[]>;

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
  /** The knowledge base, for claims about what the docs say; without it such claims are unverifiable. */
  knowledge?: KnowledgeLookup;
};

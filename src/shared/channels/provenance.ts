import { z } from 'zod';
import { TaskId } from '../domain/task';

/** What verification found wrong, named precisely enough to act on. */
export const VERIFICATION_PROBLEM_KINDS = [
  /** Content differs from what was hashed or signed. */
  'altered',
  /** Something the manifest, the chain or a signature names is missing. */
  'removed',
  /** Something is present that nothing signed accounts for. */
  'inserted',
  /** Records or entries are in a different order than they were chained or listed. */
  'reordered',
  /** Signed with a key other than the task's own (or than a trusted one). */
  'resigned',
  /** A signature does not verify. */
  'invalid_signature',
  /** A decision that should carry a signature does not. */
  'unsigned',
  /** The file is not a bundle this version understands. */
  'malformed',
] as const;
export const VerificationProblemKind = z.enum(VERIFICATION_PROBLEM_KINDS);
export type VerificationProblemKind = z.infer<typeof VerificationProblemKind>;

export const VerificationProblem = z.object({
  kind: VerificationProblemKind,
  /** The element concerned: `event #3 (council.verdict)`, `verdicts[0]`, `patch`, `manifest`, `signatures[2]`. */
  element: z.string(),
  message: z.string(),
});
export type VerificationProblem = z.infer<typeof VerificationProblem>;

/** A source file the user supplied, checked against the hashes the bundle lists for it. */
export const SourceFileCheck = z.object({
  source: z.enum(['workspace', 'repository', 'attachment', 'knowledge']),
  path: z.string(),
  /** matches the last recorded version; earlier: an earlier one; differs: none; not_supplied: not in the directory; not_checkable: a knowledge chunk or a path outside the directory. */
  status: z.enum(['matches', 'earlier', 'differs', 'not_supplied', 'not_checkable']),
  recorded: z.string(),
  found: z.string().nullable(),
});
export type SourceFileCheck = z.infer<typeof SourceFileCheck>;

export const VerificationReport = z.object({
  ok: z.boolean(),
  taskId: z.string().nullable(),
  problems: z.array(VerificationProblem),
  /** Notes that are not failures (for example: no trusted key was given). */
  warnings: z.array(z.string()),
  /** Keys that signed something in the bundle; `trusted` is null when no trusted keys were given. */
  signers: z.array(z.object({ kid: z.string(), trusted: z.boolean().nullable() })),
  checked: z.object({ entries: z.number().int(), events: z.number().int(), signatures: z.number().int() }),
  chainHead: z.object({ taskSeq: z.number().int(), recordHash: z.string() }).nullable(),
  /** The sources the bundle lists: whether their files were checked (a sources directory was given) and how each compared. */
  sources: z.object({ listed: z.number().int(), checked: z.boolean(), files: z.array(SourceFileCheck) }).optional(),
});
export type VerificationReport = z.infer<typeof VerificationReport>;

export const ExportBundleInput = z.strictObject({
  taskId: TaskId,
  /** Also return the file's bytes (base64), for a page that offers it as a download. */
  inline: z.boolean().default(false),
  /** Carry the task's OpenTelemetry trace (the spans kept in the data folder); refused when none is kept. */
  includeTrace: z.boolean().default(false),
});

export const ExportedBundle = z.object({
  /** Where the bundle was written (the data folder's `bundles/`). */
  path: z.string(),
  fileName: z.string(),
  sha256: z.string(),
  size: z.number().int(),
  base64: z.string().optional(),
});
export type ExportedBundle = z.infer<typeof ExportedBundle>;

export const VerifyBundleInput = z.strictObject({
  /** The bundle file's text. */
  content: z.string().min(1).max(100_000_000),
  /** Accept only signatures by this installation's keys (the bundle's own keys otherwise). */
  trustLocalKeys: z.boolean().default(false),
  /**
   * A folder on the app's machine holding the files the bundle's sources name (workspace or
   * repository files by path, attachments by name): their hashes are checked, as `verify --sources`.
   */
  sourcesDir: z
    .string()
    .max(4096)
    .regex(/^(?:\/|[A-Za-z]:[\\/])/, 'must be an absolute path')
    .optional(),
});

export const ListAuditCommitsInput = z.strictObject({
  taskId: TaskId.optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});

export const AuditCommit = z.object({
  oid: z.string(),
  taskId: z.string(),
  message: z.string(),
  /** Seconds since the epoch (git's resolution). */
  timestamp: z.number().int(),
  parent: z.string().nullable(),
});
export type AuditCommit = z.infer<typeof AuditCommit>;

export const SigningKeyInfo = z.object({
  kid: z.string(),
  current: z.boolean(),
  createdAt: z.number().int(),
  retiredAt: z.number().int().nullable(),
  publicJwk: z.object({ kty: z.string(), crv: z.string(), x: z.string() }),
});
export type SigningKeyInfo = z.infer<typeof SigningKeyInfo>;

/** Audit bundles (export, verify), the audit repository and the signing keys. */
export const provenanceChannels = {
  exportBundle: { input: ExportBundleInput, output: ExportedBundle },
  verifyBundle: { input: VerifyBundleInput, output: VerificationReport },
  listAuditCommits: { input: ListAuditCommitsInput, output: z.array(AuditCommit) },
  listSigningKeys: { input: z.strictObject({}), output: z.array(SigningKeyInfo) },
} as const;

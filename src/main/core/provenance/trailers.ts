import { z } from 'zod';

/**
 * The one format of an applied commit's provenance: four git trailers, the last a compact JWS
 * (EdDSA) over the apply statement. The applier writes it (src/main/core/apply/apply-change.ts) and
 * `agent-agency provenance show` and `checkApplyCommit` read it. Stock git reads the trailers too:
 * `git log --format='%(trailers)'`, `git interpret-trailers --parse`.
 */
export const TRAILER_KEYS = {
  task: 'Agent-Agency-Task',
  spec: 'CAWS-Spec',
  verdict: 'CAWS-Verdict',
  signature: 'Agent-Agency-Signature',
} as const;

export const APPLY_STATEMENT_TYPE = 'agent-agency.applied-change';

/** What the `Agent-Agency-Signature` trailer signs: enough to recheck everything the commit claims. */
export const ApplyStatement = z.strictObject({
  type: z.literal(APPLY_STATEMENT_TYPE),
  taskId: z.string().min(1),
  specId: z.string().min(1),
  /** The council's decision as the `CAWS-Verdict` trailer reads, e.g. `accept (score 0.82)`. */
  verdict: z.string().min(1),
  /** sha256 of the exact patch applied. */
  patchSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The commit the change was made on and the tree it produced (git object ids). */
  parent: z.string().regex(/^[0-9a-f]{40,64}$/),
  tree: z.string().regex(/^[0-9a-f]{40,64}$/),
});
export type ApplyStatement = z.infer<typeof ApplyStatement>;

export type SignFn = (statement: ApplyStatement) => Promise<string>;

export type ChangeTrailers = { taskId: string; specId: string; verdict: string; signature: string };

/** A trailer value must stay on one line and hold no control characters, or git would misread it. */
export function isTrailerValue(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return value.length > 0 && value.length <= 8000 && !/[\u0000-\u001f\u007f]/.test(value) && value.trim() === value;
}

export function buildCommitMessage(subject: string, body: string | undefined, trailers: ChangeTrailers): string {
  const entries: [string, string][] = [
    [TRAILER_KEYS.task, trailers.taskId],
    [TRAILER_KEYS.spec, trailers.specId],
    [TRAILER_KEYS.verdict, trailers.verdict],
    [TRAILER_KEYS.signature, trailers.signature],
  ];
  for (const [key, value] of entries) {
    if (!isTrailerValue(value)) throw new Error(`the ${key} trailer value is empty, too long or spans lines`);
  }
  const title = oneLine(subject).slice(0, 100) || 'Agent Agency change';
  // The body must not end in something git would take for a trailer block of its own.
  const text = body?.trim() ? `\n\n${body.trim().replace(/\r/g, '')}` : '';
  return `${title}${text}\n\n${entries.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;
}

/** Reads `Key: value` lines as `git log --format=%(trailers:only,unfold)` prints them. */
export function parseTrailerLines(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line.trim());
    if (m) (out[m[1]!] ??= []).push(m[2]!);
  }
  return out;
}

/** The trailers of a whole commit message: its last paragraph, when every line of it is `Key: value`. */
export function trailersOfMessage(message: string): Record<string, string[]> {
  const paragraphs = message.replace(/\s+$/, '').split(/\n\s*\n/);
  if (paragraphs.length < 2) return {};
  const last = paragraphs[paragraphs.length - 1]!;
  if (!last.split('\n').every((l) => /^[A-Za-z0-9-]+:\s?/.test(l))) return {};
  return parseTrailerLines(last);
}

export type CommitFacts = { message: string; tree: string; parents: readonly string[] };
export type JwsVerifier = (jws: string) => Promise<{ kid: string; payload: unknown } | undefined>;
export type ApplyCommitCheck =
  | { status: 'verified'; kid: string; statement: ApplyStatement }
  | { status: 'invalid'; why: string }
  | { status: 'not-applied'; why: string };

/**
 * Checks an applied commit end to end: the signature verifies with a trusted key, the signed
 * statement is an apply statement, every trailer says what was signed, and the commit's tree and
 * parent are the ones signed (so the content cannot be swapped under intact trailers).
 */
export async function checkApplyCommit(commit: CommitFacts, verify: JwsVerifier): Promise<ApplyCommitCheck> {
  const trailers = trailersOfMessage(commit.message);
  const one = (key: string) => (trailers[key]?.length === 1 ? trailers[key][0] : undefined);
  if (!trailers[TRAILER_KEYS.task]) return { status: 'not-applied', why: `no ${TRAILER_KEYS.task} trailer; Agent Agency did not apply it` };
  for (const key of Object.values(TRAILER_KEYS)) {
    if (!one(key)) return { status: 'invalid', why: trailers[key] ? `the ${key} trailer appears more than once` : `no ${key} trailer` };
  }
  const verified = await verify(one(TRAILER_KEYS.signature)!);
  if (!verified) return { status: 'invalid', why: 'no trusted key verifies the signature (altered, or signed elsewhere)' };
  const parsed = ApplyStatement.safeParse(verified.payload);
  if (!parsed.success) return { status: 'invalid', why: `the signed statement is not an apply statement (${parsed.error.issues[0]?.path.join('.') || 'type'})` };
  const s = parsed.data;
  if (one(TRAILER_KEYS.task) !== s.taskId) return { status: 'invalid', why: 'the task trailer differs from the signed task' };
  if (one(TRAILER_KEYS.spec) !== s.specId) return { status: 'invalid', why: 'the spec trailer differs from the signed spec' };
  if (one(TRAILER_KEYS.verdict) !== s.verdict) return { status: 'invalid', why: 'the verdict trailer differs from the signed verdict' };
  if (commit.tree !== s.tree) return { status: 'invalid', why: `the commit's tree ${commit.tree.slice(0, 12)} is not the signed tree ${s.tree.slice(0, 12)}` };
  if (commit.parents.length !== 1 || commit.parents[0] !== s.parent) return { status: 'invalid', why: `the commit's parent is not the signed parent ${s.parent.slice(0, 12)}` };
  return { status: 'verified', kid: verified.kid, statement: s };
}

function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

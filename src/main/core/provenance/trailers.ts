import type { Signer } from './jws';

/**
 * Git trailers that tie an applied commit to its task, working spec and verdict, with a signature
 * over all three. They are ordinary trailers: `git log --format='%(trailers)'` and
 * `git interpret-trailers --parse` read them, and the signature is a compact JWS anyone can check
 * with the installation's public key.
 */
export const TRAILER_KEYS = {
  task: 'Agent-Agency-Task',
  spec: 'CAWS-Spec',
  verdict: 'CAWS-Verdict',
  signature: 'Agent-Agency-Signature',
} as const;

export type Trailer = { key: string; value: string };

export type ApplyTrailerInput = {
  taskId: string;
  spec: { id: string; sha256: string };
  verdict: { decision: 'accept' | 'reject' | 'modify'; score: number; id?: string | undefined };
  /** sha256 of the exact patch applied (the same hash a dry-run kept), when there is one. */
  patchSha256?: string | undefined;
  now: number;
};

/** What the `Agent-Agency-Signature` trailer signs. */
export type ApplyStatement = {
  typ: 'agent-agency/apply';
  taskId: string;
  spec: { id: string; sha256: string };
  verdict: { decision: string; score: number; id: string | null };
  patchSha256: string | null;
  signedAt: number;
};

export function applyStatement(input: ApplyTrailerInput): ApplyStatement {
  return {
    typ: 'agent-agency/apply',
    taskId: input.taskId,
    spec: { id: input.spec.id, sha256: input.spec.sha256 },
    verdict: { decision: input.verdict.decision, score: input.verdict.score, id: input.verdict.id ?? null },
    patchSha256: input.patchSha256 ?? null,
    signedAt: input.now,
  };
}

/** The four trailers of an applied commit, the last one signed by `signer`. */
export async function applyTrailers(input: ApplyTrailerInput, signer: Signer): Promise<Trailer[]> {
  const verdictId = input.verdict.id ? ` ${input.verdict.id}` : '';
  return [
    { key: TRAILER_KEYS.task, value: input.taskId },
    { key: TRAILER_KEYS.spec, value: `${input.spec.id} sha256:${input.spec.sha256}` },
    { key: TRAILER_KEYS.verdict, value: `${input.verdict.decision} score=${input.verdict.score}${verdictId}` },
    { key: TRAILER_KEYS.signature, value: await signer.sign(applyStatement(input)) },
  ];
}

/** `message` followed by a blank line and the trailers, one per line, as git expects them. */
export function withTrailers(message: string, trailers: readonly Trailer[]): string {
  for (const t of trailers) {
    if (!/^[A-Za-z0-9-]+$/.test(t.key)) throw new Error(`invalid trailer key ${JSON.stringify(t.key)}`);
    if (/[\r\n]/.test(t.value) || t.value.trim() === '') throw new Error(`trailer ${t.key} must be one non-empty line`);
  }
  const body = message.replace(/\s+$/, '');
  return `${body}\n\n${trailers.map((t) => `${t.key}: ${t.value}`).join('\n')}\n`;
}

/** The trailers of a commit message: the last paragraph, when every line of it is `Key: value`. */
export function parseTrailers(message: string): Trailer[] {
  const paragraphs = message.replace(/\s+$/, '').split(/\n\s*\n/);
  if (paragraphs.length < 2) return [];
  const lines = paragraphs[paragraphs.length - 1]!.split('\n');
  const out: Trailer[] = [];
  for (const line of lines) {
    const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (!m) return [];
    out.push({ key: m[1]!, value: m[2]! });
  }
  return out;
}

/**
 * Commit trailers that link an applied change to its task, spec, verdict and signature. They follow
 * git's trailer format so stock git reads them: `git log --format='%(trailers)'`.
 */
export const TRAILER_KEYS = {
  task: 'Agent-Agency-Task',
  spec: 'CAWS-Spec',
  verdict: 'CAWS-Verdict',
  signature: 'Agent-Agency-Signature',
} as const;

export type ChangeTrailers = { taskId: string; specId: string; verdict: string; signature: string };

/** What the signer signs: enough to recompute and check everything the commit claims. */
export type ApplySignaturePayload = {
  type: 'agent-agency.applied-change';
  taskId: string;
  specId: string;
  verdict: string;
  /** sha256 of the exact patch applied. */
  patchSha256: string;
  /** The commit the change was made on and the tree it produced (git object ids). */
  parent: string;
  tree: string;
};

export type SignFn = (payload: ApplySignaturePayload) => Promise<string>;

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
export function parseTrailers(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line.trim());
    if (m) (out[m[1]!] ??= []).push(m[2]!);
  }
  return out;
}

function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Codes meaning the host could not be reached at all: the usual cause is no network. */
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNRESET']);

/**
 * The useful part of a fetch failure: `fetch failed` alone says nothing; its cause does. A host that
 * cannot be reached reads "can't reach <host> — are you offline?" rather than a bare error code.
 */
export function networkReason(e: unknown, url?: string): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') {
    if (url && UNREACHABLE.has(cause.code)) {
      let host = url;
      try {
        host = new URL(url).host;
      } catch {
        // keep the raw text
      }
      return `can't reach ${host} — are you offline? (${cause.code})`;
    }
    return cause.code;
  }
  if (typeof cause?.message === 'string' && cause.message) return cause.message;
  return e instanceof Error ? e.message : String(e);
}

/**
 * Links into the user's trace viewer from the address template in Settings (`traceViewerUrl`):
 * `{traceId}` and `{spanId}` are replaced by the ids. A span's link needs `{spanId}` in the template
 * (Jaeger: `http://127.0.0.1:16686/trace/{traceId}?uiFind={spanId}`); without it, a span links to
 * its trace. The trace's own link drops a query parameter that only carries `{spanId}`.
 */
export function traceViewerLink(template: string | undefined, traceId: string, spanId?: string): string | null {
  const t = template?.trim();
  if (!t || !t.includes('{traceId}')) return null;
  let url = t;
  if (spanId === undefined && url.includes('{spanId}')) {
    url = url.replace(/([?&])[^=&#]+=\{spanId\}(&?)/, (_m, sep: string, next: string) => (next ? sep : '')).replace(/\{spanId\}/g, '');
  }
  const out = url.replace(/\{traceId\}/g, encodeURIComponent(traceId)).replace(/\{spanId\}/g, encodeURIComponent(spanId ?? ''));
  return /^https?:\/\//i.test(out) ? out : null;
}

/**
 * Where traces go: the collector named in Settings (`otlpEndpoint`), else the standard
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (used as is) or `OTEL_EXPORTER_OTLP_ENDPOINT` (base URL;
 * `/v1/traces` is added). Null when none is set: then no span is built and nothing leaves the machine.
 */
export function otlpTracesUrl(setting: string | undefined, env: NodeJS.ProcessEnv): string | null {
  const fromSetting = setting?.trim();
  if (fromSetting) return withTracesPath(fromSetting);
  const traces = env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim();
  if (traces) return traces;
  const base = env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim();
  if (base) return withTracesPath(base);
  return null;
}

/** A collector's base URL gets the OTLP/HTTP traces path, as the OTel spec says for the base variable. */
function withTracesPath(url: string): string {
  if (/\/v1\/traces\/?$/.test(url)) return url;
  return `${url.replace(/\/+$/, '')}/v1/traces`;
}

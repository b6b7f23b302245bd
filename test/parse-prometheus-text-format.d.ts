/** Types for the dev-only Prometheus text-format parser the /metrics tests use. */
declare module 'parse-prometheus-text-format' {
  type Metric = { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string };
  export type MetricFamily = { name: string; help: string; type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED'; metrics: Metric[] };
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}

/**
 * A small Prometheus registry (text exposition format 0.0.4). Values are either kept here
 * (counters, histograms) or read at scrape time from whoever owns them (gauges with a collect
 * function), so other parts add a gauge without pushing updates: `registry.gauge({ name, help,
 * collect: () => [{ value: scheduler.slots() }] })`.
 */

export type Labels = Readonly<Record<string, string>>;
export type Sample = { labels?: Labels; value: number };

type Family = {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
};

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Default latency buckets in seconds: 1 ms to 10 s. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  /** A monotonically increasing count kept by the registry. */
  counter(options: { name: string; help: string }): Counter {
    const counter = new Counter();
    this.add({ ...options, type: 'counter', render: () => counter.lines(options.name) });
    return counter;
  }

  /**
   * A value read when scraped. `type: 'counter'` is for values that only grow but are owned
   * elsewhere (the journal's last sequence number, for example).
   */
  gauge(options: { name: string; help: string; type?: 'gauge' | 'counter'; collect: () => readonly Sample[] }): void {
    this.add({
      name: options.name,
      help: options.help,
      type: options.type ?? 'gauge',
      render: () => {
        let samples: readonly Sample[];
        try {
          samples = options.collect();
        } catch {
          // A failing collector must not take the whole scrape down; its family is just empty.
          samples = [];
        }
        return samples.map((s) => `${options.name}${formatLabels(s.labels)} ${formatValue(s.value)}`);
      },
    });
  }

  histogram(options: { name: string; help: string; buckets?: readonly number[] }): Histogram {
    const histogram = new Histogram(options.buckets ?? LATENCY_BUCKETS);
    this.add({ ...options, type: 'histogram', render: () => histogram.lines(options.name) });
    return histogram;
  }

  has(name: string): boolean {
    return this.families.has(name);
  }

  /** The whole registry as Prometheus text, families in registration order. */
  render(): string {
    const out: string[] = [];
    for (const f of this.families.values()) {
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`, ...f.render());
    }
    return `${out.join('\n')}\n`;
  }

  private add(family: Family): void {
    if (!NAME.test(family.name)) throw new Error(`invalid metric name ${JSON.stringify(family.name)}`);
    if (this.families.has(family.name)) throw new Error(`metric ${family.name} is already registered`);
    this.families.set(family.name, family);
  }
}

export class Counter {
  private readonly values = new Map<string, { labels: Labels | undefined; value: number }>();

  inc(labels?: Labels, by = 1): void {
    const key = labelKey(labels);
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { labels, value: by });
  }

  get(labels?: Labels): number {
    return this.values.get(labelKey(labels))?.value ?? 0;
  }

  lines(name: string): string[] {
    return [...this.values.values()].map((e) => `${name}${formatLabels(e.labels)} ${formatValue(e.value)}`);
  }
}

export class Histogram {
  private readonly series = new Map<string, { labels: Labels | undefined; counts: number[]; sum: number; count: number }>();

  constructor(private readonly buckets: readonly number[]) {}

  observe(value: number, labels?: Labels): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    // Counts are stored per bucket and made cumulative when rendered.
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i]! += 1;
    s.sum += value;
    s.count += 1;
  }

  lines(name: string): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((b, i) => {
        cumulative += s.counts[i]!;
        out.push(`${name}_bucket${formatLabels({ ...s.labels, le: formatValue(b) })} ${cumulative}`);
      });
      out.push(`${name}_bucket${formatLabels({ ...s.labels, le: '+Inf' })} ${s.count}`);
      out.push(`${name}_sum${formatLabels(s.labels)} ${formatValue(s.sum)}`);
      out.push(`${name}_count${formatLabels(s.labels)} ${s.count}`);
    }
    return out;
  }
}

function labelKey(labels: Labels | undefined): string {
  if (!labels) return '';
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\0');
}

function formatLabels(labels: Labels | undefined): string {
  if (!labels) return '';
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys
    .map((k) => {
      if (!LABEL.test(k)) throw new Error(`invalid label name ${JSON.stringify(k)}`);
      return `${k}="${escapeLabel(labels[k]!)}"`;
    })
    .join(',')}}`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

import { z } from 'zod';
import { SloDefinition, type BurnRule, type SloChange, type SloId } from '../../../../shared/channels/slo';
import { formatPath } from '../../../../shared/errors';

/**
 * An objective as the Settings form shows it: percents, hours and minutes, as text fields. The form
 * is checked in those units first (messages a person can act on), then as the contract's
 * `SloDefinition`; every message is keyed by the form field it is about.
 */
export type RuleForm = { name: string; severity: BurnRule['severity']; factor: string; longMinutes: string; shortMinutes: string };
export type SloForm = {
  id: SloId;
  name: string;
  description: string;
  kind: 'ratio' | 'budget';
  enabled: boolean;
  targetPercent: string;
  threshold: string;
  maxEvents: string;
  windowHours: string;
  minEvents: string;
  rules: RuleForm[];
};
export type FormErrors = Partial<Record<string, string>>;

/** The unit a threshold is in, per objective. */
export const THRESHOLD_UNIT: Partial<Record<SloId, string>> = {
  time_to_first_plan: 'seconds',
  council_review_latency_p95: 'seconds',
  approval_wait: 'seconds',
  model_throughput: 'tokens per second',
};

const trimmed = (s: number) => String(Number(s.toFixed(6)));

export function toForm(d: SloDefinition): SloForm {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    kind: d.kind,
    enabled: d.enabled,
    targetPercent: trimmed(d.target * 100),
    threshold: d.threshold === undefined ? '' : String(d.threshold),
    maxEvents: d.maxEvents === undefined ? '' : String(d.maxEvents),
    windowHours: trimmed(d.windowMs / 3600_000),
    minEvents: String(d.minEvents),
    rules: d.rules.map((r) => ({ name: r.name, severity: r.severity, factor: String(r.factor), longMinutes: trimmed(r.longWindowMs / 60_000), shortMinutes: trimmed(r.shortWindowMs / 60_000) })),
  };
}

const num = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} is required`)
    .refine((s) => Number.isFinite(Number(s)), `${what} must be a number`)
    .transform(Number);

const FormSchema = z.object({
  targetPercent: num('the target').pipe(z.number().gt(0, 'must be above 0%').lt(100, 'must be below 100% (no objective can promise every event)')),
  windowHours: num('the window').pipe(z.number().min(1, 'must be at least 1 hour').max(24 * 90, 'must be at most 90 days (2160 hours)')),
  minEvents: num('the minimum').pipe(z.number().int('must be a whole number').min(1, 'must be at least 1').max(10_000, 'must be at most 10000')),
  threshold: z.union([z.literal(''), num('the threshold').pipe(z.number().positive('must be above 0'))]),
  maxEvents: z.union([z.literal(''), num('the budget').pipe(z.number().int('must be a whole number').positive('must be at least 1'))]),
  rules: z.array(
    z.object({
      factor: num('the factor').pipe(z.number().positive('must be above 0').max(10_000, 'must be at most 10000')),
      longMinutes: num('the long window').pipe(z.number().int('must be whole minutes').min(1, 'must be at least 1 minute')),
      shortMinutes: num('the short window').pipe(z.number().int('must be whole minutes').min(1, 'must be at least 1 minute')),
    }),
  ),
});

/** The form's definition, or the messages keyed by field (`targetPercent`, `rules[0].factor`, …). */
export function fromForm(f: SloForm): { ok: true; definition: SloDefinition } | { ok: false; errors: FormErrors } {
  const checked = FormSchema.safeParse(f);
  const missing = [
    ...(THRESHOLD_UNIT[f.id] && !f.threshold.trim() ? [{ path: 'threshold', message: 'the threshold is required' }] : []),
    ...(f.kind === 'budget' && !f.maxEvents.trim() ? [{ path: 'maxEvents', message: 'the budget is required' }] : []),
  ];
  if (!checked.success || missing.length) {
    const issues = checked.success ? [] : checked.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
    return { ok: false, errors: keyed([...missing, ...issues]) };
  }
  const v = checked.data;
  const candidate = {
    id: f.id,
    name: f.name,
    description: f.description,
    kind: f.kind,
    target: v.targetPercent / 100,
    ...(v.threshold === '' ? {} : { threshold: v.threshold }),
    ...(v.maxEvents === '' ? {} : { maxEvents: v.maxEvents }),
    windowMs: Math.round(v.windowHours * 3600_000),
    minEvents: v.minEvents,
    rules: f.rules.map((r, i) => ({ name: r.name, severity: r.severity, factor: v.rules[i]!.factor, longWindowMs: v.rules[i]!.longMinutes * 60_000, shortWindowMs: v.rules[i]!.shortMinutes * 60_000 })),
    enabled: f.enabled,
  };
  const parsed = SloDefinition.safeParse(candidate);
  if (!parsed.success) return { ok: false, errors: fromContractIssues(parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }))) };
  return { ok: true, definition: parsed.data };
}

/** Contract paths (`definition.rules[0].shortWindowMs`, `target`) named as the form's fields. */
export function fromContractIssues(issues: readonly { path: string; message: string }[]): FormErrors {
  const field: Record<string, string> = { target: 'targetPercent', windowMs: 'windowHours', longWindowMs: 'longMinutes', shortWindowMs: 'shortMinutes' };
  return keyed(
    issues.map((i) => ({
      path: i.path
        .replace(/^definition\.?/, '')
        .split('.')
        .map((seg) => seg.replace(/^(\w+)/, (m) => field[m] ?? m))
        .join('.'),
      message: i.message,
    })),
  );
}

function keyed(issues: readonly { path: string; message: string }[]): FormErrors {
  const out: FormErrors = {};
  for (const i of issues) out[i.path || 'form'] ??= i.message;
  return out;
}

/** One line per change: what moved, from what to what. */
export function describeChange(c: SloChange): string {
  const a = c.after;
  const b = c.before;
  if (!b) return `changed from the shipped default (target ${trimmed(a.target * 100)}%, window ${trimmed(a.windowMs / 3600_000)} h${a.enabled ? '' : ', disabled'})`;
  const parts: string[] = [];
  if (a.target !== b.target) parts.push(`target ${trimmed(b.target * 100)}% → ${trimmed(a.target * 100)}%`);
  if (a.windowMs !== b.windowMs) parts.push(`window ${trimmed(b.windowMs / 3600_000)} h → ${trimmed(a.windowMs / 3600_000)} h`);
  if (a.threshold !== b.threshold) parts.push(`threshold ${b.threshold ?? 'none'} → ${a.threshold ?? 'none'}`);
  if (a.maxEvents !== b.maxEvents) parts.push(`budget ${b.maxEvents ?? 'none'} → ${a.maxEvents ?? 'none'}`);
  if (a.minEvents !== b.minEvents) parts.push(`minimum events ${b.minEvents} → ${a.minEvents}`);
  if (a.enabled !== b.enabled) parts.push(a.enabled ? 'enabled' : 'disabled');
  if (JSON.stringify(a.rules) !== JSON.stringify(b.rules)) parts.push('burn-rate rules changed');
  return parts.length ? parts.join(', ') : 'saved without changes';
}

import { DEFAULT_SLOS, SloDefinition } from '../../../shared/channels/slo';
import { AppFailure, describeZodError, formatPath } from '../../../shared/errors';

type Issue = { path: string; message: string };

/** Objectives whose events are judged against `threshold` (seconds, or tokens per second). */
const NEEDS_THRESHOLD = new Set(['time_to_first_plan', 'council_review_latency_p95', 'model_throughput', 'approval_wait']);

/**
 * A definition someone wants to save, checked as a whole: the schema first, then what the schema
 * cannot say (an objective keeps its kind; a latency needs its threshold; a burn rule's short window
 * is shorter than its long one, which fits in the objective's window). Every refusal names its field
 * under `definition.` as the channel's input does.
 */
export function checkDefinition(input: unknown): SloDefinition {
  const parsed = SloDefinition.safeParse(input);
  if (!parsed.success) {
    const { issues } = describeZodError(parsed.error);
    refuse(issues.map((i) => ({ path: i.path ? `definition.${i.path}` : 'definition', message: i.message })));
  }
  const d = parsed.data;
  const shipped = DEFAULT_SLOS.find((x) => x.id === d.id)!;
  const issues: Issue[] = [];
  const at = (...path: (string | number)[]) => `definition.${formatPath(path)}`;
  if (d.kind !== shipped.kind) issues.push({ path: at('kind'), message: `must stay ${shipped.kind}: ${shipped.name} counts its events that way` });
  if (d.kind === 'budget' && d.maxEvents === undefined) issues.push({ path: at('maxEvents'), message: 'a budget objective needs the most bad events it allows per window' });
  if (NEEDS_THRESHOLD.has(d.id) && d.threshold === undefined) issues.push({ path: at('threshold'), message: `${shipped.name} needs a threshold to judge each event by` });
  const names = new Set<string>();
  d.rules.forEach((r, i) => {
    if (names.has(r.name)) issues.push({ path: at('rules', i, 'name'), message: `another rule is already called ${r.name}` });
    names.add(r.name);
    if (r.shortWindowMs >= r.longWindowMs) issues.push({ path: at('rules', i, 'shortWindowMs'), message: 'must be shorter than the long window' });
    if (r.longWindowMs > d.windowMs) issues.push({ path: at('rules', i, 'longWindowMs'), message: "must fit in the objective's window" });
  });
  if (issues.length) refuse(issues);
  return d;
}

function refuse(issues: Issue[]): never {
  throw new AppFailure('invalid_input', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}

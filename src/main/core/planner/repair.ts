import { RETIRED_FIELDS, SPEC_FIELDS, SPEC_ID_PATTERN, normalizeScopeEntry } from '../../../shared/domain/working-spec';
import type { RiskTier } from '../../../shared/domain/task';

export type RepairContext = {
  riskTier: RiskTier;
  description: string;
  /** Digits for an id when the model's cannot be salvaged (derived from the task, so stable). */
  idNumber: string;
};

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

const MODE_SYNONYMS: Record<string, string> = {
  feat: 'feature', features: 'feature', development: 'feature', enhancement: 'feature',
  docs: 'doc', documentation: 'doc', bugfix: 'fix', bug: 'fix', hotfix: 'fix', refactoring: 'refactor', maintenance: 'chore',
};
const MODE_PREFIX: Record<string, string> = { feature: 'FEAT', fix: 'FIX', refactor: 'REFACTOR', doc: 'DOC', chore: 'CHORE' };
const CONTRACT_SYNONYMS: Record<string, string> = {
  openapi: 'api', graphql: 'api', rest: 'api', proto: 'schema', 'json-schema': 'schema', jsonschema: 'schema', pact: 'contract-test', test: 'contract-test',
};
const GLOB = /[*?[\]{}!]/;

/**
 * Deterministic fixes for what a model commonly gets almost right: retired field names, stray
 * fields, blank optional strings, unnumbered criteria, `./` paths, `5 minutes` for `5m`. Anything
 * that needs judgement (a missing contract, an empty scope) is left for validation to reject, so
 * the model is asked again rather than the planner inventing content.
 */
export function repairDraft(raw: unknown, ctx: RepairContext): { value: unknown; repairs: string[] } {
  if (!isRec(raw)) return { value: raw, repairs: [] };
  const repairs: string[] = [];
  const v: Rec = structuredClone(raw);

  if (v['acceptance'] === undefined && Array.isArray(v['acceptance_criteria'])) {
    v['acceptance'] = v['acceptance_criteria'];
    repairs.push('renamed acceptance_criteria to acceptance');
  }
  if (Array.isArray(v['acceptance'])) {
    for (const a of v['acceptance'].filter(isRec)) {
      if (a['test_command'] === undefined && typeof a['test'] === 'string') {
        a['test_command'] = a['test'];
        repairs.push('renamed acceptance[].test to test_command');
      }
      delete a['test'];
    }
  }
  if (isRec(v['non_functional'])) {
    const nf = v['non_functional'];
    for (const [old, now] of [['a11y', 'accessibility'], ['perf', 'performance']] as const) {
      if (nf[old] === undefined) continue;
      if (nf[now] === undefined && Array.isArray(nf[old])) nf[now] = nf[old];
      delete nf[old];
      repairs.push(`renamed non_functional.${old} to ${now}`);
    }
  }
  if (isRec(v['observability'])) {
    // The pre-CAWS-v1 mapping {logs, metrics, traces} becomes CAWS's list of statements.
    const obs = v['observability'];
    v['observability'] = Object.entries(obs).flatMap(([kind, items]) =>
      Array.isArray(items) ? items.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => `${kind.replace(/s$/, '')} ${x.trim()}`) : [],
    );
    repairs.push('turned observability into a list');
  }
  if (isRec(v['scope']) && v['scope']['in'] === undefined && Array.isArray(v['scope']['include'])) {
    v['scope']['in'] = v['scope']['include'];
    repairs.push('renamed scope.include to scope.in');
  }
  for (const key of Object.keys(v)) {
    if (!(SPEC_FIELDS as readonly string[]).includes(key)) {
      delete v[key];
      repairs.push(RETIRED_FIELDS[key] ? `removed retired field ${key}` : `removed unknown field ${key}`);
    }
  }
  if (isRec(v['scope'])) {
    for (const key of Object.keys(v['scope'])) if (!['in', 'out', 'support'].includes(key)) delete v['scope'][key];
  }

  stripBlank(v, repairs);

  if (v['risk_tier'] !== ctx.riskTier) {
    if (v['risk_tier'] !== undefined) repairs.push(`set risk_tier to the task's tier ${ctx.riskTier}`);
    v['risk_tier'] = ctx.riskTier;
  }
  if (v['lifecycle_state'] === undefined) v['lifecycle_state'] = 'draft';

  if (typeof v['mode'] === 'string') {
    const m = v['mode'].trim().toLowerCase();
    const mode = MODE_SYNONYMS[m] ?? m;
    if (mode !== v['mode']) repairs.push(`mode ${String(v['mode'])} -> ${mode}`);
    v['mode'] = mode;
  }

  const id = typeof v['id'] === 'string' ? v['id'] : '';
  const fixedId = repairId(id, typeof v['mode'] === 'string' ? v['mode'] : 'feature', ctx.idNumber);
  if (fixedId !== id) {
    repairs.push(`id ${JSON.stringify(id)} -> ${fixedId}`);
    v['id'] = fixedId;
  }

  if (typeof v['title'] !== 'string' || v['title'].trim().length < 5) {
    const title = ctx.description.trim().split('\n')[0]!.slice(0, 120);
    repairs.push('title taken from the task description');
    v['title'] = title.length >= 5 ? title : `Task: ${title}`;
  }

  if (isRec(v['scope'])) repairScope(v['scope'], repairs);

  if (Array.isArray(v['acceptance'])) {
    v['acceptance'] = v['acceptance'].filter(isRec);
    (v['acceptance'] as Rec[]).forEach((a, i) => {
      const want = `A${i + 1}`;
      if (a['id'] !== want) {
        repairs.push(`acceptance[${i}].id ${JSON.stringify(a['id'] ?? null)} -> ${want}`);
        a['id'] = want;
      }
    });
  }

  if (Array.isArray(v['contracts'])) {
    for (const c of v['contracts'].filter(isRec)) {
      if (typeof c['type'] === 'string') {
        const t = c['type'].trim().toLowerCase();
        const type = CONTRACT_SYNONYMS[t] ?? t;
        if (type !== c['type']) repairs.push(`contract type ${String(c['type'])} -> ${type}`);
        c['type'] = type;
      }
      if (typeof c['path'] === 'string') c['path'] = normalizeScopeEntry(c['path']);
    }
  }

  if (typeof v['operational_rollback_slo'] === 'string') {
    const slo = normalizeDuration(v['operational_rollback_slo']);
    if (slo && slo !== v['operational_rollback_slo']) {
      repairs.push(`operational_rollback_slo ${v['operational_rollback_slo']} -> ${slo}`);
      v['operational_rollback_slo'] = slo;
    }
  }

  // Optional sections left empty mean "none" outside tier 1, where they are not required.
  if (ctx.riskTier !== 1) {
    if (Array.isArray(v['rollback']) && v['rollback'].length === 0) delete v['rollback'];
    if (Array.isArray(v['observability']) && v['observability'].length === 0) delete v['observability'];
  }
  if (isRec(v['non_functional'])) {
    for (const [k, x] of Object.entries(v['non_functional'])) if (Array.isArray(x) && x.length === 0) delete v['non_functional'][k];
  }
  return { value: v, repairs };
}

function repairId(id: string, mode: string, digits: string): string {
  if (SPEC_ID_PATTERN.test(id)) return id;
  let candidate = id
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (candidate && !/^[A-Z]/.test(candidate)) candidate = `${MODE_PREFIX[mode] ?? 'TASK'}-${candidate}`;
  if (candidate && !/-\d+$/.test(candidate)) candidate = `${candidate}-${digits}`;
  return SPEC_ID_PATTERN.test(candidate) && candidate.length <= 40 ? candidate : `${MODE_PREFIX[mode] ?? 'TASK'}-${digits}`;
}

function repairScope(scope: Rec, repairs: string[]): void {
  const clean = (key: string, allowGlobs: boolean) => {
    const list = scope[key];
    if (!Array.isArray(list)) return;
    const seen = new Set<string>();
    const out: string[] = [];
    for (const item of list) {
      if (typeof item !== 'string') continue;
      const p = normalizeScopeEntry(item.replace(/^\/+/, ''));
      if (!p || p.split('/').includes('..') || (!allowGlobs && GLOB.test(p))) {
        repairs.push(`dropped scope.${key} entry ${JSON.stringify(item)}`);
        continue;
      }
      const keep = item.endsWith('/') && !p.endsWith('/') ? `${p}/` : p;
      if (seen.has(p)) continue;
      seen.add(p);
      out.push(keep);
    }
    scope[key] = out;
  };
  clean('in', true);
  clean('out', false);
  clean('support', true);
  if (Array.isArray(scope['out']) && Array.isArray(scope['in'])) {
    const admitted = [...(scope['in'] as string[]), ...(Array.isArray(scope['support']) ? (scope['support'] as string[]) : [])].map(normalizeScopeEntry);
    scope['out'] = (scope['out'] as string[]).filter((p) => {
      const o = normalizeScopeEntry(p);
      // An out entry equal to, or a folder around, an admitted path would refuse what the spec admits.
      const clash = admitted.some((a) => a === o || a.startsWith(`${o}/`));
      if (clash) repairs.push(`dropped scope.out entry ${p} that covers a path in scope.in or scope.support`);
      return !clash;
    });
  }
  for (const key of ['out', 'support']) if (Array.isArray(scope[key]) && (scope[key] as unknown[]).length === 0) delete scope[key];
}

/** Trims strings everywhere; drops blank strings from lists and blank optional fields. */
function stripBlank(node: Rec, repairs: string[]): void {
  for (const [key, value] of Object.entries(node)) {
    if (typeof value === 'string') {
      const t = value.trim();
      if (t === '' && (key === 'test_command' || key === 'path' || key === 'description' || key === 'closure_notes' || key === 'summary' || key === 'operational_rollback_slo')) {
        delete node[key];
      } else node[key] = t;
    } else if (Array.isArray(value)) {
      const kept = value.filter((x) => !(typeof x === 'string' && x.trim() === '')).map((x) => (typeof x === 'string' ? x.trim() : x));
      if (kept.length !== value.length) repairs.push(`dropped blank entries from ${key}`);
      node[key] = kept;
      for (const x of kept) if (isRec(x)) stripBlank(x, repairs);
    } else if (isRec(value)) stripBlank(value, repairs);
  }
}

export function normalizeDuration(text: string): string | undefined {
  const m = /^\s*(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (n <= 0) return undefined;
  const unit = m[2]!.toLowerCase()[0]!;
  return `${n}${unit}`;
}

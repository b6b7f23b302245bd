import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import { loopbackHost, type LoopbackHost } from '../testing/loopback-host';
import { API_PREFIX } from './routes';

/** Objectives and alerts over REST, and their series in /metrics read with a Prometheus parser. */
let core: ReturnType<typeof testCore>;
let host: LoopbackHost;

afterEach(async () => {
  await host?.stop();
  core?.cleanup();
});

async function start() {
  core = testCore({ slo: { evaluateEveryMs: 0 } });
  host = await loopbackHost({ core, api: { rateLimit: false } });
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${host.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${host.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  try {
    const json = JSON.parse(text) as { ok?: boolean; value?: unknown; error?: unknown };
    // The REST API answers `{ ok, value }` or `{ ok: false, error }`.
    return { status: res.status, body: json.ok === true ? json.value : json };
  } catch {
    return { status: res.status, body: text };
  }
}

function failTasks(n: number) {
  for (let i = 0; i < n; i++) {
    const t = core.tasks.submit({ description: `task ${i}`, repoPath: core.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
    core.journal.append(t.id, { type: 'task.failed', payload: { reason: 'gates failed' } }, `fail-${i}`);
  }
}

describe('SLOs and alerts over the API', () => {
  it('lists objectives and alerts, acknowledges and silences, and names a bad field', async () => {
    await start();
    failTasks(4);
    core.slo.evaluate();
    const slos = await call('GET', `${API_PREFIX}/slos`);
    expect(slos.status, JSON.stringify(slos.body).slice(0, 300)).toBe(200);
    const success = (slos.body as Array<{ definition: { id: string }; sli: number; meeting: boolean }>).find((s) => s.definition.id === 'task_success');
    expect(success).toMatchObject({ sli: 0, meeting: false });
    const alerts = (await call('GET', `${API_PREFIX}/alerts?state=firing`)).body as { alerts: Array<{ id: string; rule: string }> };
    expect(alerts.alerts.map((a) => a.rule).sort()).toEqual(['fast-burn', 'slow-burn']);
    const id = alerts.alerts[0]!.id;
    expect((await call('POST', `${API_PREFIX}/alerts/${encodeURIComponent(id)}/acknowledge`, { actor: 'ana' })).body).toMatchObject({ acknowledgedBy: 'ana' });
    const bad = await call('POST', `${API_PREFIX}/alerts/${encodeURIComponent(id)}/silence`, { actor: 'ana', untilMs: 5 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/untilMs/);
  });

  it('changes an objective with PUT, names a bad field with a 400, and lists who changed what', async () => {
    await start();
    const current = ((await call('GET', `${API_PREFIX}/slos`)).body as Array<{ definition: { id: string } & Record<string, unknown> }>).find((s) => s.definition.id === 'approval_wait')!.definition;
    const bad = await call('PUT', `${API_PREFIX}/slos`, { definition: { ...current, threshold: -5 }, actor: 'ana' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('definition.threshold');
    const sense = await call('PUT', `${API_PREFIX}/slos`, { definition: { ...current, windowMs: 3600_000 }, actor: 'ana' });
    expect(sense.status).toBe(400);
    expect(JSON.stringify(sense.body)).toMatch(/definition\.rules\[1\]\.longWindowMs/);
    const saved = await call('PUT', `${API_PREFIX}/slos`, { definition: { ...current, threshold: 600 }, actor: 'ana' });
    expect(saved.status, JSON.stringify(saved.body).slice(0, 300)).toBe(200);
    expect(saved.body).toMatchObject({ definition: { id: 'approval_wait', threshold: 600 } });
    const changes = await call('GET', `${API_PREFIX}/slos/changes?sloId=approval_wait`);
    expect(changes.status).toBe(200);
    expect(changes.body).toMatchObject([{ sloId: 'approval_wait', actor: 'ana', before: null, after: { threshold: 600 } }]);
  });

  it('exposes the SLO and alert series in valid Prometheus text with stable names and units', async () => {
    await start();
    failTasks(4);
    core.slo.evaluate();
    const res = await fetch(`${host.url}/metrics`, { headers: { authorization: `Bearer ${host.token}` } });
    const families = parsePrometheusTextFormat(await res.text());
    const byName = new Map(families.map((f) => [f.name, f]));
    for (const [name, type] of [
      ['agent_agency_slo_objective_ratio', 'GAUGE'],
      ['agent_agency_slo_sli_ratio', 'GAUGE'],
      ['agent_agency_slo_error_budget_remaining_ratio', 'GAUGE'],
      ['agent_agency_slo_burn_rate', 'GAUGE'],
      ['agent_agency_alert_firing', 'GAUGE'],
      ['agent_agency_alerts_fired_total', 'COUNTER'],
    ] as const) {
      expect(byName.get(name)?.type, name).toBe(type);
    }
    const sli = byName.get('agent_agency_slo_sli_ratio')!.metrics.find((m) => m.labels?.['slo'] === 'task_success');
    expect(sli?.value).toBe('0');
    const firing = byName.get('agent_agency_alert_firing')!.metrics.filter((m) => m.labels?.['slo'] === 'task_success');
    expect(firing.map((m) => m.labels?.['severity']).sort()).toEqual(['page', 'ticket']);
    expect(byName.get('agent_agency_alerts_fired_total')!.metrics).toContainEqual({ value: '2', labels: { slo: 'task_success' } });
    // The shipped Grafana dashboard and Prometheus rules read only series the app exports.
    for (const file of ['grafana-dashboard.json', 'prometheus-rules.yml']) {
      const text = readFileSync(join(__dirname, '../../../../resources/observability', file), 'utf8');
      const names = new Set([...text.matchAll(/agent_agency_[a-z_]+/g)].map((m) => m[0].replace(/_bucket$/, '')));
      expect(names.size).toBeGreaterThanOrEqual(3);
      for (const name of names) expect(byName.has(name), `${file} reads ${name}`).toBe(true);
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import { loopbackHost, type LoopbackHost } from '../testing/loopback-host';
import { API_PREFIX } from './routes';

/** Estimates and the Metrics page's analytics cache over REST, as a client reads them. */
let core: ReturnType<typeof testCore>;
let host: LoopbackHost;

afterEach(async () => {
  await host?.stop();
  await core?.provenance.whenIdle();
  core?.cleanup();
});

async function start() {
  core = testCore();
  host = await loopbackHost({ core, api: { rateLimit: false } });
}

async function call(method: string, path: string, { body }: { body?: unknown } = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${host.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${host.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: res.status, body: text };
  }
}

const submit = () => call('POST', `${API_PREFIX}/tasks`, { body: { description: 'Add input validation', repoPath: core.repo } });

describe('estimates and the analytics cache over REST', () => {
  it('estimates a task before submission and while it runs, saying when there is no history', async () => {
    await start();
    const before = await call('POST', `${API_PREFIX}/estimates`, { body: { riskTier: 2, mode: 'auto', repoPath: core.repo } });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ ok: true, value: { basis: { level: 'none', samples: 0 }, durationMs: null, features: { repoFiles: 0, sizeClass: 'under 100 files' } } });
    const bad = await call('POST', `${API_PREFIX}/estimates`, { body: { riskTier: 9 } });
    expect(bad.body).toMatchObject({ ok: false, error: { code: 'invalid_input', issues: [{ path: 'riskTier' }] } });
    const id = ((await submit()).body as { value: { id: string } }).value.id;
    const live = await call('GET', `${API_PREFIX}/tasks/${id}/estimate`);
    expect(live.body).toMatchObject({ ok: true, value: { taskId: id, remainingMs: null, progress: { activeMs: 0, tokens: 0, finished: false } } });
  });

  it("counts the analytics cache's hits, misses and size as the Metrics page is read", async () => {
    await start();
    await submit();
    // The page's first read computes its six figures; the next, with no new event, is served from the cache.
    await call('GET', `${API_PREFIX}/stats?windowMs=86400000`);
    await call('GET', `${API_PREFIX}/stats?windowMs=86400000`);
    const text = (await call('GET', '/metrics')).body as string;
    expect(text).toContain('# TYPE agent_agency_analytics_cache_hits_total counter');
    expect(text).toContain('agent_agency_analytics_cache_hits_total 6');
    expect(text).toContain('agent_agency_analytics_cache_misses_total 6');
    expect(text).toContain('agent_agency_analytics_cache_hit_ratio 0.5');
    expect(text).toContain('agent_agency_analytics_cache_entries{of="used"} 6');
    expect(text).toContain('agent_agency_analytics_cache_evictions_total{reason="entries"} 0');
  });

});

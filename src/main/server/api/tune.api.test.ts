import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import { ensureTestModel } from '../../core/models/testing/test-model';
import { loopbackHost, type LoopbackHost } from '../testing/loopback-host';
import { API_PREFIX } from './routes';

/** The runtime tuner over REST on loopback, with the real runtime and the tiny test model. */
let core: ReturnType<typeof testCore>;
let host: LoopbackHost;

afterEach(async () => {
  await host?.stop();
  await core?.tuning.close();
  core?.cleanup();
});

async function start() {
  core = testCore({ scheduler: { autoStart: false }, models: { threads: 1, gpu: false, idleUnloadMs: 0 } });
  await core.models.addByPath({ path: await ensureTestModel(), name: 'tiny' });
  host = await loopbackHost({ core, api: { rateLimit: false } });
}

async function call(method: string, path: string, { body, token = host.token }: { body?: unknown; token?: string } = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${host.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as unknown };
  } catch {
    return { status: res.status, body: text };
  }
}

describe('models tune over REST', () => {
  it('refuses a bad budget naming the field, then starts, reports and keeps the run', async () => {
    await start();
    for (const budget of [2, 61, 3.5, 'ten']) {
      const bad = await call('POST', `${API_PREFIX}/models/tiny/tune`, { body: { budget } });
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ ok: false, error: { code: 'invalid_input', issues: [{ path: 'budget' }] } });
    }
    expect((await call('POST', `${API_PREFIX}/models/tiny/tune`, { body: { budget: 3, speed: 'max' } })).body).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    // The same token rules as every route.
    expect((await call('POST', `${API_PREFIX}/models/tiny/tune`, { body: { budget: 3 }, token: 'wrong' })).status).toBe(401);
    expect((await call('GET', `${API_PREFIX}/models/tiny/tune`)).body).toEqual({ ok: true, value: null });
    expect((await call('POST', `${API_PREFIX}/models/nope/tune`, { body: { budget: 3 } })).body).toMatchObject({ ok: false, error: { code: 'not_found' } });

    const started = await call('POST', `${API_PREFIX}/models/tiny/tune`, { body: { budget: 3 } });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ ok: true, value: { model: 'tiny', state: 'running', budget: 3 } });
    const again = await call('POST', `${API_PREFIX}/models/tiny/tune`, { body: { budget: 3 } });
    expect(again.body).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/tiny is being tuned/) } });
    expect((await call('GET', `${API_PREFIX}/models`)).body).toMatchObject({ ok: true, value: { tuning: { model: 'tiny', budget: 3 } } });
    await core.tuning.idle();

    const last = await call('GET', `${API_PREFIX}/models/tiny/tune`);
    expect(last.body).toMatchObject({ ok: true, value: { model: 'tiny', state: 'completed', budget: 3, best: { threads: 1 } } });
    const run = (last.body as { value: { trials: unknown[]; defaultTps: number; bestTps: number; gain: number } }).value;
    expect(run.trials.length).toBeGreaterThanOrEqual(3);
    expect(run.defaultTps).toBeGreaterThan(0);
    expect(run.gain).toBeCloseTo(run.bestTps / run.defaultTps);
    expect((await call('POST', `${API_PREFIX}/models/tiny/tune/cancel`)).body).toMatchObject({ ok: false, error: { code: 'conflict', message: 'tiny is not being tuned' } });
    // Each trial reached the model event feed the Models page polls.
    const events = (await call('GET', `${API_PREFIX}/models/events?afterSeq=0`)).body as { value: { events: Array<{ type: string }> } };
    expect(events.value.events.filter((e) => e.type === 'model.tune_trial').length).toBe(run.trials.length);
  });

  it('cancels a run under way', async () => {
    await start();
    const firstTrial = new Promise<void>((resolve) => core.models.events.subscribe((e) => e.type === 'model.tune_trial' && resolve()));
    expect((await call('POST', `${API_PREFIX}/models/tiny/tune`, { body: { budget: 60 } })).status).toBe(202);
    await firstTrial;
    const cancelled = await call('POST', `${API_PREFIX}/models/tiny/tune/cancel`);
    expect(cancelled.body).toMatchObject({ ok: true, value: { state: 'cancelled', error: 'cancelled' } });
    expect((await call('GET', `${API_PREFIX}/models/tiny/tune`)).body).toMatchObject({ ok: true, value: { state: 'cancelled' } });
  });
});

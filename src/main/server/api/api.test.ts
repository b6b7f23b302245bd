import { get as httpGet } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileErrors, validate } from '@readme/openapi-parser';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import { channels } from '../../../shared/contract';
import { ScriptedSteps } from '../../core/engine/testing/scripted-steps';
import { startHeadlessHost, type HeadlessHost } from '../host';
import { resolveRoutes, type ApiOptions } from './index';
import { API_PREFIX, ROUTES, SUBMIT_BODY_LIMIT } from './routes';
import { HTTP_STATUS } from './status';
import { readSse, type SseMessage } from './sse-reader';

let core: ReturnType<typeof testCore>;
let host: HeadlessHost;
let renderer: ReturnType<typeof tempDir>;

afterEach(async () => {
  // fetch (undici) opens a spare socket after an aborted stream; it would hold close() for seconds.
  host?.app.server.closeAllConnections();
  await host?.close();
  await settle(core);
  renderer?.cleanup();
});

async function start(api: ApiOptions = { rateLimit: false }, coreOptions: Parameters<typeof testCore>[0] = {}) {
  core = testCore(coreOptions);
  renderer = tempDir('aa-renderer-');
  mkdirSync(renderer.dir, { recursive: true });
  writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>Agent Agency</title>');
  host = await startHeadlessHost({ core, rendererDir: renderer.dir, port: 0, api });
}

type Reply = { status: number; body: unknown; headers: Headers };

async function call(method: string, path: string, options: { body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? host.token : options.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${host.url}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (metrics): keep the text.
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

const submit = (description = 'Add input validation') =>
  call('POST', `${API_PREFIX}/tasks`, { body: { description, repoPath: core.repo } });

/** Status of one GET over a new TCP connection (fetch would reuse its keep-alive socket). */
function freshConnectionStatus(path: string): Promise<number> {
  const url = new URL(`${host.url}${path}`);
  return new Promise((resolve, reject) => {
    httpGet({ host: url.hostname, port: url.port, path: url.pathname, agent: false, headers: { authorization: `Bearer ${host.token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

/** Opens an event stream and collects its messages until `stop()`. */
async function stream(path: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(`${host.url}${path}`, {
    headers: { authorization: `Bearer ${host.token}`, ...headers },
    signal: controller.signal,
  });
  const messages: SseMessage[] = [];
  const done = (async () => {
    if (!res.body || res.status !== 200) return;
    try {
      for await (const m of readSse(res.body)) messages.push(m);
    } catch {
      // Aborted by stop().
    }
  })();
  return {
    res,
    messages,
    events: () => messages.map((m) => JSON.parse(m.data) as { seq: number; type: string; taskId: string }),
    async waitFor(n: number) {
      for (let i = 0; i < 300 && messages.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      return messages.length;
    },
    async stop() {
      controller.abort();
      await done;
    },
    /** Resolves once the body has ended: true when the server ended it, false when stop() cut it. */
    ended: () => done.then(() => !controller.signal.aborted),
  };
}

function progress(taskId: string, percent: number) {
  core.journal.append(taskId, { type: 'progress', payload: { percent, message: `at ${percent}` } }, `${taskId}:p${percent}`);
}

describe('REST API: access', () => {
  it('needs no token for /health but a correct bearer token everywhere else', async () => {
    await start();
    expect((await call('GET', '/health', { token: null })).status).toBe(200);
    const guarded = [
      ['GET', `${API_PREFIX}/tasks`],
      ['POST', `${API_PREFIX}/tasks`],
      ['GET', `${API_PREFIX}/openapi.json`],
      ['GET', `${API_PREFIX}/no-such-route`],
      ['GET', '/metrics'],
      ...resolveRoutes(ROUTES).served.map(({ route }) => [route.method, `${API_PREFIX}${route.path.replace(/:\w+/g, 'tsk_0000000000')}`]),
    ] as const;
    for (const [method, path] of guarded) {
      const missing = await call(method, path, { token: null });
      expect(missing.status, `${method} ${path} without token`).toBe(401);
      expect(missing.body).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const wrong = await call(method, path, { token: 'x'.repeat(host.token.length) });
      expect(wrong.status, `${method} ${path} with a wrong token`).toBe(401);
      expect((await call(method, path, { token: host.token.slice(1) })).status).toBe(401);
    }
    // A token in the query string is not accepted: it would end up in logs and histories.
    expect((await call('GET', `${API_PREFIX}/tasks?token=${host.token}`, { token: null })).status).toBe(401);
  });

  it('limits each client per window, answers 429 with the error as data, and never limits /health', async () => {
    await start({ rateLimit: { max: 3, timeWindowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await call('GET', `${API_PREFIX}/tasks`)).status).toBe(200);
    const limited = await call('GET', `${API_PREFIX}/tasks`);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ ok: false, error: { code: 'rate_limited', message: expect.stringMatching(/rate limit of 3/) } });
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect((await call('GET', '/metrics')).status).toBe(429);
    for (let i = 0; i < 10; i++) expect((await call('GET', '/health', { token: null })).status).toBe(200);
    // Neither a header the client chooses nor a new connection buys budget: the key is the token.
    const other = { headers: { 'x-client-id': 'script-2' } };
    expect((await call('GET', `${API_PREFIX}/tasks`, other)).status).toBe(429);
    expect(await freshConnectionStatus(`${API_PREFIX}/tasks`)).toBe(429);
  });
});

describe('REST API: tasks', () => {
  it('creates, lists (with query filters) and reads tasks through the contract', async () => {
    await start();
    const created = await submit();
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ok: true, value: { description: 'Add input validation', state: { kind: 'queued' }, mode: 'dry-run' } });
    const id = (created.body as { value: { id: string } }).value.id;
    await submit('A second task');

    const all = await call('GET', `${API_PREFIX}/tasks`);
    expect(all.status).toBe(200);
    expect((all.body as { value: unknown[] }).value).toHaveLength(2);
    const limited = await call('GET', `${API_PREFIX}/tasks?limit=1&states=queued,paused&search=second`);
    expect(limited.body).toMatchObject({ ok: true, value: [{ description: 'A second task' }] });
    expect(((await call('GET', `${API_PREFIX}/tasks?states=completed`)).body as { value: unknown[] }).value).toEqual([]);

    const one = await call('GET', `${API_PREFIX}/tasks/${id}`);
    expect(one.body).toMatchObject({ ok: true, value: { task: { id }, events: [{ type: 'task.created', seq: 1 }] } });
    const missing = await call('GET', `${API_PREFIX}/tasks/tsk_0000000000zz`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('answers malformed input with 400 naming each bad field', async () => {
    await start();
    const bad = await call('POST', `${API_PREFIX}/tasks`, {
      body: { description: 'x', repoPath: '', mode: 'yolo', riskTier: 7, maxIterations: 0, colour: 'red' },
    });
    expect(bad.status).toBe(400);
    const error = (bad.body as { error: { code: string; issues: { path: string; message: string }[] } }).error;
    expect(error.code).toBe('invalid_input');
    const paths = error.issues.map((i) => i.path);
    for (const field of ['description', 'repoPath', 'mode', 'riskTier', 'maxIterations']) expect(paths).toContain(field);
    expect(error.issues.some((i) => i.message.includes('colour'))).toBe(true);

    const relative = await call('POST', `${API_PREFIX}/tasks`, { body: { description: 'Relative path', repoPath: 'repo' } });
    expect(relative.body).toMatchObject({ error: { code: 'invalid_input', issues: [{ path: 'repoPath' }] } });

    const notJson = await call('POST', `${API_PREFIX}/tasks`, { raw: '{"description": ' });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

    // A submit may carry attachments (up to SUBMIT_BODY_LIMIT); a body above that is refused unread.
    const huge = await call('POST', `${API_PREFIX}/tasks`, { body: { description: 'x'.repeat(SUBMIT_BODY_LIMIT + 1000), repoPath: core.repo } });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ ok: false, error: { code: 'invalid_input' } });

    const array = await call('POST', `${API_PREFIX}/tasks`, { body: [1, 2] });
    expect(array.body).toMatchObject({ error: { code: 'invalid_input', issues: [{ path: 'body' }] } });

    const query = await call('GET', `${API_PREFIX}/tasks?limit=ten&states=sleeping`);
    expect(query.status).toBe(400);
    const qPaths = (query.body as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path);
    expect(qPaths).toEqual(expect.arrayContaining(['limit', 'states[0]']));

    const badId = await call('GET', `${API_PREFIX}/tasks/not-a-task`);
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({ error: { issues: [{ path: 'id' }] } });

    const unknown = await call('GET', `${API_PREFIX}/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('REST API: event streams', () => {
  it("streams a task's history, then live events, with the sequence number as the event id", async () => {
    await start();
    const id = ((await submit()).body as { value: { id: string } }).value.id;
    const s = await stream(`${API_PREFIX}/tasks/${id}/events`);
    expect(s.res.status).toBe(200);
    expect(s.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await s.waitFor(1);
    progress(id, 10);
    progress(id, 20);
    await s.waitFor(3);
    await s.stop();
    expect(s.events().map((e) => [e.seq, e.type])).toEqual([
      [1, 'task.created'],
      [2, 'progress'],
      [3, 'progress'],
    ]);
    expect(s.messages.map((m) => m.id)).toEqual(['1', '2', '3']);
  });

  it('resumes after Last-Event-ID or ?after= without gaps or repeats, and filters by task', async () => {
    await start();
    const a = ((await submit('Task A')).body as { value: { id: string } }).value.id;
    const b = ((await submit('Task B')).body as { value: { id: string } }).value.id;
    progress(a, 10); // seq 3
    progress(b, 10); // seq 4
    progress(a, 50); // seq 5

    const fromHeader = await stream(`${API_PREFIX}/tasks/${a}/events?after=0`, { 'last-event-id': '3' });
    await fromHeader.waitFor(1);
    progress(a, 90); // seq 6
    await fromHeader.waitFor(2);
    await fromHeader.stop();
    expect(fromHeader.events().map((e) => e.seq)).toEqual([5, 6]);

    const fromQuery = await stream(`${API_PREFIX}/tasks/${a}/events?after=1`);
    await fromQuery.waitFor(3);
    await fromQuery.stop();
    expect(fromQuery.events().map((e) => e.seq)).toEqual([3, 5, 6]);

    const global = await stream(`${API_PREFIX}/events?after=4`);
    await global.waitFor(2);
    progress(b, 70); // seq 7
    await global.waitFor(3);
    await global.stop();
    expect(global.events().map((e) => [e.seq, e.taskId])).toEqual([
      [5, a],
      [6, a],
      [7, b],
    ]);
  });

  it('ends open streams when the host closes, so it can stop', async () => {
    await start();
    const id = ((await submit()).body as { value: { id: string } }).value.id;
    const s = await stream(`${API_PREFIX}/tasks/${id}/events`);
    await s.waitFor(1);
    await host.close();
    // The host ended the stream itself; the client did not have to let go first.
    expect(await s.ended()).toBe(true);
    await s.stop();
    expect(s.events().map((e) => e.type)).toEqual(['task.created']);
  });

  it('refuses a bad position or an unknown task before opening the stream', async () => {
    await start();
    const bad = await call('GET', `${API_PREFIX}/events?after=-4`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'invalid_input', issues: [{ path: 'after' }] } });
    const badHeader = await call('GET', `${API_PREFIX}/events`, { headers: { 'last-event-id': 'yesterday' } });
    expect(badHeader.body).toMatchObject({ error: { issues: [{ path: 'Last-Event-ID' }] } });
    const unknown = await call('GET', `${API_PREFIX}/tasks/tsk_0000000000zz/events`);
    expect(unknown.status).toBe(404);
  });
});

describe('REST API: steering a running task', () => {
  const actor = { who: 'ana', via: 'api' };
  const withEngine = (delayMs: number) => start({ rateLimit: false }, { steps: new ScriptedSteps({ delayMs }), scheduler: { autoStart: false } });
  const stateOf = async (id: string) => ((await call('GET', `${API_PREFIX}/tasks/${id}`)).body as { value: { task: { state: { kind: string } } } }).value.task.state;
  async function until(id: string, kind: string) {
    for (let i = 0; i < 300; i++) {
      if ((await stateOf(id)).kind === kind) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`task never reached ${kind}; it is ${(await stateOf(id)).kind}`);
  }

  it('pauses, resumes, guides and cancels a task; refuses what its state does not allow', async () => {
    await withEngine(300);
    const id = ((await submit()).body as { value: { id: string } }).value.id;
    await until(id, 'planning');
    const paused = await call('POST', `${API_PREFIX}/tasks/${id}/pause`, { body: { actor } });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ ok: true, value: { id, state: { kind: 'paused', from: 'planning' } } });
    const resumed = await call('POST', `${API_PREFIX}/tasks/${id}/resume`, { body: { actor } });
    expect(resumed.body).toMatchObject({ ok: true, value: { state: { kind: 'planning' } } });
    const guided = await call('POST', `${API_PREFIX}/tasks/${id}/guidance`, { body: { actor, text: 'keep the public API as it is' } });
    expect(guided.status).toBe(200);
    const override = await call('POST', `${API_PREFIX}/tasks/${id}/override`, { body: { actor, decision: 'accept', reason: 'looks right' } });
    expect(override.status).toBe(409);
    expect(override.body).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const cancelled = await call('POST', `${API_PREFIX}/tasks/${id}/cancel`, { body: { actor, reason: 'wrong repository' } });
    expect(cancelled.body).toMatchObject({ ok: true, value: { state: { kind: 'cancelled', reason: 'wrong repository' } } });
    const again = await call('POST', `${API_PREFIX}/tasks/${id}/pause`, { body: { actor } });
    expect(again.status).toBe(409);
    const events = ((await call('GET', `${API_PREFIX}/tasks/${id}`)).body as { value: { events: { type: string; payload: { actor?: unknown } }[] } }).value.events;
    expect(events.find((e) => e.type === 'task.paused')?.payload.actor).toEqual(actor);
    expect(events.some((e) => e.type === 'task.guidance')).toBe(true);
  });

  it('names the missing actor and refuses the engine\'s own voice', async () => {
    await withEngine(300);
    const id = ((await submit()).body as { value: { id: string } }).value.id;
    const none = await call('POST', `${API_PREFIX}/tasks/${id}/pause`);
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ error: { issues: [{ path: 'actor' }] } });
    const system = await call('POST', `${API_PREFIX}/tasks/${id}/pause`, { body: { actor: { who: 'x', via: 'system' } } });
    expect(system.body).toMatchObject({ error: { issues: [{ path: 'actor.via' }] } });
  });

  it('approves and denies in strict mode, recording who decided', async () => {
    await withEngine(10);
    const a = ((await call('POST', `${API_PREFIX}/tasks`, { body: { description: 'Strict one', repoPath: core.repo, mode: 'strict' } })).body as { value: { id: string } }).value.id;
    await until(a, 'awaiting_approval');
    expect(await stateOf(a)).toMatchObject({ waitingFor: 'plan' });
    const wrongGate = await call('POST', `${API_PREFIX}/tasks/${a}/approve`, { body: { actor, gate: 'apply' } });
    expect(wrongGate.status).toBe(409);
    const approved = await call('POST', `${API_PREFIX}/tasks/${a}/approve`, { body: { actor, gate: 'plan' } });
    expect(approved.status).toBe(200);
    expect((approved.body as { value: { state: { kind: string } } }).value.state.kind).not.toBe('awaiting_approval');

    const b = ((await call('POST', `${API_PREFIX}/tasks`, { body: { description: 'Strict two', repoPath: core.repo, mode: 'strict' } })).body as { value: { id: string } }).value.id;
    await until(b, 'awaiting_approval');
    const noReason = await call('POST', `${API_PREFIX}/tasks/${b}/deny`, { body: { actor } });
    expect(noReason.body).toMatchObject({ error: { issues: [{ path: 'reason' }] } });
    const denied = await call('POST', `${API_PREFIX}/tasks/${b}/deny`, { body: { actor, reason: 'the plan touches billing' } });
    expect(denied.status).toBe(200);
    const events = ((await call('GET', `${API_PREFIX}/tasks/${b}`)).body as { value: { events: { type: string; payload: Record<string, unknown> }[] } }).value.events;
    expect(events.find((e) => e.type === 'approval.denied')?.payload).toMatchObject({ actor, reason: 'the plan touches billing' });
  });

  it('gives a standing approval with a scope, lists it and revokes it; the next gate stops again', async () => {
    await withEngine(300);
    const id = ((await call('POST', `${API_PREFIX}/tasks`, { body: { description: 'Strict standing', repoPath: core.repo, mode: 'strict' } })).body as { value: { id: string } }).value.id;
    await until(id, 'awaiting_approval');
    const badScope = await call('POST', `${API_PREFIX}/tasks/${id}/approve`, { body: { actor, gate: 'plan', scope: 'forever' } });
    expect(badScope.status).toBe(400);
    expect(badScope.body).toMatchObject({ error: { issues: [{ path: 'scope' }] } });
    const approved = await call('POST', `${API_PREFIX}/tasks/${id}/approve`, { body: { actor, gate: 'plan', scope: 'task' } });
    expect(approved.status).toBe(200);
    const listed = await call('GET', `${API_PREFIX}/tasks/${id}/standing-approvals`);
    expect(listed.body).toMatchObject({ ok: true, value: [{ taskId: id, scope: 'task', gate: 'plan', covers: ['plan', 'changeset', 'apply'], actor, revokedAt: null }] });
    const approvalId = (listed.body as { value: { id: number }[] }).value[0]!.id;

    const unknown = await call('POST', `${API_PREFIX}/tasks/${id}/standing-approvals/revoke`, { body: { actor, approvalId: approvalId + 100 } });
    expect(unknown.status).toBe(404);
    const revoked = await call('POST', `${API_PREFIX}/tasks/${id}/standing-approvals/revoke`, { body: { actor, approvalId } });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ ok: true, value: { id: approvalId, revokedBy: actor } });
    const again = await call('POST', `${API_PREFIX}/tasks/${id}/standing-approvals/revoke`, { body: { actor, approvalId } });
    expect(again.status).toBe(409);
    expect((await call('GET', `${API_PREFIX}/tasks/${id}/standing-approvals`)).body).toMatchObject({ ok: true, value: [] });
    expect((await call('GET', `${API_PREFIX}/tasks/${id}/standing-approvals?includeRevoked=true`)).body).toMatchObject({ value: [{ id: approvalId }] });

    // The changeset is not covered any more: it waits for a human.
    await until(id, 'awaiting_approval');
    expect(await stateOf(id)).toMatchObject({ waitingFor: 'changeset' });
    const events = ((await call('GET', `${API_PREFIX}/tasks/${id}`)).body as { value: { events: { type: string; payload: Record<string, unknown> }[] } }).value.events;
    expect(events.find((e) => e.type === 'approval.revoked')?.payload).toEqual({ approvalId, gate: 'plan', scope: 'task', actor });
    expect(events.filter((e) => e.type === 'approval.granted')).toHaveLength(1);
  });

  it('streams a dry-run from submission to completion', async () => {
    await withEngine(5);
    const id = ((await submit()).body as { value: { id: string } }).value.id;
    const s = await stream(`${API_PREFIX}/tasks/${id}/events`);
    for (let i = 0; i < 300 && !s.events().some((e) => e.type === 'task.completed'); i++) await new Promise((r) => setTimeout(r, 10));
    await s.stop();
    const types = s.events().map((e) => e.type);
    expect(types[0]).toBe('task.created');
    expect(types).toContain('phase.started');
    expect(types).toContain('task.completed');
    expect(await stateOf(id)).toEqual({ kind: 'completed' });
    const seqs = s.events().map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  });
});

describe('REST API: governance, provenance and models', () => {
  const SPEC = `id: FEAT-0042
title: Validate the signup form input
risk_tier: 3
mode: feature
lifecycle_state: draft
blast_radius: { modules: [signup], data_migration: false }
scope: { in: [src/signup/] }
invariants: [Existing accounts can still sign in]
acceptance:
  - { id: A1, given: an empty email, when: the form is submitted, then: the email field shows an error }
non_functional: {}
contracts: []
`;

  it('validates specs, naming each bad field', async () => {
    await start();
    const good = await call('POST', `${API_PREFIX}/specs/validate`, { body: { yaml: SPEC } });
    expect(good.body).toMatchObject({ ok: true, value: { valid: true, spec: { id: 'FEAT-0042' } } });
    const bad = await call('POST', `${API_PREFIX}/specs/validate`, { body: { yaml: SPEC.replace('risk_tier: 3', 'risk_tier: 9').replace('id: A1', 'id: Z1') } });
    expect(bad.status).toBe(200);
    const issues = (bad.body as { value: { valid: boolean; issues: { path: string }[] } }).value;
    expect(issues.valid).toBe(false);
    expect(issues.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['risk_tier', 'acceptance[0].id']));
  });

  it('creates, approves, lists and revokes a waiver', async () => {
    await start();
    const created = await call('POST', `${API_PREFIX}/waivers`, {
      body: { title: 'Wider budget for the migration', gates: ['budget'], reason: 'the schema change touches many files', createdBy: 'ana', expiresAt: Date.now() + 86_400_000, allSpecs: true },
    });
    expect(created.status).toBe(201);
    const id = (created.body as { value: { id: string; status: string } }).value.id;
    expect(created.body).toMatchObject({ value: { status: 'pending' } });
    expect((await call('POST', `${API_PREFIX}/waivers/${id}/approve`, { body: { approver: 'ben' } })).body).toMatchObject({ ok: true, value: { status: 'active', approver: 'ben' } });
    expect((await call('GET', `${API_PREFIX}/waivers`)).body).toMatchObject({ ok: true, value: [{ id, status: 'active' }] });
    const revoked = await call('POST', `${API_PREFIX}/waivers/${id}/revoke`, { body: { revokedBy: 'ana', reason: 'migration done' } });
    expect(revoked.body).toMatchObject({ ok: true, value: { status: 'revoked' } });
    const badGate = await call('POST', `${API_PREFIX}/waivers`, { body: { title: 'x', gates: ['speed'], reason: 'short', createdBy: '', expiresAt: 'soon' } });
    expect(badGate.status).toBe(400);
    const paths = (badGate.body as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['title', 'gates[0]', 'reason', 'createdBy', 'expiresAt']));
  });

  it("exports a task's audit bundle and verifies it", async () => {
    await start();
    const id = ((await submit()).body as { value: { id: string } }).value.id;
    const exported = await call('POST', `${API_PREFIX}/tasks/${id}/bundle`, { body: { inline: true } });
    expect(exported.status).toBe(201);
    const bundle = (exported.body as { value: { sha256: string; base64: string } }).value;
    expect(bundle.sha256).toMatch(/^[0-9a-f]{64}$/);
    const content = Buffer.from(bundle.base64, 'base64').toString('utf8');
    const verified = await call('POST', `${API_PREFIX}/bundles/verify`, { body: { content } });
    expect(verified.body).toMatchObject({ ok: true, value: { ok: true, taskId: id, problems: [] } });
    const tampered = await call('POST', `${API_PREFIX}/bundles/verify`, { body: { content: content.replace('Add input validation', 'Add input validatioN') } });
    expect(tampered.body).toMatchObject({ ok: true, value: { ok: false } });
  });

  it('reads the database through the explorer routes and refuses a write', async () => {
    await start();
    await submit();
    const tables = await call('GET', `${API_PREFIX}/explorer/tables`);
    expect(tables.status).toBe(200);
    expect(tables.body).toMatchObject({ ok: true, value: expect.arrayContaining([expect.objectContaining({ name: 'tasks' })]) });
    const read = await call('POST', `${API_PREFIX}/explorer/query`, { body: { sql: 'SELECT count(*) AS n FROM tasks' } });
    expect(read.body).toMatchObject({ ok: true, value: { columns: ['n'], rows: [[1]] } });
    const write = await call('POST', `${API_PREFIX}/explorer/query`, { body: { sql: 'DELETE FROM tasks' } });
    expect(write.status).toBeGreaterThanOrEqual(400);
    expect(core.tasks.list({ limit: 10 })).toHaveLength(1);
  });

  it('rotates the token: the old one is refused at once, the new one works', async () => {
    await start();
    const old = host.token;
    const rotated = await call('POST', `${API_PREFIX}/access/token/rotate`, { body: {} });
    expect(rotated.status).toBe(200);
    const fresh = (rotated.body as { value: { token: string } }).value.token;
    expect(fresh).not.toBe(old);
    expect((await call('GET', `${API_PREFIX}/tasks`, { token: old })).status).toBe(401);
    expect((await call('GET', `${API_PREFIX}/tasks`, { token: fresh })).status).toBe(200);
  });

  it('reads the model registry and names a bad model file', async () => {
    await start();
    const snapshot = await call('GET', `${API_PREFIX}/models`);
    expect(snapshot.body).toMatchObject({ ok: true, value: { models: [], roles: expect.any(Array) } });
    const missing = await call('POST', `${API_PREFIX}/models`, { body: { path: join(core.repo, 'missing.gguf') } });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(missing.body).toMatchObject({ ok: false });
    const badName = await call('POST', `${API_PREFIX}/models/bad name!/load`);
    expect(badName.body).toMatchObject({ error: { issues: [{ path: 'name' }] } });
  });
});

describe('REST API: every route', () => {
  it('serves every table row whose channel exists, each path parameter filling an input field', () => {
    const { served, skipped } = resolveRoutes(ROUTES);
    // A row is skipped only while its channel is missing, never because its fields do not match.
    expect(skipped.filter((s) => Object.hasOwn(channels, s.route.channel))).toEqual([]);
    for (const name of ['submitTask', 'listTasks', 'getTask', 'subscribe']) {
      expect(served.some((s) => s.route.channel === name)).toBe(true);
    }
  });

  it('routes every served row to its channel: the reply is the contract envelope with the mapped status', async () => {
    await start();
    for (const { route } of resolveRoutes(ROUTES).served) {
      if (route.stream) continue; // covered above
      const path = `${API_PREFIX}${route.path}`.replace(/:(\w+)/g, (_m, p: string) => (p === 'id' ? 'tsk_0000000000zz' : 'x'));
      // An unknown field is refused by every strict input schema, proving the request reached it.
      const r = route.method === 'GET' || route.method === 'DELETE'
        ? await call(route.method, `${path}?notAField=1`)
        : await call(route.method, path, { body: { notAField: 1 } });
      const reply = r.body as { ok: boolean; error?: { code: string; message: string } };
      expect(typeof reply.ok, `${route.method} ${route.path} answers the contract envelope`).toBe('boolean');
      if (reply.ok) {
        // A lenient schema ignored the extra field and the channel answered.
        expect(r.status).toBe(route.status ?? 200);
      } else {
        expect(r.status, `${route.method} ${route.path}: ${reply.error!.message}`).toBe(HTTP_STATUS[reply.error!.code as keyof typeof HTTP_STATUS]);
      }
    }
  });
});

describe('metrics and OpenAPI', () => {
  it('exposes task counts, events and HTTP request counts and latency in Prometheus text', async () => {
    await start();
    await submit();
    await submit('Another one');
    await call('GET', `${API_PREFIX}/tasks`);
    host.app.metrics.gauge({ name: 'agent_agency_test_gauge', help: 'Added by another part.', collect: () => [{ value: 42 }] });
    const m = await call('GET', '/metrics');
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = m.body as string;
    expect(text).toContain('# TYPE agent_agency_tasks gauge');
    expect(text).toContain('agent_agency_tasks{state="queued"} 2');
    expect(text).toContain('agent_agency_tasks{state="completed"} 0');
    expect(text).toContain('agent_agency_events_total 2');
    expect(text).toMatch(/agent_agency_http_requests_total\{method="POST",route="\/api\/v1\/tasks",status="201"\} 2/);
    expect(text).toMatch(/agent_agency_http_request_duration_seconds_bucket\{method="GET",route="\/api\/v1\/tasks",le="\+Inf"\} 1/);
    expect(text).toContain('agent_agency_test_gauge 42');
  });

  it('serves an OpenAPI 3.1 document, generated from the contract, that validates', async () => {
    await start();
    const doc = await call('GET', `${API_PREFIX}/openapi.json`);
    expect(doc.status).toBe(200);
    const spec = doc.body as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    expect(spec.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(spec) as never);
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(result.valid).toBe(true);
    const ops = Object.values(spec.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    for (const { route } of resolveRoutes(ROUTES).served) expect(ops).toContain(route.operationId ?? route.channel);
    const submitOp = spec.paths['/api/v1/tasks']!['post'] as unknown as {
      requestBody: { content: { 'application/json': { schema: { required: string[]; properties: Record<string, unknown> } } } };
    };
    const body = submitOp.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(expect.arrayContaining(['description', 'repoPath']));
    expect(body.properties['mode']).toMatchObject({ enum: ['dry-run', 'auto', 'strict'] });
  });
});

/**
 * Closes the core and removes its folder once the provenance writer is idle: a signature or audit
 * mirror started before close would otherwise write the folder back after it was removed.
 */
async function settle(c: { provenance: { whenIdle(): Promise<void> }; cleanup(): void } | undefined): Promise<void> {
  if (!c) return;
  await c.provenance.whenIdle();
  c.cleanup();
  await c.provenance.whenIdle();
  c.cleanup();
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../test/helpers';
import type { AgentEvent } from '../../shared/domain/events';
import { ScriptedSteps } from '../../main/core/engine/testing/scripted-steps';
import { startHeadlessHost, type HeadlessHost } from '../../main/server/host';
import { cliActor } from '../actor';
import { CommandContext } from '../context';
import { EXIT } from '../exit-codes';
import { memoryIo } from '../testing';
import { watchTask } from '../watch/watch';
import { RemoteClient } from './remote';

let core: ReturnType<typeof testCore>;
let host: HeadlessHost;
let renderer: ReturnType<typeof tempDir>;
let client: RemoteClient | undefined;

afterEach(async () => {
  await client?.close();
  host?.app.server.closeAllConnections();
  await host?.close();
  await settle(core);
  renderer?.cleanup();
});

async function start(delayMs = 10) {
  core = testCore({ steps: new ScriptedSteps({ delayMs }), scheduler: { autoStart: false } });
  renderer = tempDir('aa-renderer-');
  mkdirSync(renderer.dir, { recursive: true });
  writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html>');
  host = await startHeadlessHost({ core, rendererDir: renderer.dir, port: 0, api: { rateLimit: false } });
  client = new RemoteClient({ url: host.url, token: host.token, maxReconnects: 3 });
  return client;
}

describe('the remote client', () => {
  it('turns channel calls into REST requests and answers with the contract values', async () => {
    const c = await start();
    expect(c.has('submitTask')).toBe(true);
    expect(c.has('subscribe')).toBe(false); // events come through follow()
    const submitted = await c.call('submitTask', { description: 'Over REST', repoPath: core.repo, mode: 'dry-run' });
    expect(submitted).toMatchObject({ ok: true, value: { description: 'Over REST' } });
    const id = submitted.ok ? submitted.value.id : '';
    expect(await c.call('listTasks', { states: ['queued', 'planning', 'completed', 'reviewing_plan', 'executing', 'verifying', 'reviewing_change', 'applying'], limit: 5 })).toMatchObject({ ok: true, value: [{ id }] });
    expect(await c.call('getTask', { id })).toMatchObject({ ok: true, value: { task: { id } } });
    expect(await c.call('getTask', { id: 'tsk_0000000000zz' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await c.call('submitTask', { description: 'x', repoPath: '' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', issues: expect.arrayContaining([expect.objectContaining({ path: 'repoPath' })]) },
    });
  });

  it('watches a task to completion over Server-Sent Events', async () => {
    const c = await start();
    const submitted = await c.call('submitTask', { description: 'Watched remotely', repoPath: core.repo });
    if (!submitted.ok) throw new Error(submitted.error.message);
    const io = memoryIo();
    expect(await watchTask(new CommandContext(io, {}), c, submitted.value)).toBe(EXIT.ok);
    expect(io.text()).toContain('state: completed');
  });

  it('resumes a dropped event stream where it stopped, without repeats', async () => {
    const c = await start(150);
    const submitted = await c.call('submitTask', { description: 'Dropped stream', repoPath: core.repo });
    if (!submitted.ok) throw new Error(submitted.error.message);
    const seen: AgentEvent[] = [];
    const sub = await c.follow({ taskId: submitted.value.id, afterSeq: 0 }, (e) => seen.push(e));
    expect(sub.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    host.app.server.closeAllConnections(); // the network drops
    for (let i = 0; i < 400 && !seen.some((e) => e.type === 'task.completed'); i++) await new Promise((r) => setTimeout(r, 10));
    const seqs = seen.map((e) => e.seq);
    expect(seen.some((e) => e.type === 'task.completed')).toBe(true);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const all = await c.call('getTask', { id: submitted.value.id });
    const stored = all.ok ? all.value.events.map((e) => e.seq).filter((s) => s <= Math.max(...seqs)) : [];
    expect(seqs).toEqual(stored);
  });

  it('steers a task through the instance', async () => {
    const c = await start(300);
    const submitted = await c.call('submitTask', { description: 'Steered', repoPath: core.repo });
    if (!submitted.ok) throw new Error(submitted.error.message);
    const cancelled = await c.call('cancelTask', { id: submitted.value.id, actor: cliActor(), reason: 'not needed' });
    expect(cancelled).toMatchObject({ ok: true, value: { state: { kind: 'cancelled' } } });
  });

  it('reports a wrong token and an unreachable instance as errors with codes', async () => {
    await start();
    const wrong = new RemoteClient({ url: host.url, token: 'nope' });
    expect(await wrong.call('listTasks', { limit: 1 })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await wrong.follow({}, () => undefined)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const gone = new RemoteClient({ url: 'http://127.0.0.1:9', token: 't' });
    expect(await gone.call('listTasks', { limit: 1 })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
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

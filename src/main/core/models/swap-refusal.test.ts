import { openSync, closeSync, ftruncateSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { listRoles } from '../db/queries/models';
import { readModelFile } from './gguf/read-model-file';
import { ensureTestModel } from './testing/test-model';
import { roomFor, serviceFixture, type ServiceFixture } from './testing/service-fixture';

let fx: ServiceFixture;
// Closing waits for a refused swap's load to settle; on a loaded CI machine that took over 60 s once.
afterEach(async () => fx?.close(), 180_000);

const until = async (check: () => boolean, what: string, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** Cuts a registered model file to half its size on disk: a real file node-llama-cpp cannot load. */
function damage(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, Math.floor(statSync(path).size / 2));
  } finally {
    closeSync(fd);
  }
}

/** Calls on the worker role in three loops until stopped; every answer's model and every failure. */
function callsUnderLoad(fx: ServiceFixture) {
  const client = fx.service.client('worker');
  const answeredBy: string[] = [];
  const failures: unknown[] = [];
  let stop = false;
  const loop = async () => {
    while (!stop) {
      try {
        answeredBy.push((await client.complete('tick', { maxTokens: 4 })).model);
      } catch (e) {
        failures.push(e);
      }
    }
  };
  const loops = [loop(), loop(), loop()];
  return {
    answeredBy,
    failures,
    stop: async () => {
      stop = true;
      await Promise.all(loops);
    },
  };
}

const workerInDb = (fx: ServiceFixture) => listRoles(fx.db).find((r) => r.role === 'worker')?.model;

describe('model service: a swap to a model that cannot load', () => {
  it('is refused when both fit: the role stays on its model, serving, and nothing is saved', async () => {
    fx = await serviceFixture();
    const a = await fx.service.addByPath({ path: fx.modelCopy('a') });
    const badPath = fx.modelCopy('bad');
    const bad = await fx.service.addByPath({ path: badPath });
    damage(badPath);
    const load = callsUnderLoad(fx);
    await until(() => load.answeredBy.length >= 3, 'calls on A');

    const swap = fx.service.swap('worker', bad.name);
    await expect(swap).rejects.toMatchObject({ code: 'unavailable' });
    await expect(swap).rejects.toThrow(new RegExp(`could not load, so worker stays on ${a.name}; nothing was changed`));
    const after = load.answeredBy.length;
    await until(() => load.answeredBy.length >= after + 3, 'calls after the refusal');
    await load.stop();

    expect(load.failures).toEqual([]);
    expect(new Set(load.answeredBy)).toEqual(new Set([a.name]));
    expect(fx.service.roles.get('worker')?.model).toBe(a.name);
    expect(workerInDb(fx)).toBe(a.name);
    expect(fx.service.host.status(a.name).state).toBe('loaded');
    expect(fx.events.filter((e) => e.type === 'model.refused').map((e) => e.model)).toEqual([bad.name]);
    expect(fx.events.some((e) => e.type === 'model.swapped')).toBe(false);
  });

  it('is refused when only one fits: the role goes back to its model, waiting calls retry there, nothing is saved', async () => {
    const info = await readModelFile(await ensureTestModel());
    const room = roomFor(1, info.facts, info.sizeBytes, 1024);
    fx = await serviceFixture({ memory: room.memory, policy: room.policy });
    const a = await fx.service.addByPath({ path: fx.modelCopy('a') });
    const badPath = fx.modelCopy('bad');
    const bad = await fx.service.addByPath({ path: badPath });
    damage(badPath);
    const load = callsUnderLoad(fx);
    await until(() => load.answeredBy.length >= 3, 'calls on A');

    await expect(fx.service.swap('worker', bad.name)).rejects.toThrow(new RegExp(`could not load, so worker stays on ${a.name}`));
    const after = load.answeredBy.length;
    await until(() => load.answeredBy.length >= after + 3, 'calls after the refusal');
    await load.stop();

    expect(load.failures).toEqual([]);
    expect(new Set(load.answeredBy)).toEqual(new Set([a.name]));
    expect(fx.service.roles.get('worker')?.model).toBe(a.name);
    expect(workerInDb(fx)).toBe(a.name);
    expect(fx.service.host.status(a.name).state).toBe('loaded');
    expect(fx.service.host.status(bad.name).state).toBe('failed');
  });
});

describe('model service: the idle-unload time changes while running', () => {
  it('unloads an idle model once a time is set where there was none', async () => {
    fx = await serviceFixture({ idleUnloadMs: 0 });
    const a = await fx.service.addByPath({ path: fx.modelCopy('a') });
    await fx.service.client('worker').complete('x', { maxTokens: 2 });
    await new Promise((r) => setTimeout(r, 100));
    expect(fx.service.host.status(a.name).state).toBe('loaded');
    fx.service.host.setIdleUnloadMs(30);
    await until(() => fx.service.host.status(a.name).state === 'unloaded', 'the idle unload');
    expect(fx.events.filter((e) => e.type === 'model.unloaded').map((e) => (e.type === 'model.unloaded' ? e.reason : ''))).toEqual(['idle']);
  });
});

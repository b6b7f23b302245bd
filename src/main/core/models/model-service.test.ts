import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ModelEvent } from '../../../shared/domain/model';
import { eventsForTask } from '../db/queries/events';
import { readModelFile } from './gguf/read-model-file';
import { fixedMemoryProbe } from './memory-probe';
import { ensureTestModel } from './testing/test-model';
import { RecordingAdmission, roomFor, serviceFixture, type ServiceFixture } from './testing/service-fixture';

let fx: ServiceFixture;
afterEach(async () => fx?.close());

const ofType = <T extends ModelEvent['type']>(events: ModelEvent[], type: T) =>
  events.filter((e): e is Extract<ModelEvent, { type: T }> => e.type === type);

const until = async (check: () => boolean, what: string, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('model service: roles and the inference path', () => {
  it('serves every role from the first model added, through an admission slot per call', async () => {
    fx = await serviceFixture();
    const entry = await fx.service.addByPath({ path: fx.modelCopy('tiny') });
    expect(fx.service.roles.all().map((r) => [r.role, r.model])).toEqual(
      ['judge.constitutional', 'judge.integration', 'judge.quality', 'judge.technical', 'planner', 'worker'].map((r) => [r, entry.name]),
    );
    const schema = {
      type: 'object',
      properties: { verdict: { enum: ['pass', 'fail', 'uncertain'] }, confidence: { type: 'number' }, reasons: { type: 'array', items: { type: 'string' } } },
      required: ['verdict', 'confidence', 'reasons'],
      additionalProperties: false,
    };
    const { value, generation } = await fx.service.client('judge.technical').generateJson([{ role: 'user', content: 'Review this.' }], schema, { maxTokens: 300 });
    expect(z.object({ verdict: z.enum(['pass', 'fail', 'uncertain']), confidence: z.number(), reasons: z.array(z.string()) }).safeParse(value).success).toBe(true);
    expect(generation.model).toBe(entry.name);
    await fx.service.client('planner').chat([{ role: 'user', content: 'Plan.' }], { maxTokens: 5 });
    expect(fx.admission.requests.map((r) => [r.priority, r.label])).toEqual([
      ['council', 'judge.technical json'],
      ['background', 'planner chat'],
    ]);
    expect(fx.admission.held).toBe(0);
    expect(fx.service.metrics.view(entry.name).calls).toBe(2);
  });

  it('turns output that is not valid JSON into a clear error and a model.error event, and keeps serving', async () => {
    fx = await serviceFixture();
    const entry = await fx.service.addByPath({ path: fx.modelCopy('tiny') });
    const schema = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
    await expect(fx.service.client('judge.quality').generateJson([{ role: 'user', content: 'x' }], schema, { maxTokens: 3 })).rejects.toThrow(
      /returned output that is not valid JSON for the schema \(it stopped at the 3-token limit\)/,
    );
    const errors = ofType(fx.events, 'model.error');
    expect(errors).toEqual([expect.objectContaining({ model: entry.name, role: 'judge.quality' })]);
    expect(fx.service.metrics.view(entry.name)).toMatchObject({ calls: 1, errors: 1 });
    const { value } = await fx.service.client('judge.quality').generateJson([{ role: 'user', content: 'x' }], schema, { maxTokens: 200 });
    expect(value).toEqual({ a: expect.any(String) });
  });

  it('measures how long a call waited for its admission slot and the model, and what the loaded model holds', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const admission = new RecordingAdmission();
    const held = admission.acquire.bind(admission);
    admission.acquire = async (request) => {
      await gate;
      return held(request);
    };
    fx = await serviceFixture({ admission });
    const entry = await fx.service.addByPath({ path: fx.modelCopy('tiny') });
    const call = fx.service.client('planner').chat([{ role: 'user', content: 'Plan.' }], { maxTokens: 3 });
    await new Promise((r) => setTimeout(r, 250));
    open();
    await call;
    // The wait covers the closed gate (250 ms) and the first load; the call itself is not in it.
    const view = fx.service.metrics.view(entry.name);
    expect(view.meanQueueWaitMs).toBeGreaterThanOrEqual(240);
    expect(view.meanQueueWaitMs!).toBeLessThanOrEqual(view.meanLatencyMs! + view.meanQueueWaitMs!);
    expect(fx.service.host.heldMemory()).toEqual([{ model: entry.name, bytes: expect.any(Number) }]);
    expect(fx.service.host.heldMemory()[0]!.bytes).toBeGreaterThan(0);
  });

  it('fails a call for a role with no model with a clear message', async () => {
    fx = await serviceFixture();
    await expect(fx.service.client('worker').complete('x')).rejects.toThrow(/no model is assigned to the worker role/);
    expect(fx.admission.held).toBe(0);
  });

  it('journals streamed text of a task as batched model.tokens events', async () => {
    fx = await serviceFixture();
    const entry = await fx.service.addByPath({ path: fx.modelCopy('tiny') });
    const task = fx.tasks.submit({ description: 'try the model', repoPath: fx.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
    const pieces: string[] = [];
    const g = await fx.service.client('worker').complete('Write', { maxTokens: 40, taskId: task.id, onToken: (t) => pieces.push(t) });
    const tokens = eventsForTask(fx.db, task.id).filter((e) => e.type === 'model.tokens');
    expect(tokens.length).toBeGreaterThanOrEqual(1);
    expect(tokens.length).toBeLessThan(pieces.length);
    const text = tokens.map((e) => (e.type === 'model.tokens' ? e.payload.text : '')).join('');
    expect(text).toBe(g.text);
    expect(tokens[0]!.payload).toMatchObject({ model: entry.name, role: 'worker' });
  });

  it('rejects with an AbortError when aborted mid-stream, and releases the slot and the model', async () => {
    fx = await serviceFixture();
    const entry = await fx.service.addByPath({ path: fx.modelCopy('tiny') });
    const controller = new AbortController();
    let n = 0;
    const call = fx.service.client('worker').complete('Go', {
      maxTokens: 800,
      signal: controller.signal,
      onToken: () => {
        if (++n === 2) controller.abort();
      },
    });
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(fx.admission.held).toBe(0);
    expect(fx.service.host.status(entry.name).inFlight).toBe(0);
    // An abort is not the model's fault.
    expect(fx.service.metrics.view(entry.name).errors).toBe(0);
  });
});

describe('model service: fit, loading and unloading', () => {
  it('refuses to load a model that does not fit, saying why and what would', async () => {
    const small = {
      id: 'small-one',
      name: 'Small one',
      description: 'fits',
      url: 'https://example.invalid/small.gguf',
      fileName: 'small.gguf',
      sizeBytes: 10 * 1024 ** 2,
      sha256: 'a'.repeat(64),
      memoryBytes: 30 * 1024 ** 2,
      contextSize: 512,
      quantization: 'Q4_K_M',
      parameters: '10M',
      license: 'MIT',
      goodFor: [],
    };
    fx = await serviceFixture({
      memory: fixedMemoryProbe({ totalBytes: 48 * 1024 ** 2, availableBytes: 40 * 1024 ** 2, gpu: 'cpu' }),
      policy: { budgetShare: 0.75, reserveBytes: 0, tightShare: 0.85 },
      catalogue: [small],
    });
    const entry = await fx.service.addByPath({ path: fx.modelCopy('tiny') });
    const view = await fx.service.view(entry.name);
    expect(view.fit?.verdict).toBe('too_large');
    const failure = fx.service.load(entry.name);
    await expect(failure).rejects.toMatchObject({ code: 'unavailable' });
    await expect(failure).rejects.toThrow(
      /needs about 65 MB \(weights 0\.2 MB \+ context 0\.3 MB at 1024 tokens \+ overhead 65 MB\) but this machine allows 36 MB for models \(48 MB total\)\. What would fit: a smaller model: Small one from the catalogue \(30 MB\)\./,
    );
    expect(ofType(fx.events, 'model.refused')).toHaveLength(1);
    expect(fx.service.host.status(entry.name).state).toBe('failed');
    // A call through a role gets the same refusal instead of a frozen machine.
    await expect(fx.service.client('worker').complete('x')).rejects.toThrow(/but this machine allows/);
  });

  it('loads a model once when many calls want it at the same moment', async () => {
    fx = await serviceFixture();
    await fx.service.addByPath({ path: fx.modelCopy('tiny') });
    const calls = Array.from({ length: 5 }, () => fx.service.client('worker').complete('x', { maxTokens: 2 }));
    await Promise.all(calls);
    expect(ofType(fx.events, 'model.loading')).toHaveLength(1);
    expect(ofType(fx.events, 'model.loaded')).toHaveLength(1);
  });

  it('waits for calls in flight before unloading, and unloads after the idle time', async () => {
    fx = await serviceFixture({ idleUnloadMs: 100 });
    const entry = await fx.service.addByPath({ path: fx.modelCopy('tiny') });
    let started = false;
    const call = fx.service.client('worker').complete('Long', { maxTokens: 200, onToken: () => (started = true) });
    await until(() => started, 'the call to start');
    const unloading = fx.service.unload(entry.name);
    expect(fx.service.host.status(entry.name).state).toBe('unloading');
    const g = await call;
    expect(g.tokens).toBe(200);
    await unloading;
    expect(ofType(fx.events, 'model.unloaded').map((e) => e.reason)).toEqual(['request']);

    await fx.service.client('worker').complete('again', { maxTokens: 2 });
    expect(fx.service.host.status(entry.name).state).toBe('loaded');
    await until(() => fx.service.host.status(entry.name).state === 'unloaded', 'the idle unload', 3_000);
    expect(ofType(fx.events, 'model.unloaded').map((e) => e.reason)).toEqual(['request', 'idle']);
  });

  it('queues a load behind a model in use instead of evicting it, then evicts it once idle', async () => {
    const info = await readModelFile(await ensureTestModel());
    // Room for one model only.
    const room = roomFor(1, info.facts, info.sizeBytes, 1024);
    fx = await serviceFixture({ memory: room.memory, policy: room.policy });
    const a2 = await fx.service.addByPath({ path: fx.modelCopy('a') });
    const b2 = await fx.service.addByPath({ path: fx.modelCopy('b') });
    fx.service.assignRole('judge.quality', b2.name);

    let started = false;
    const longOnA = fx.service.client('worker').complete('Long', { maxTokens: 300, onToken: () => (started = true) });
    await until(() => started, 'the call on A to start');
    const onB = fx.service.client('judge.quality').complete('Short', { maxTokens: 3 });
    await new Promise((r) => setTimeout(r, 20));
    expect(fx.service.host.status(b2.name).state).toBe('queued');
    expect(fx.service.host.status(a2.name).state).toBe('loaded');
    const [ga, gb] = await Promise.all([longOnA, onB]);
    expect(ga.tokens).toBe(300);
    expect(gb.model).toBe(b2.name);
    const unloads = ofType(fx.events, 'model.unloaded');
    expect(unloads.map((e) => [e.model, e.reason])).toEqual([[a2.name, 'evicted']]);
    // A's unload came after its call ended: nothing in use was evicted.
    const aLoaded = fx.events.findIndex((e) => e.type === 'model.loaded' && e.model === a2.name);
    const bLoaded = fx.events.findIndex((e) => e.type === 'model.loaded' && e.model === b2.name);
    expect(bLoaded).toBeGreaterThan(aLoaded);
  });
});

describe('model service: hot-swap and canary', () => {
  it('swaps the model behind a role under load with no failed request', async () => {
    fx = await serviceFixture();
    const a = await fx.service.addByPath({ path: fx.modelCopy('a') });
    const b = await fx.service.addByPath({ path: fx.modelCopy('b') });
    const client = fx.service.client('worker');
    const task = fx.tasks.submit({ description: 'swap under load', repoPath: fx.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
    let stop = false;
    const answeredBy: string[] = [];
    const failures: unknown[] = [];
    const loop = async () => {
      while (!stop) {
        try {
          answeredBy.push((await client.complete('tick', { maxTokens: 6 })).model);
        } catch (e) {
          failures.push(e);
        }
      }
    };
    const workers = [loop(), loop(), loop()];
    await until(() => answeredBy.length >= 6, 'calls on A');
    let longStarted = false;
    const longCall = client.complete('long', { maxTokens: 400, taskId: task.id, onToken: () => (longStarted = true) });
    await until(() => longStarted, 'the long call to start');
    const result = await fx.service.swap('worker', b.name);
    const afterSwap = answeredBy.length;
    await until(() => answeredBy.length >= afterSwap + 6, 'calls on B');
    stop = true;
    await Promise.all(workers);
    // The call that was streaming on A when the role switched finished on A.
    expect((await longCall).model).toBe(a.name);
    const swappedInJournal = eventsForTask(fx.db, task.id).filter((e) => e.type === 'model.swapped');
    expect(swappedInJournal.map((e) => e.payload)).toEqual([{ role: 'worker', from: a.name, to: b.name }]);

    expect(failures).toEqual([]);
    expect(result).toMatchObject({ from: a.name, to: b.name });
    expect(answeredBy.slice(0, 6).every((m) => m === a.name)).toBe(true);
    expect(answeredBy.slice(-6).every((m) => m === b.name)).toBe(true);
    expect(ofType(fx.events, 'model.swapped')).toEqual([expect.objectContaining({ role: 'worker', from: a.name, to: b.name })]);
    // A still serves the judges and the planner, so it stays loaded.
    expect(fx.service.host.status(a.name).state).toBe('loaded');
    expect(fx.service.roles.get('worker')?.model).toBe(b.name);
  });

  it('unloads the old model after a swap when no role uses it any more', async () => {
    fx = await serviceFixture();
    const a = await fx.service.addByPath({ path: fx.modelCopy('a') });
    const b = await fx.service.addByPath({ path: fx.modelCopy('b') });
    await fx.service.client('planner').complete('x', { maxTokens: 2 });
    for (const role of ['planner', 'worker', 'judge.constitutional', 'judge.technical', 'judge.quality', 'judge.integration'] as const) {
      await fx.service.swap(role, b.name);
    }
    expect(fx.service.host.status(a.name).state).toBe('unloaded');
    expect(ofType(fx.events, 'model.unloaded').map((e) => [e.model, e.reason])).toEqual([[a.name, 'swap']]);
  });

  it('sends a share to a canary and rolls it back when it crosses its latency threshold, failing nothing', async () => {
    fx = await serviceFixture({ random: () => 0 });
    const a = await fx.service.addByPath({ path: fx.modelCopy('a') });
    const b = await fx.service.addByPath({ path: fx.modelCopy('b') });
    await fx.service.setCanary('worker', { model: b.name, share: 0.5, maxErrorRate: 0.5, maxLatencyMs: 0.001, minSamples: 3 });
    const answeredBy: string[] = [];
    for (let i = 0; i < 6; i++) answeredBy.push((await fx.service.client('worker').complete('x', { maxTokens: 4 })).model);
    // random() = 0 sends every call to the canary until the rollback, then all go to the primary.
    expect(answeredBy).toEqual([b.name, b.name, b.name, a.name, a.name, a.name]);
    const rollback = ofType(fx.events, 'model.canary_rolled_back');
    expect(rollback).toHaveLength(1);
    expect(rollback[0]!.reason).toMatch(/mean latency .* over 3 calls exceeds 0.001 ms/);
    expect(fx.service.roles.get('worker')?.canary).toBeNull();
    await until(() => fx.service.host.status(b.name).state === 'unloaded', 'the canary to unload');
  });
});

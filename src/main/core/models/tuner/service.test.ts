import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../../test/helpers';
import type { ModelEvent } from '../../../../shared/domain/model';
import type { PressureLevel } from '../../../../shared/domain/scheduler';
import { silentLogger } from '../../observability/logger';
import { LlamaRuntime } from '../providers/llama-runtime';
import { ensureTestModel } from '../testing/test-model';
import { updateModelFacts } from '../../db/queries/models';
import { TuneService } from './service';
import { machineId } from './store';

let core: ReturnType<typeof testCore> | undefined;
afterEach(async () => {
  await core?.tuning.close();
  core?.cleanup();
  core = undefined;
});

/** A core with the real node-llama-cpp runtime (CPU, one thread) and the tiny test model installed. */
async function coreWithTinyModel() {
  core = testCore({ scheduler: { autoStart: false }, models: { threads: 1, gpu: false, idleUnloadMs: 0 } });
  await core.models.addByPath({ path: await ensureTestModel(), name: 'tiny' });
  const events: ModelEvent[] = [];
  core.models.events.subscribe((e) => events.push(e));
  return { core, events };
}

/** A second tuning service on the core's model store, with its own runtime, pressure and memory readings. */
function serviceOn(core: ReturnType<typeof testCore>, runtime: LlamaRuntime, over: Partial<ConstructorParameters<typeof TuneService>[0]>) {
  return new TuneService({
    registry: core.models.registry,
    events: core.models.events,
    store: core.models.settingsStore,
    machine: () => core.models.machine(),
    loadedBytes: () => core.models.host.loadedBytes(),
    runtime,
    pressure: () => 'nominal',
    clock: core.clock,
    logger: silentLogger(),
    confirmRounds: 0,
    ...over,
  });
}

describe('tuning service (real runtime, tiny GGUF)', () => {
  it('reads the head widths of a model recorded before them, and searches no KV type they cannot hold', async () => {
    const { core } = await coreWithTinyModel();
    const entry = core.models.registry.require('tiny');
    if (entry.kind !== 'gguf') throw new Error('expected a local model');
    const { headDims, ...older } = entry.facts;
    updateModelFacts(core.db, 'tiny', older);
    core.tuning.start('tiny', 6);
    await core.tuning.idle();
    const run = await core.tuning.run('tiny');
    expect(run).toMatchObject({ state: 'completed' });
    expect(run!.trials.map((t) => t.settings.kvCacheType)).toEqual(run!.trials.map(() => 'f16'));
    const stored = core.models.registry.require('tiny');
    expect(stored.kind === 'gguf' && stored.facts.headDims).toEqual(headDims);
  });


  it('runs a tune, publishes each trial, stores the best and the next load uses it', async () => {
    const { core, events } = await coreWithTinyModel();
    const started = core.tuning.start('tiny', 3);
    expect(started).toMatchObject({ model: 'tiny', state: 'running', budget: 3, trials: [] });
    expect(core.tuning.running()).toMatchObject({ model: 'tiny', budget: 3 });
    // One run at a time on the machine.
    expect(() => core.tuning.start('tiny', 3)).toThrow(/tiny is being tuned/);
    await core.tuning.idle();

    const run = await core.tuning.run('tiny');
    expect(run).toMatchObject({ state: 'completed', backend: 'cpu', error: null });
    const counted = run!.trials.filter((t) => t.status !== 'discarded');
    expect(counted).toHaveLength(3);
    // The defaults run; a setting the backend refuses would be a counted trial at 0 with the reason.
    expect(counted[0]).toMatchObject({ n: 1, status: 'counted', reason: null });
    expect(counted[0]!.tps).toBeGreaterThan(0);
    for (const t of counted) {
      expect(t.settings.threads).toBe(1);
      if (t.status === 'skipped') expect(t.reason).toMatch(/^failed: /);
      else expect(t.tps).toBeGreaterThan(0);
    }
    expect(run!.bestTps).toBeGreaterThan(0);
    expect(run!.defaultTps).toBeGreaterThan(0);
    expect(run!.gain).toBeCloseTo(run!.bestTps! / run!.defaultTps!);
    expect(run!.best).not.toBeNull();
    expect(core.tuning.running()).toBeNull();

    // Progress went out on the model event bus, the path the Models page polls.
    const types = events.map((e) => e.type).filter((t) => t.startsWith('model.tune'));
    expect(types).toEqual(['model.tune_started', 'model.tune_trial', 'model.tune_trial', 'model.tune_trial', 'model.tune_finished']);
    const trialEvents = events.flatMap((e) => (e.type === 'model.tune_trial' ? [e.trial] : []));
    expect(trialEvents).toEqual(run!.trials);

    // Stored for this model and machine, and the host plans the next load with it.
    const { gpu } = await core.models.machine();
    expect(core.models.settingsStore.tuned('tiny', machineId(gpu))).toMatchObject({ batchSize: run!.best!.batchSize, threads: run!.best!.threads });
    const plan = await core.models.host.plan(core.models.registry.require('tiny'));
    expect(plan.settings).toMatchObject({ batchSize: Math.min(run!.best!.batchSize, plan.contextSize), threads: run!.best!.threads, kvCacheType: run!.best!.kvCacheType });
    await core.models.load('tiny');
    expect((await core.models.view('tiny')).state).toBe('loaded');

    // After a restart the last run is read back from the store (the chart survives it).
    const fresh = new TuneService({
      registry: core.models.registry,
      events: core.models.events,
      store: core.models.settingsStore,
      machine: () => core.models.machine(),
      loadedBytes: () => core.models.host.loadedBytes(),
      runtime: undefined,
      pressure: () => 'nominal',
      clock: core.clock,
      logger: silentLogger(),
    });
    const stored = await fresh.run('tiny');
    expect(stored).toMatchObject({ state: 'completed', best: run!.best, bestTps: run!.bestTps, defaultTps: run!.defaultTps });
    expect(stored!.trials.map((t) => t.tps)).toEqual(counted.map((t) => t.tps));
    expect(() => fresh.start('tiny', 3)).toThrow(/other providers/);
  });

  it('cancel stops the run after the trial under way, and stores nothing', async () => {
    const { core, events } = await coreWithTinyModel();
    const firstTrial = new Promise<void>((resolve) => core.models.events.subscribe((e) => e.type === 'model.tune_trial' && resolve()));
    core.tuning.start('tiny', 60);
    await firstTrial;
    const cancelled = await core.tuning.cancel('tiny');
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.trials.length).toBeGreaterThan(0);
    expect(cancelled.trials.length).toBeLessThan(60);
    expect(core.tuning.running()).toBeNull();
    expect(events.at(-1)).toMatchObject({ type: 'model.tune_finished', state: 'cancelled' });
    // No more trials arrive after the cancel.
    const count = events.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(events.length).toBe(count);
    const { gpu } = await core.models.machine();
    expect(core.models.settingsStore.tuned('tiny', machineId(gpu))).toBeUndefined();
    await expect(core.tuning.cancel('tiny')).rejects.toThrow(/not being tuned/);
  });

  it('measures only with a scheduler slot: a busy machine makes the run wait, and cancel ends the wait', async () => {
    const { core, events } = await coreWithTinyModel();
    const busy = await Promise.all(Array.from({ length: core.scheduler.state().slots }, () => core.scheduler.acquire({ priority: 'interactive', label: 'busy' })));
    core.tuning.start('tiny', 3);
    await expect.poll(() => core.scheduler.state().waiting.map((w) => w.label), { timeout: 15_000 }).toContain('tuning tiny');
    await new Promise((r) => setTimeout(r, 300));
    expect(events.some((e) => e.type === 'model.tune_trial')).toBe(false);
    // Freed, the first trial runs; a cancel then stops the run.
    const firstTrial = new Promise<void>((resolve) => core.models.events.subscribe((e) => e.type === 'model.tune_trial' && resolve()));
    for (const slot of busy) slot.release();
    await firstTrial;
    expect((await core.tuning.cancel('tiny')).state).toMatch(/cancelled|completed/);
    // A run waiting for a slot is cancelled without measuring anything.
    const again = await Promise.all(Array.from({ length: core.scheduler.state().slots }, () => core.scheduler.acquire({ priority: 'interactive', label: 'busy' })));
    core.tuning.start('tiny', 3);
    await expect.poll(() => core.scheduler.state().waiting.map((w) => w.label), { timeout: 15_000 }).toContain('tuning tiny');
    const waited = await core.tuning.cancel('tiny');
    expect(waited).toMatchObject({ state: 'cancelled', trials: [] });
    for (const slot of again) slot.release();
  });

  it('publishes a measurement taken under serious pressure as discarded, with the reason, and does not count it', async () => {
    const { core } = await coreWithTinyModel();
    const runtime = new LlamaRuntime({ logger: silentLogger(), threads: 1, gpu: false });
    // Read before and after each measurement: the first one starts hot.
    const levels: PressureLevel[] = ['nominal', 'serious'];
    const service = serviceOn(core, runtime, { pressure: () => levels.shift() ?? 'nominal' });
    try {
      service.start('tiny', 3);
      await service.idle();
      const run = await service.run('tiny');
      expect(run!.trials[0]).toMatchObject({ n: 1, status: 'discarded', reason: 'measured under serious pressure', bestSoFar: 0 });
      expect(run!.trials.filter((t) => t.status !== 'discarded')).toHaveLength(3);
      // The defaults measured again, cool, are the baseline.
      expect(run!.trials[1]).toMatchObject({ n: 2, settings: run!.trials[0]!.settings });
      expect(run!.defaultTps).toBe(run!.trials[1]!.tps);
    } finally {
      await runtime.dispose();
    }
  });

  it('loads no trial that would not fit beside the models already loaded, read again before every trial', async () => {
    const { core } = await coreWithTinyModel();
    const runtime = new LlamaRuntime({ logger: silentLogger(), threads: 1, gpu: false });
    const { budgetBytes } = await core.models.machine();
    // Other models hold the whole budget for the first two trials, then unload.
    const held = [budgetBytes, budgetBytes];
    const service = serviceOn(core, runtime, { loadedBytes: () => held.shift() ?? 0 });
    try {
      service.start('tiny', 3);
      await service.idle();
      const run = await service.run('tiny');
      expect(run!.trials).toHaveLength(3);
      for (const t of run!.trials.slice(0, 2)) expect(t).toMatchObject({ status: 'skipped', tps: 0, reason: expect.stringMatching(/^needs \d+ MB, over the 0 MB free in the budget$/) });
      // Once the room is back the next setting is loaded: measured, or refused by the backend itself.
      const third = run!.trials[2]!;
      if (third.status === 'counted') expect(third.tps).toBeGreaterThan(0);
      else expect(third.reason).toMatch(/^failed: /);
    } finally {
      await runtime.dispose();
    }
  });

  it('refuses a remote or unknown model, naming it', async () => {
    core = testCore({ scheduler: { autoStart: false }, models: { threads: 1, gpu: false } });
    await core.models.addRemote({ name: 'far', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' });
    expect(() => core!.tuning.start('far', 3)).toThrow(/far is a remote endpoint/);
    expect(() => core!.tuning.start('nope', 3)).toThrow(/no model named nope/);
  });
});

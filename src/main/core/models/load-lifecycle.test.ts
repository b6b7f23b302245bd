import { describe, expect, it } from 'vitest';
import { LoadState } from '../../../shared/domain/model';
import { heldBytes, loadStateOf, modelOf, transition, type LifecycleEvent, type ModelLifecycle } from './load-lifecycle';

type M = { name: string };
const model: M = { name: 'tiny' };

const STATES: Record<ModelLifecycle<M>['kind'], ModelLifecycle<M>> = {
  unloaded: { kind: 'unloaded' },
  queued: { kind: 'queued' },
  loading: { kind: 'loading', memoryBytes: 100 },
  loaded: { kind: 'loaded', model, memoryBytes: 120 },
  unloading: { kind: 'unloading', model, memoryBytes: 120 },
  failed: { kind: 'failed', error: 'too large' },
};
const EVENTS: Record<LifecycleEvent<M>['type'], LifecycleEvent<M>> = {
  load: { type: 'load' },
  start: { type: 'start', memoryBytes: 100 },
  succeeded: { type: 'succeeded', model, memoryBytes: 120 },
  failed: { type: 'failed', error: 'out of memory' },
  unload: { type: 'unload' },
  unloaded: { type: 'unloaded' },
  shutdown: { type: 'shutdown' },
};

/** Every legal move; every other (state, event) pair must be refused. */
const LEGAL: Partial<Record<`${ModelLifecycle<M>['kind']}+${LifecycleEvent<M>['type']}`, ModelLifecycle<M>>> = {
  'unloaded+load': { kind: 'queued' },
  'failed+load': { kind: 'queued' },
  'queued+start': { kind: 'loading', memoryBytes: 100 },
  'queued+failed': { kind: 'failed', error: 'out of memory' },
  'loading+succeeded': { kind: 'loaded', model, memoryBytes: 120 },
  'loading+failed': { kind: 'failed', error: 'out of memory' },
  'loaded+unload': { kind: 'unloading', model, memoryBytes: 120 },
  'unloading+unloaded': { kind: 'unloaded' },
  ...Object.fromEntries(Object.keys(STATES).map((s) => [`${s}+shutdown`, { kind: 'unloaded' }])),
};

describe('model load lifecycle', () => {
  for (const [s, state] of Object.entries(STATES)) {
    for (const [e, event] of Object.entries(EVENTS)) {
      const expected = LEGAL[`${s}+${e}` as keyof typeof LEGAL];
      it(`${s} + ${e} → ${expected ? expected.kind : 'refused'}`, () => {
        const move = transition(state, event);
        if (expected) {
          expect(move).toEqual({ ok: true, state: expected });
        } else {
          expect(move.ok).toBe(false);
          if (!move.ok) expect(move.reason.startsWith(`${e} is not possible while the model is ${s}: `), move.reason).toBe(true);
        }
      });
    }
  }

  it('goes round a load, a use and an unload, and again after a failure', () => {
    const path: LifecycleEvent<M>[] = [EVENTS.load, EVENTS.start, EVENTS.failed, EVENTS.load, EVENTS.start, EVENTS.succeeded, EVENTS.unload, EVENTS.unloaded];
    let state: ModelLifecycle<M> = STATES.unloaded;
    const kinds: string[] = [];
    for (const event of path) {
      const move = transition(state, event);
      if (!move.ok) throw new Error(move.reason);
      state = move.state;
      kinds.push(state.kind);
    }
    expect(kinds).toEqual(['queued', 'loading', 'failed', 'queued', 'loading', 'loaded', 'unloading', 'unloaded']);
  });

  it('holds memory and a model only where they exist, and reports a label the service knows', () => {
    expect(Object.values(STATES).map(heldBytes)).toEqual([0, 0, 100, 120, 120, 0]);
    expect(Object.values(STATES).map(modelOf)).toEqual([undefined, undefined, undefined, model, model, undefined]);
    for (const state of Object.values(STATES)) expect(LoadState.safeParse(loadStateOf(state)).success).toBe(true);
    expect(new Set(Object.keys(STATES))).toEqual(new Set(LoadState.options));
  });

  it('never carries a negative memory estimate', () => {
    const move = transition(STATES.queued, { type: 'start', memoryBytes: -5 });
    expect(move).toEqual({ ok: true, state: { kind: 'loading', memoryBytes: 0 } });
  });
});

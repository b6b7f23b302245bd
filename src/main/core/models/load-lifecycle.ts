import type { LoadState } from '../../../shared/domain/model';

/**
 * The load lifecycle of one model on this machine, as a tagged union: each state carries only what
 * is true in it (a model object exists only while loaded or unloading; an error only once failed).
 * `M` is the loaded model (LoadedModel in the host); the transitions never look inside it.
 *
 *   unloaded ─load─▶ queued ─start─▶ loading ─succeeded─▶ loaded ─unload─▶ unloading ─unloaded─▶ unloaded
 *      ▲               └──────failed──────┴──▶ failed ─load─▶ queued
 *      └────────────────────── shutdown (from any state) ──────────────────────────────────────┘
 */
export type ModelLifecycle<M> =
  | { kind: 'unloaded' }
  /** Waiting for the one-at-a-time load lock, the fit check and room in memory. */
  | { kind: 'queued' }
  /** The provider is reading the weights; `memoryBytes` is the plan's estimate. */
  | { kind: 'loading'; memoryBytes: number }
  | { kind: 'loaded'; model: M; memoryBytes: number }
  /** Waiting for the calls in flight to finish, then disposing of the model. */
  | { kind: 'unloading'; model: M; memoryBytes: number }
  | { kind: 'failed'; error: string };

export type LifecycleEvent<M> =
  | { type: 'load' }
  | { type: 'start'; memoryBytes: number }
  | { type: 'succeeded'; model: M; memoryBytes: number }
  | { type: 'failed'; error: string }
  | { type: 'unload' }
  | { type: 'unloaded' }
  | { type: 'shutdown' };

export type LifecycleMove<M> = { ok: true; state: ModelLifecycle<M> } | { ok: false; reason: string };

const to = <M>(state: ModelLifecycle<M>): LifecycleMove<M> => ({ ok: true, state });
const illegal = <M>(state: ModelLifecycle<M>, event: LifecycleEvent<M>, why: string): LifecycleMove<M> => ({
  ok: false,
  reason: `${event.type} is not possible while the model is ${state.kind}: ${why}`,
});

function assertNever(x: never): never {
  throw new Error(`unhandled lifecycle case ${JSON.stringify(x)}`);
}

/** The one place a model's load state changes. Pure: no I/O, no clock, no model calls. */
export function transition<M>(state: ModelLifecycle<M>, event: LifecycleEvent<M>): LifecycleMove<M> {
  // Shutting down forgets every model whatever it was doing (the host disposes of what it held).
  if (event.type === 'shutdown') return to({ kind: 'unloaded' });
  switch (state.kind) {
    case 'unloaded':
    case 'failed':
      return event.type === 'load' ? to({ kind: 'queued' }) : illegal(state, event, 'only a load can start from here');
    case 'queued':
      if (event.type === 'start') return to({ kind: 'loading', memoryBytes: Math.max(0, event.memoryBytes) });
      if (event.type === 'failed') return to({ kind: 'failed', error: event.error });
      return illegal(state, event, 'a queued load either starts or is refused');
    case 'loading':
      if (event.type === 'succeeded') return to({ kind: 'loaded', model: event.model, memoryBytes: Math.max(0, event.memoryBytes) });
      if (event.type === 'failed') return to({ kind: 'failed', error: event.error });
      return illegal(state, event, 'a load in progress either succeeds or fails');
    case 'loaded':
      return event.type === 'unload'
        ? to({ kind: 'unloading', model: state.model, memoryBytes: state.memoryBytes })
        : illegal(state, event, 'a loaded model can only be unloaded');
    case 'unloading':
      return event.type === 'unloaded' ? to({ kind: 'unloaded' }) : illegal(state, event, 'the model is being unloaded; load it again once it is');
    default:
      return assertNever(state);
  }
}

/** The label the service reports (ModelStatus.state, the Models page). */
export function loadStateOf<M>(state: ModelLifecycle<M>): LoadState {
  return state.kind;
}

/** Bytes the model holds or is about to hold on this machine in this state. */
export function heldBytes<M>(state: ModelLifecycle<M>): number {
  switch (state.kind) {
    case 'loading':
    case 'loaded':
    case 'unloading':
      return state.memoryBytes;
    case 'unloaded':
    case 'queued':
    case 'failed':
      return 0;
    default:
      return assertNever(state);
  }
}

/** The model object, only where one exists. */
export function modelOf<M>(state: ModelLifecycle<M>): M | undefined {
  return state.kind === 'loaded' || state.kind === 'unloading' ? state.model : undefined;
}

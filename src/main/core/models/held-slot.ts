import { AsyncLocalStorage } from 'node:async_hooks';

type HeldSlot = { label: string };

const scope = new AsyncLocalStorage<HeldSlot>();

/**
 * Runs `work` as part of a unit of model work that already holds a scheduler slot (a council round:
 * its judges share one slot and run on several sequences of one model at a width the scheduler's
 * pressure level allows). Model calls made inside do not ask the scheduler again; the holder has
 * asked for them and bounds how many run at once.
 */
export function runWithHeldSlot<T>(label: string, work: () => Promise<T>): Promise<T> {
  return scope.run({ label }, work);
}

/** The held slot the current call belongs to, if any. */
export function heldSlot(): HeldSlot | undefined {
  return scope.getStore();
}

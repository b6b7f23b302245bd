import type { ModelClient } from './types';

/**
 * One model made ready by a provider: the embedded runtime holding weights in memory, or a remote
 * endpoint. The model host owns it: it pins it while calls run and disposes of it when unloaded.
 */
export interface LoadedModel extends ModelClient {
  /** Registry name; reported as `Generation.model`. */
  readonly name: string;
  /** Bytes this model holds on this machine while loaded (0 for a remote endpoint). */
  readonly memoryBytes: number;
  /** A short real generation, so the first user request does not pay for cold caches. */
  warm(signal?: AbortSignal): Promise<void>;
  dispose(): Promise<void>;
}

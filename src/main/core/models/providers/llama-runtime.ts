import { availableParallelism } from 'node:os';
import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import type { Logger } from '../../observability/logger';

export type LlamaRuntimeOptions = {
  logger: Logger;
  /** CPU threads per context; defaults to `defaultThreads()`. */
  threads?: number;
  /** Metal on a Mac; CPU elsewhere unless told otherwise. */
  gpu?: 'auto' | 'metal' | false;
};

/**
 * Threads for inference: leave one core to the app and the rest of the machine, never fewer than
 * one, and no more than eight (beyond that llama.cpp's CPU path stops scaling on laptop chips).
 */
export function defaultThreads(cores = availableParallelism()): number {
  return Math.max(1, Math.min(8, cores - 1));
}

export function defaultGpu(platform = process.platform): 'auto' | false {
  return platform === 'darwin' ? 'auto' : false;
}

/** The one node-llama-cpp binding of the process, created on first use and never built from source. */
export class LlamaRuntime {
  readonly threads: number;
  private readonly logger: Logger;
  private readonly gpu: 'auto' | 'metal' | false;
  private llamaPromise: Promise<Llama> | undefined;

  constructor(options: LlamaRuntimeOptions) {
    this.logger = options.logger;
    this.threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()));
    this.gpu = options.gpu ?? defaultGpu();
  }

  llama(): Promise<Llama> {
    this.llamaPromise ??= getLlama({
      gpu: this.gpu,
      build: 'never',
      maxThreads: this.threads,
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => {
        const text = message.trim();
        if (!text) return;
        if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) this.logger.error({ llama: text }, 'llama.cpp');
        else this.logger.debug({ llama: text }, 'llama.cpp');
      },
    }).catch((e: unknown) => {
      this.llamaPromise = undefined;
      throw e;
    });
    return this.llamaPromise;
  }

  /** Which compute backend is in use ("metal", "cpu", ...), once the binding is loaded. */
  async gpuName(): Promise<string> {
    const llama = await this.llama();
    return llama.gpu === false ? 'cpu' : llama.gpu;
  }

  async dispose(): Promise<void> {
    const pending = this.llamaPromise;
    this.llamaPromise = undefined;
    if (!pending) return;
    try {
      await (await pending).dispose();
    } catch {
      // A binding that failed to load has nothing to free.
    }
  }
}

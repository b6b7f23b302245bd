import type { Llama } from 'node-llama-cpp';
import { nodeLlama } from './node-llama';
import type { Logger } from '../../observability/logger';
import { performanceCores } from '../cpu-cores';

export type LlamaRuntimeOptions = {
  logger: Logger;
  /** CPU threads per context; defaults to `defaultThreads()`. */
  threads?: number;
  /** Whatever node-llama-cpp finds (Metal, CUDA, Vulkan, else CPU) unless told otherwise. */
  gpu?: 'auto' | 'metal' | 'cuda' | 'vulkan' | false;
};

/** Threads for inference: the performance cores (physical cores on Linux), never fewer than one. */
export function defaultThreads(cores = performanceCores()): number {
  return Math.max(1, cores);
}

/**
 * The GPU backend to ask for: 'auto' on every platform, so Metal on a Mac and CUDA or Vulkan where
 * node-llama-cpp ships them and the machine has them; it falls back to the CPU by itself.
 */
export function defaultGpu(): 'auto' {
  return 'auto';
}

/** The one node-llama-cpp binding of the process, created on first use and never built from source. */
export class LlamaRuntime {
  readonly threads: number;
  private readonly logger: Logger;
  private readonly gpu: 'auto' | 'metal' | 'cuda' | 'vulkan' | false;
  private llamaPromise: Promise<Llama> | undefined;

  constructor(options: LlamaRuntimeOptions) {
    this.logger = options.logger;
    this.threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()));
    this.gpu = options.gpu ?? defaultGpu();
  }

  llama(): Promise<Llama> {
    this.llamaPromise ??= nodeLlama()
      .then(({ getLlama, LlamaLogLevel }) =>
        getLlama({
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
        }),
      )
      .catch((e: unknown) => {
        this.llamaPromise = undefined;
        throw e;
      });
    return this.llamaPromise;
  }

  /** Cores llama.cpp considers useful for math on this machine (performance cores), once loaded. */
  async mathCores(): Promise<number> {
    return (await this.llama()).cpuMathCores;
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

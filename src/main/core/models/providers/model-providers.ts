import type { ModelEntry } from '../../../../shared/domain/model';
import type { Clock } from '../../journal/journal';
import type { Logger } from '../../observability/logger';
import type { LoadPlan } from '../host';
import type { LoadedModel } from '../loaded-model';
import { systemMemoryProbe, type MemoryProbe } from '../memory-probe';
import { LlamaLoadedModel } from './llama-model';
import { LlamaRuntime, type LlamaRuntimeOptions } from './llama-runtime';
import { OpenAiLoadedModel } from './openai-model';

/**
 * What the model service runs models on: a loader for local GGUF files and remote endpoints, the
 * machine's memory, and the native runtime to release at shutdown. The composition root builds the
 * real one; the service never builds its own.
 */
export type ModelProviders = {
  load(entry: ModelEntry, plan: LoadPlan, signal: AbortSignal, apiKey: string | undefined): Promise<LoadedModel>;
  memory: MemoryProbe;
  dispose(): Promise<void>;
  /** The node-llama-cpp binding local models load on; the tuner measures on it (absent for other providers). */
  runtime?: LlamaRuntime;
};

export type RealProvidersOptions = {
  logger: Logger;
  clock: Clock;
  /** CPU threads for local inference (default: the performance cores). */
  threads?: number | undefined;
  gpu?: LlamaRuntimeOptions['gpu'] | undefined;
  fetch?: typeof fetch | undefined;
};

/** node-llama-cpp for GGUF files (one binding per process), OpenAI-compatible HTTP for remote endpoints. */
export function realModelProviders(options: RealProvidersOptions): ModelProviders {
  const runtime = new LlamaRuntime({
    logger: options.logger,
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.gpu !== undefined ? { gpu: options.gpu } : {}),
  });
  return {
    load(entry, plan, signal, apiKey) {
      if (entry.kind === 'remote') {
        return OpenAiLoadedModel.connect(
          {
            clock: options.clock,
            name: entry.name,
            baseUrl: entry.endpoint.baseUrl,
            model: entry.endpoint.model,
            apiKey,
            ...(options.fetch ? { fetch: options.fetch } : {}),
          },
          signal,
        );
      }
      return LlamaLoadedModel.load({
        runtime,
        clock: options.clock,
        name: entry.name,
        path: entry.path,
        contextSize: plan.contextSize,
        sequences: plan.sequences,
        gpuLayers: plan.gpuLayers,
        memoryBytes: plan.memoryBytes,
        ...(plan.settings
          ? {
              flashAttention: plan.settings.flashAttention,
              kvCacheType: plan.settings.kvCacheType,
              batchSize: plan.settings.batchSize,
              ...(plan.settings.threads !== undefined ? { threads: plan.settings.threads } : {}),
            }
          : {}),
        signal,
      });
    },
    memory: systemMemoryProbe(() => runtime.gpuName()),
    dispose: () => runtime.dispose(),
    runtime,
  };
}

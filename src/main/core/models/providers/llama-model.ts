import type {
  ChatHistoryItem,
  ChatWrapper,
  LlamaContext,
  LlamaContextSequence,
  LlamaEmbeddingContext,
  LlamaGrammar,
  LlamaModel,
} from 'node-llama-cpp';
import { AppFailure } from '../../../../shared/errors';
import type { Clock } from '../../journal/journal';
import { abortError, raceAbort, throwIfAborted } from '../abort';
import { nonFinitePath } from '../json-schema';
import type { LoadedModel } from '../loaded-model';
import type { ChatMessage, GenerateOptions, Generation, JsonSchema } from '../types';
import type { KvCacheType } from '../runtime-settings';
import type { LlamaRuntime } from './llama-runtime';
import { nodeLlama, type NodeLlama } from './node-llama';
import { GrammarCache } from './grammar-cache';
import { SequencePool } from './sequence-pool';
import { SharedPrefixes, type Donor } from './shared-prefixes';

export type LlamaModelOptions = {
  runtime: LlamaRuntime;
  clock: Clock;
  name: string;
  path: string;
  /** Context tokens per sequence. */
  contextSize: number;
  /** Calls that can generate at once on this model (each gets its own KV-cache sequence). */
  sequences?: number;
  /** Layers offloaded to the GPU; 0 on CPU, 'max' (or layers + 1) for all of them and the output layer. */
  gpuLayers?: number | 'max';
  /** 'auto' uses flash attention where the model and backend support it. Default 'auto'. */
  flashAttention?: 'auto' | boolean;
  /** KV-cache element type; quantized types need flash attention. Default f16. */
  kvCacheType?: KvCacheType;
  /** Tokens evaluated per batch. Default node-llama-cpp's (512, or the context size if smaller). */
  batchSize?: number;
  /** CPU threads for this model's context; default the runtime's. */
  threads?: number;
  /** Estimated resident bytes, from the fit check. */
  memoryBytes: number;
  /** Cap when a call does not set maxTokens, so a model that never stops cannot hang a caller. */
  defaultMaxTokens?: number;
  signal?: AbortSignal;
};

/** A GGUF model loaded into this process through node-llama-cpp. */
export class LlamaLoadedModel implements LoadedModel {
  readonly name: string;
  readonly memoryBytes: number;
  private readonly pool: SequencePool<LlamaContextSequence>;
  private readonly prefixes = new SharedPrefixes<LlamaContextSequence>();
  private readonly grammars: GrammarCache;
  private chatWrapper: ChatWrapper | undefined;
  private embedding: Promise<LlamaEmbeddingContext> | undefined;
  private embedQueue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(
    private readonly options: LlamaModelOptions,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly lib: Pick<NodeLlama, 'LlamaChat' | 'LlamaCompletion'>,
  ) {
    this.name = options.name;
    this.memoryBytes = options.memoryBytes;
    this.grammars = new GrammarCache(options.runtime);
    const sequences: LlamaContextSequence[] = [];
    for (let i = 0; i < context.totalSequences; i++) sequences.push(context.getSequence());
    this.pool = new SequencePool(sequences);
  }

  static async load(options: LlamaModelOptions): Promise<LlamaLoadedModel> {
    const llama = await options.runtime.llama();
    const lib = await nodeLlama();
    throwIfAborted(options.signal);
    let model: LlamaModel;
    try {
      model = await llama.loadModel({
        modelPath: options.path,
        gpuLayers: options.gpuLayers ?? 0,
        defaultContextFlashAttention: options.flashAttention ?? 'auto',
        ...(options.signal ? { loadSignal: options.signal } : {}),
      });
    } catch (cause) {
      if (options.signal?.aborted) throw abortError(options.signal);
      throw new AppFailure('unavailable', `could not load ${options.name} from ${options.path}: ${message(cause)}`);
    }
    try {
      throwIfAborted(options.signal);
      const kv = options.kvCacheType && options.kvCacheType !== 'f16' ? KV_GGML[options.kvCacheType] : undefined;
      const context = await model.createContext({
        contextSize: options.contextSize,
        sequences: options.sequences ?? 1,
        threads: options.threads ?? options.runtime.threads,
        flashAttention: kv ? true : (options.flashAttention ?? 'auto'),
        ...(options.batchSize ? { batchSize: Math.min(options.batchSize, options.contextSize) } : {}),
        ...(kv ? { experimentalKvCacheKeyType: kv, experimentalKvCacheValueType: kv } : {}),
      });
      return new LlamaLoadedModel(options, model, context, lib);
    } catch (cause) {
      await model.dispose();
      if (options.signal?.aborted) throw abortError(options.signal);
      throw new AppFailure('unavailable', `could not create a context for ${options.name}: ${message(cause)}`);
    }
  }

  get contextSize(): number {
    return this.context.contextSize;
  }

  /** Sequences the context was created with (the most calls that can generate at once). */
  get totalSequences(): number {
    return this.context.totalSequences;
  }

  /** Whether flash attention is on for this model's context. */
  get flashAttention(): boolean {
    return this.context.flashAttention === true;
  }

  /**
   * How many sequences calls may use at once from now on (the resource manager lowers it under
   * pressure, down to one); calls beyond it wait. Clamped to 1..totalSequences.
   */
  setActiveSequences(n: number): number {
    return this.pool.setLimit(n);
  }

  get activeSequences(): number {
    return this.pool.limit;
  }

  async complete(prompt: string, options: GenerateOptions = {}): Promise<Generation> {
    return this.withSequence(prompt, options.signal, async (sequence, evaluated) => {
      const completion = new this.lib.LlamaCompletion({ contextSequence: sequence, autoDisposeSequence: false });
      const started = this.options.clock.now();
      const inputBefore = sequence.tokenMeter.usedInputTokens;
      let tokens = 0;
      let firstTokenMs: number | undefined;
      try {
        const { response: text, metadata } = await completion.generateCompletionWithMeta(prompt, {
          ...this.sampling(options),
          onToken: (t) => {
            if (firstTokenMs === undefined) evaluated();
            firstTokenMs ??= this.options.clock.now() - started;
            tokens += t.length;
          },
          ...(options.onToken ? { onTextChunk: options.onToken } : {}),
        });
        throwIfAborted(options.signal);
        return {
          text,
          tokens,
          model: this.name,
          durationMs: this.options.clock.now() - started,
          promptTokens: Math.max(0, sequence.tokenMeter.usedInputTokens - inputBefore - tokens),
          stopReason: this.stopReasonOf(metadata.stopReason, tokens, options),
          ...(firstTokenMs !== undefined ? { firstTokenMs } : {}),
        };
      } catch (cause) {
        throw this.callError(cause, options.signal);
      } finally {
        completion.dispose({ disposeSequence: false });
      }
    });
  }

  async chat(messages: ChatMessage[], options: GenerateOptions = {}): Promise<Generation> {
    const grammar = options.grammar === undefined ? undefined : await this.grammars.forGbnf(options.grammar);
    return (await this.respond(messages, options, grammar)).generation;
  }

  async generateJson(
    messages: ChatMessage[],
    schema: JsonSchema,
    options: GenerateOptions = {},
  ): Promise<{ value: unknown; generation: Generation }> {
    const grammar = await this.grammars.forJsonSchema(schema);
    const { generation, stopReason } = await this.respond(messages, options, grammar);
    let value: unknown;
    try {
      value = grammar.parse(generation.text);
    } catch (cause) {
      const why = stopReason === 'maxTokens' ? ` (it stopped at the ${this.maxTokens(options)}-token limit)` : '';
      throw new AppFailure(
        'unavailable',
        `${this.name} returned output that is not valid JSON for the schema${why}: ${message(cause)}; output began ${JSON.stringify(generation.text.slice(0, 120))}`,
      );
    }
    const bad = nonFinitePath(value);
    if (bad) throw new AppFailure('unavailable', `${this.name} returned a number too large to represent at ${bad}`);
    return { value, generation };
  }

  async embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<number[][]> {
    throwIfAborted(options.signal);
    this.embedding ??= this.model.createEmbeddingContext({
      contextSize: Math.min(this.context.contextSize, 2048),
      threads: this.options.runtime.threads,
    });
    const context = await this.embedding;
    // One embedding context evaluates one text at a time; calls queue here rather than interleave.
    const run = this.embedQueue.then(async () => {
      const out: number[][] = [];
      for (const text of texts) {
        throwIfAborted(options.signal);
        const e = await context.getEmbeddingFor(text);
        out.push([...e.vector]);
      }
      return out;
    });
    this.embedQueue = run.catch(() => undefined);
    return raceAbort(run, options.signal);
  }

  async countTokens(text: string): Promise<number> {
    return this.model.tokenize(text).length;
  }

  async warm(signal?: AbortSignal): Promise<void> {
    await this.complete('Hello', { maxTokens: 1, ...(signal ? { signal } : {}) });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const embedding = this.embedding;
    this.embedding = undefined;
    if (embedding) await embedding.then((e) => e.dispose()).catch(() => undefined);
    await this.context.dispose();
    await this.model.dispose();
  }

  private async respond(
    messages: ChatMessage[],
    options: GenerateOptions,
    grammar: LlamaGrammar | undefined,
  ): Promise<{ generation: Generation; stopReason: string }> {
    if (messages.length === 0) throw new AppFailure('invalid_input', 'a chat needs at least one message');
    return this.withSequence(promptKey(messages), options.signal, async (sequence, evaluated) => {
      const chat = new this.lib.LlamaChat({ contextSequence: sequence, autoDisposeSequence: false, chatWrapper: this.chatWrapper ?? 'auto' });
      this.chatWrapper ??= chat.chatWrapper;
      const started = this.options.clock.now();
      const inputBefore = sequence.tokenMeter.usedInputTokens;
      let tokens = 0;
      let firstTokenMs: number | undefined;
      try {
        const history: ChatHistoryItem[] = messages.map((m) =>
          m.role === 'assistant' ? { type: 'model', response: [m.content] } : { type: m.role, text: m.content },
        );
        history.push({ type: 'model', response: [] });
        const response = await chat.generateResponse(history, {
          ...this.sampling(options),
          ...(grammar ? { grammar } : {}),
          onToken: (t) => {
            if (firstTokenMs === undefined) evaluated();
            firstTokenMs ??= this.options.clock.now() - started;
            tokens += t.length;
          },
          ...(options.onToken ? { onTextChunk: options.onToken } : {}),
        });
        throwIfAborted(options.signal);
        return {
          generation: {
            text: response.response,
            tokens,
            model: this.name,
            durationMs: this.options.clock.now() - started,
            promptTokens: Math.max(0, sequence.tokenMeter.usedInputTokens - inputBefore - tokens),
            stopReason: this.stopReasonOf(response.metadata.stopReason, tokens, options),
            ...(firstTokenMs !== undefined ? { firstTokenMs } : {}),
          },
          stopReason: response.metadata.stopReason,
        };
      } catch (cause) {
        throw this.callError(cause, options.signal);
      } finally {
        chat.dispose({ disposeSequence: false });
      }
    });
  }

  /** `length` when generation ran into the token limit (the caller's, the default cap or the context's end). */
  private stopReasonOf(reason: string, tokens: number, options: GenerateOptions): 'stop' | 'length' {
    return reason === 'maxTokens' || tokens >= this.maxTokens(options) ? 'length' : 'stop';
  }

  private sampling(options: GenerateOptions) {
    return {
      maxTokens: this.maxTokens(options),
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      stopOnAbortSignal: false,
      ...(options.stop && options.stop.length > 0 ? { customStopTriggers: options.stop } : {}),
    };
  }

  private maxTokens(options: GenerateOptions): number {
    const wanted = options.maxTokens ?? this.options.defaultMaxTokens ?? 1024;
    return Math.max(1, Math.min(wanted, this.context.contextSize));
  }

  /**
   * Lends a sequence for one call; calls beyond the active sequences wait their turn. The sequence
   * chosen is the free one whose last prompt shares the longest prefix with this one, so a task's
   * next iteration (or a judge's next round) lands where its prompt is already evaluated and
   * node-llama-cpp evaluates only the new tail. If another sequence holds (or is evaluating) a much
   * longer part of this prompt — the other judges of the same review — the call waits for that
   * part to be evaluated and starts from a copy of it. `work` calls `evaluated` at its first token.
   */
  private async withSequence<T>(
    prompt: string,
    signal: AbortSignal | undefined,
    work: (seq: LlamaContextSequence, evaluated: () => void) => Promise<T>,
  ): Promise<T> {
    if (this.disposed) throw new AppFailure('unavailable', `${this.name} has been unloaded`);
    throwIfAborted(signal);
    const lent = await this.pool.acquire(prompt, signal);
    const sequence = lent.sequence;
    const donor = this.prefixes.donorFor(sequence, prompt);
    const holding = this.prefixes.begin(sequence, prompt, donor !== undefined);
    try {
      if (donor) await this.copyPrefix(donor, sequence, signal);
      return await work(sequence, () => holding.evaluated(sequence.nextTokenIndex));
    } finally {
      holding.evaluated(undefined);
      lent.release(prompt);
    }
  }

  /**
   * Starts `target` from the donor's evaluated state (up to the donor's prompt end; the chat then
   * keeps only the part its own prompt shares and evaluates the rest). node-llama-cpp copies KV state
   * between sequences internally (its decision contexts do) but does not export it, so it is used
   * only where present; any failure leaves the target empty, which costs time, never correctness.
   */
  private async copyPrefix(donor: Donor<LlamaContextSequence>, target: LlamaContextSequence, signal: AbortSignal | undefined): Promise<void> {
    const upTo = await raceAbort(donor.evaluated, signal);
    const copy = (target as unknown as CopyableSequence)._copyStateFromOtherSequence;
    if (typeof copy !== 'function' || this.disposed) return;
    const source = donor.sequence;
    const end = Math.min(upTo ?? source.nextTokenIndex, source.nextTokenIndex);
    if (end <= 0) return;
    try {
      if (!(await copy.call(target, source, end))) await target.clearHistory();
    } catch {
      await target.clearHistory().catch(() => undefined);
    }
  }

  private callError(cause: unknown, signal: AbortSignal | undefined): Error {
    if (signal?.aborted) return abortError(signal);
    if (cause instanceof AppFailure) return cause;
    return new AppFailure('unavailable', `${this.name} failed: ${message(cause)}`);
  }
}

/** node-llama-cpp's internal KV copy between sequences of one context (3.x; see copyPrefix). */
type CopyableSequence = { _copyStateFromOtherSequence?: (other: LlamaContextSequence, upToTokenIndex: number) => Promise<boolean> };

/** node-llama-cpp's names for the KV-cache types. */
const KV_GGML = { q8_0: 'Q8_0', q4_0: 'Q4_0' } as const;

/** The text a chat's prompt starts with, in order, for choosing the sequence that already holds it. */
function promptKey(messages: readonly ChatMessage[]): string {
  return messages.map((m) => `\u0000${m.role}\u0000${m.content}`).join('');
}

function message(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * Prefix reuse: time to first token of a worker's iteration 2+ against its iteration 1, with a long
 * stable prefix (system, task, spec, files) and a short changing tail (the last attempt and its gate
 * results). The model keeps the evaluated prefix on the task's sequence and evaluates only the tail.
 * Another task's call runs between iterations on a second sequence, as it would in the app. A
 * baseline without reuse (a fresh context sequence each time) is printed beside it.
 * Target: ttft_next / ttft_first <= 0.3.
 * Usage: npm run bench:prefix [-- --json] [-- --model bench|tiny|<path.gguf>] [-- --iterations N] [-- --gpu off|auto|metal|cuda|vulkan]
 * Default model: `bench`, the widened random-weight llama the council bench uses (matrix work, not
 * per-token overhead, sets its cost); `tiny` is the 250 KB test model.
 */
import { systemClock } from '../src/main/core/journal/journal';
import { LlamaLoadedModel } from '../src/main/core/models/providers/llama-model';
import { LlamaRuntime } from '../src/main/core/models/providers/llama-runtime';
import { ensureBenchModel, ensureTestModel } from '../src/main/core/models/testing/test-model';
import type { ChatMessage } from '../src/main/core/models/types';
import { silentLogger } from '../src/main/core/observability/logger';
import { gpuArg } from './gpu-arg';

export const PREFIX_TARGET = 0.3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The worker's prompt, stable part first: system, task, spec, files; then what changes. */
function workerPrompt(task: string, iteration: number, chars: number): ChatMessage[] {
  const files = `// src/${task}.ts\nexport function ${task}(n: number): number {\n  return n;\n}\n`.repeat(Math.ceil(chars / 70)).slice(0, chars);
  const messages: ChatMessage[] = [
    { role: 'system', content: 'You are the worker. Answer with one edit as JSON.' },
    { role: 'user', content: `Task: ${task}\nSpec: FIX-0001 clamp the input\nFiles:\n${files}` },
  ];
  for (let i = 1; i < iteration; i++) {
    messages.push({ role: 'assistant', content: `{"edit":"attempt ${i}"}` });
    messages.push({ role: 'user', content: `Iteration ${i + 1}: tests failed (${i} of 3).` });
  }
  return messages;
}

export default async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const iterations = Number(arg(args, '--iterations') ?? 5);
  const choice = arg(args, '--model') ?? 'bench';
  const path = choice === 'bench' ? await ensureBenchModel() : choice === 'tiny' ? await ensureTestModel() : choice;
  const prefixChars = Number(arg(args, '--prefix-chars') ?? 600);
  const gpu = gpuArg(args);
  const runtime = new LlamaRuntime({ logger: silentLogger(), threads: Number(arg(args, '--threads') ?? 1), gpu: gpu.gpu });
  const model = await LlamaLoadedModel.load({ runtime, clock: systemClock, name: 'bench', path, contextSize: 1024, sequences: 2, memoryBytes: 1, gpuLayers: gpu.gpuLayers });
  const fresh = await LlamaLoadedModel.load({ runtime, clock: systemClock, name: 'fresh', path, contextSize: 1024, sequences: 1, memoryBytes: 1, gpuLayers: gpu.gpuLayers });
  const ttft = async (m: LlamaLoadedModel, messages: ChatMessage[]) => {
    const g = await m.chat(messages, { maxTokens: 2 });
    return { ms: g.firstTokenMs ?? g.durationMs, prompt: g.promptTokens ?? 0 };
  };
  try {
    await ttft(model, workerPrompt('warm', 1, 50));
    const first = await ttft(model, workerPrompt('clamp', 1, prefixChars));
    const next: Array<{ ms: number; prompt: number }> = [];
    const baseline: number[] = [];
    for (let i = 2; i <= iterations; i++) {
      // Another task's call in between, as in the app.
      await ttft(model, workerPrompt('other', i - 1, prefixChars));
      next.push(await ttft(model, workerPrompt('clamp', i, prefixChars)));
      // Without reuse: the same prompt on a sequence that holds something else.
      await ttft(fresh, workerPrompt('other', 1, prefixChars));
      baseline.push((await ttft(fresh, workerPrompt('clamp', i, prefixChars))).ms);
    }
    const nextMs = median(next.map((n) => n.ms));
    const result = {
      model: path,
      prompt_tokens_first: first.prompt,
      prompt_tokens_next: median(next.map((n) => n.prompt)),
      ttft_first_ms: first.ms,
      ttft_next_ms: nextMs,
      ratio: nextMs / first.ms,
      ttft_without_reuse_ms: median(baseline),
      target: PREFIX_TARGET,
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      console.log(`Prefix reuse, ${path}: ${first.prompt}-token prompt, iterations 2..${iterations} (median)`);
      console.log(`TTFT iteration 1            ${result.ttft_first_ms.toFixed(1)} ms`);
      console.log(`TTFT iteration 2+           ${result.ttft_next_ms.toFixed(1)} ms   ratio ${result.ratio.toFixed(2)} (target <= ${PREFIX_TARGET}); ${result.prompt_tokens_next} prompt tokens evaluated`);
      console.log(`TTFT 2+ without reuse       ${result.ttft_without_reuse_ms.toFixed(1)} ms   (same prompts on a sequence holding another task)`);
    }
  } finally {
    await model.dispose();
    await fresh.dispose();
    await runtime.dispose();
  }
}

/**
 * The model service's overhead on the real node-llama-cpp path, on the project's test model:
 *  - tokens per second through the service (scheduler admission, routing, pinning, metrics, batched
 *    model.tokens journal events) against raw node-llama-cpp generation of the same prompt on the
 *    same model file in this process, rounds interleaved; printed as a ratio (target >= 0.97);
 *  - time to first token, service and raw;
 *  - the hot-swap window under load: calls keep flowing from several callers while the role is
 *    swapped to another model; failed calls must be 0.
 * Usage: npm run bench:models [-- <rounds> <maxTokens>] [-- --json]
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLlama, LlamaCompletion } from 'node-llama-cpp';
import { createCore } from '../src/main/core/composition/app-core';
import { silentLogger } from '../src/main/core/observability/logger';
import { ensureTestModel } from '../src/main/core/models/testing/test-model';
import { SubmitTaskInput } from '../src/shared/domain/task';
import { AppSettingsPatch } from '../src/shared/channels/settings';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const f1 = (n: number) => n.toFixed(1);

export const MODELS_TARGET = 0.97;

export default async function main(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  const say = (line: string) => {
    if (!json) console.log(line);
  };
  const rounds = Number(args[0] ?? 25);
  const maxTokens = Number(args[1] ?? 400);
  const dir = mkdtempSync(join(tmpdir(), 'aa-bench-models-'));
  const modelPath = await ensureTestModel();
  const core = createCore({ dataDir: join(dir, 'data'), logger: silentLogger(), models: { threads: 1, gpu: false, idleUnloadMs: 0, maxContextSize: 1024 } });
  try {
    const repo = mkdtempSync(join(dir, 'repo-'));
    // Tasks may target only the allowed folders (the home folder by default): this one is allowed.
    core.settings.update(AppSettingsPatch.parse({ allowedRoots: [repo] }), 'bench');
    const task = core.tasks.submit(SubmitTaskInput.parse({ description: 'model service benchmark', repoPath: repo, allowNonGit: true }));
    const a = await core.models.addByPath({ path: modelPath, name: 'bench-a' });
    const copy = join(dir, 'b.gguf');
    copyFileSync(modelPath, copy);
    await core.models.addByPath({ path: copy, name: 'bench-b' });
    const worker = core.models.client('worker');

    // Raw node-llama-cpp on the same file, same context size and threads.
    const llama = await getLlama({ gpu: false, build: 'never' });
    const rawModel = await llama.loadModel({ modelPath });
    const rawContext = await rawModel.createContext({ contextSize: 1024, threads: 1 });
    const rawSequence = rawContext.getSequence();
    const raw = new LlamaCompletion({ contextSequence: rawSequence, autoDisposeSequence: false });

    const prompt = 'The worker reads the plan and writes the patch:';
    // Raw baseline streams text like the service does (a task's calls always stream into the
    // journal); `bare` only counts tokens, the least work node-llama-cpp can do.
    const rawRunWith = (streamText: boolean) => async () => {
      let tokens = 0;
      let first = 0;
      let text = 0;
      const t0 = performance.now();
      await raw.generateCompletion(prompt, {
        maxTokens,
        onToken: (t) => {
          if (tokens === 0) first = performance.now() - t0;
          tokens += t.length;
        },
        ...(streamText ? { onTextChunk: (chunk: string) => (text += chunk.length) } : {}),
      });
      return { tokens, ms: performance.now() - t0, ttft: first };
    };
    const rawRun = rawRunWith(true);
    const bareRun = rawRunWith(false);
    const serviceRun = async () => {
      let first = 0;
      let seen = false;
      const t0 = performance.now();
      const g = await worker.complete(prompt, {
        maxTokens,
        taskId: task.id,
        onToken: () => {
          if (!seen) first = performance.now() - t0;
          seen = true;
        },
      });
      return { tokens: g.tokens, ms: performance.now() - t0, ttft: first };
    };

    // Warm both (load, caches), then interleave rounds so drift hits both sides alike.
    await rawRun();
    await serviceRun();
    const rawTps: number[] = [];
    const svcTps: number[] = [];
    const bareTps: number[] = [];
    const rawTtft: number[] = [];
    const svcTtft: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? [rawRun, serviceRun, bareRun] : [bareRun, serviceRun, rawRun];
      for (const run of order) {
        const r = await run();
        const tps = (r.tokens * 1000) / r.ms;
        if (run === rawRun) {
          rawTps.push(tps);
          rawTtft.push(r.ttft);
        } else if (run === bareRun) {
          bareTps.push(tps);
        } else {
          svcTps.push(tps);
          svcTtft.push(r.ttft);
        }
      }
    }
    const journaled = core.tasks.get(task.id).events.filter((e) => e.type === 'model.tokens').length;
    const ratio = median(svcTps) / median(rawTps);
    say(`model: ${a.name} (test model, ${(a.kind === 'gguf' ? a.sizeBytes : 0) / 1024} KiB), ${rounds} rounds x ${maxTokens} tokens, 1 thread, CPU`);
    say(`raw node-llama-cpp, streaming text : ${f1(median(rawTps))} tokens/s (median), time to first token ${f1(median(rawTtft))} ms`);
    say(`raw node-llama-cpp, counting only  : ${f1(median(bareTps))} tokens/s (median)`);
    say(`through the service                : ${f1(median(svcTps))} tokens/s (median), time to first token ${f1(median(svcTtft))} ms`);
    say(`ratio service / raw (streaming)    : ${ratio.toFixed(3)} (target >= ${MODELS_TARGET})`);
    say(`ratio service / raw (counting only): ${(median(svcTps) / median(bareTps)).toFixed(3)}`);
    say(`model.tokens events journaled: ${journaled} for ${(rounds + 1) * maxTokens} tokens`);
    raw.dispose({ disposeSequence: false });
    await rawContext.dispose();
    await rawModel.dispose();

    // Hot-swap under load.
    const callers = 3;
    let stop = false;
    let failed = 0;
    const latencies: Array<{ at: number; ms: number; model: string }> = [];
    const loop = async () => {
      while (!stop) {
        const t0 = performance.now();
        try {
          const g = await worker.complete('tick', { maxTokens: 16 });
          latencies.push({ at: t0, ms: performance.now() - t0, model: g.model });
        } catch {
          failed++;
        }
      }
    };
    const loops = Array.from({ length: callers }, loop);
    await new Promise((r) => setTimeout(r, 500));
    const swapStart = performance.now();
    const swap = await core.models.swap('worker', 'bench-b');
    const swapEnd = performance.now();
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await Promise.all(loops);
    const before = latencies.filter((l) => l.at < swapStart).map((l) => l.ms);
    const during = latencies.filter((l) => l.at >= swapStart && l.at <= swapEnd).map((l) => l.ms);
    const after = latencies.filter((l) => l.at > swapEnd);
    say(`hot-swap under load (${callers} callers, 16-token calls): swap took ${f1(swapEnd - swapStart)} ms (load + warm + switch + drain), drain ${swap.drainMs} ms`);
    say(`  calls: ${latencies.length + failed} total, failed: ${failed}`);
    say(`  latency p50/p95 before ${f1(median(before))}/${f1(pct(before, 0.95))} ms, during ${during.length ? `${f1(median(during))}/${f1(pct(during, 0.95))}` : 'n/a'} ms (${during.length} calls)`);
    say(`  calls after the swap served by bench-b: ${after.filter((l) => l.model === 'bench-b').length}/${after.length}`);
    if (json) {
      process.stdout.write(
        `${JSON.stringify({
          rounds,
          max_tokens: maxTokens,
          raw_tps: median(rawTps),
          raw_counting_tps: median(bareTps),
          service_tps: median(svcTps),
          raw_ttft_ms: median(rawTtft),
          service_ttft_ms: median(svcTtft),
          ratio,
          ratio_counting: median(svcTps) / median(bareTps),
          journaled_token_events: journaled,
          swap_ms: swapEnd - swapStart,
          swap_drain_ms: swap.drainMs,
          swap_calls: latencies.length + failed,
          swap_failed: failed,
          target: { ratio_at_least: MODELS_TARGET, swap_failed: 0, met: ratio >= MODELS_TARGET && failed === 0 },
        })}\n`,
      );
    }
    if (failed > 0) process.exitCode = 1;
  } finally {
    core.close();
    await new Promise((r) => setTimeout(r, 50));
    rmSync(dir, { recursive: true, force: true });
  }
}

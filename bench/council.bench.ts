/**
 * The council in parallel: wall time of a four-judge review on one loaded model with four context
 * sequences (judges run at once, as the round limiter allows at nominal pressure) against the same
 * review with one sequence (judges one after another) and against a single judge alone; same model
 * file, prompts and output limit, in this process, rounds interleaved, medians reported.
 * Target: parallel <= 1.6x a single judge on a model that fits four sequences.
 * Usage: npm run bench:council [-- --json] [-- --model bench|tiny|<path.gguf>] [-- --rounds N] [-- --max-tokens N] [-- --threads N] [-- --gpu off|auto|metal|cuda|vulkan]
 * Threads default to what the app uses on this machine (its performance cores).
 * Default model: `bench`, the project's random-weight llama widened to about 24M parameters
 * (ensureBenchModel), so a decode step costs what it costs in a real model (matrix work) rather than
 * the per-token overhead around it that dominates the 250 KB test model (`tiny`). Any GGUF path works
 * too (/work/shared/models/stories260K.gguf is tiny like the test model).
 */
import { Council } from '../src/main/core/council/council';
import { JUDGES } from '../src/main/core/council/judges';
import { roundLimiter } from '../src/main/core/council/round-limiter';
import { systemClock } from '../src/main/core/journal/journal';
import { LlamaLoadedModel } from '../src/main/core/models/providers/llama-model';
import { LlamaRuntime } from '../src/main/core/models/providers/llama-runtime';
import { ensureBenchModel, ensureTestModel } from '../src/main/core/models/testing/test-model';
import type { ModelGateway } from '../src/main/core/models/types';
import { silentLogger } from '../src/main/core/observability/logger';
import { unlimitedAdmission } from '../src/main/core/scheduler/admission';
import { councilBenchSubject } from './council-subject';
import { gpuArg } from './gpu-arg';

export const COUNCIL_TARGET = 1.6;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export default async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const rounds = Number(arg(args, '--rounds') ?? 3);
  const maxTokens = Number(arg(args, '--max-tokens') ?? 200);
  const model = arg(args, '--model') ?? 'bench';
  const path = model === 'bench' ? await ensureBenchModel() : model === 'tiny' ? await ensureTestModel() : model;
  // Threads as the app would use them on this machine (performance cores) unless given.
  const threadsArg = arg(args, '--threads');
  const gpu = gpuArg(args);
  const runtime = new LlamaRuntime({ logger: silentLogger(), ...(threadsArg ? { threads: Number(threadsArg) } : {}), gpu: gpu.gpu });
  const load = (sequences: number) =>
    LlamaLoadedModel.load({ runtime, clock: systemClock, name: `bench-${sequences}`, path, contextSize: 6144, sequences, memoryBytes: 1, gpuLayers: gpu.gpuLayers });
  const four = await load(4);
  const one = await load(1);
  const gatewayOf = (model: LlamaLoadedModel): ModelGateway => ({ client: () => model });
  const councilOf = (model: LlamaLoadedModel, judges = JUDGES) =>
    new Council({
      gateway: gatewayOf(model),
      logger: silentLogger(),
      limiter: roundLimiter({ admission: unlimitedAdmission, level: () => 'nominal' }),
      judges,
      maxDebateRounds: 0,
      judgeMaxTokens: maxTokens,
      judgeTimeoutMs: 600_000,
    });
  let failures = 0;
  let reviews = 0;
  const time = async (council: Council) => {
    const started = performance.now();
    const { rounds: votes } = await council.review(councilBenchSubject(reviews++));
    // The test model's words are noise: a review cut off at the token limit fails closed, which is
    // the same work for timing. Counted and reported, not fatal.
    failures += votes.filter((v) => v.error).length;
    return (performance.now() - started) / 1000;
  };
  try {
    // Warm both contexts once (first-call costs are not the council's).
    await time(councilOf(four, [JUDGES[1]!]));
    await time(councilOf(one, [JUDGES[1]!]));
    // A single judge: each of the four alone on a review of its own; the four differ in prompt and
    // in how long their answers run, so "a single judge" is their mean (the serial council's quarter).
    const single: number[][] = JUDGES.map(() => []);
    const parallel: number[] = [];
    const serial: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const runs: Array<() => Promise<void>> = [
        async () => {
          for (const [i, judge] of JUDGES.entries()) single[i]!.push(await time(councilOf(four, [judge])));
        },
        async () => void parallel.push(await time(councilOf(four))),
        async () => void serial.push(await time(councilOf(one))),
      ];
      if (r % 2 === 1) runs.reverse();
      for (const run of runs) await run();
    }
    // What the machine gives batching: free-running decode on four sequences at once against one.
    const decode: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const gen = (i: number) => four.complete(`Story ${r}.${i}:`, { maxTokens: 100 });
      let t = performance.now();
      await gen(0);
      const alone = performance.now() - t;
      t = performance.now();
      await Promise.all([1, 2, 3, 4].map(gen));
      decode.push((performance.now() - t) / alone);
    }
    const perJudge = single.map(median);
    const singleMean = perJudge.reduce((a, b) => a + b, 0) / perJudge.length;
    const slowest = Math.max(...perJudge);
    const result = {
      model: path,
      judges: JUDGES.length,
      max_tokens: maxTokens,
      threads: runtime.threads,
      single_judge_s: singleMean,
      single_judge_each_s: Object.fromEntries(JUDGES.map((j, i) => [j.id, perJudge[i]!])),
      parallel_s: median(parallel),
      serial_s: median(serial),
      ratio_to_single: median(parallel) / singleMean,
      ratio_to_slowest_single: median(parallel) / slowest,
      serial_ratio_to_single: median(serial) / singleMean,
      decode_batch_ratio: median(decode),
      failed_closed_votes: failures,
      target: COUNCIL_TARGET,
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      console.log(`Council wall time, ${JUDGES.length} judges, ${maxTokens}-token reviews, ${path}, ${runtime.threads} threads (median of ${rounds}; every review a new one)`);
      console.log(`single judge (mean of 4)  ${singleMean.toFixed(2)} s   (${JUDGES.map((j, i) => `${j.id} ${perJudge[i]!.toFixed(2)}`).join(', ')})`);
      console.log(`4 judges, 4 sequences     ${result.parallel_s.toFixed(2)} s   ${result.ratio_to_single.toFixed(2)}x a single judge (target <= ${COUNCIL_TARGET}x); ${result.ratio_to_slowest_single.toFixed(2)}x the slowest`);
      console.log(`4 judges, 1 sequence      ${result.serial_s.toFixed(2)} s   ${result.serial_ratio_to_single.toFixed(2)}x a single judge (before: judges one after another)`);
      console.log(`decode, 4 sequences vs 1  ${result.decode_batch_ratio.toFixed(2)}x   (what batching saves on this machine: near 1 where decode is memory-bound, as on Metal; near 4 where it is compute-bound)`);
      console.log(`(${failures} votes failed closed at the token limit; the test model's words are noise, the work is the same)`);
    }
  } finally {
    await four.dispose();
    await one.dispose();
    await runtime.dispose();
  }
}

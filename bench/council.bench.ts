/**
 * The council in parallel: wall time of a four-judge review on one loaded model with four context
 * sequences (judges run at once, as the round limiter allows at nominal pressure) against the same
 * review with one sequence (judges one after another) and against a single judge alone; same model
 * file, prompts and output limit, in this process, rounds interleaved, medians reported.
 * Target: parallel <= 1.6x a single judge on a model that fits four sequences.
 * Usage: npm run bench:council [-- --json] [-- --model <path.gguf>] [-- --rounds N] [-- --max-tokens N]
 * Default model: the project's test model; /work/shared/models/stories260K.gguf works too.
 */
import { DEFAULT_POLICY } from '../src/shared/domain/governance';
import type { WorkingSpec } from '../src/shared/domain/working-spec';
import { serializeSpec } from '../src/main/core/caws/yaml';
import { Council } from '../src/main/core/council/council';
import { JUDGES } from '../src/main/core/council/judges';
import { roundLimiter } from '../src/main/core/council/round-limiter';
import type { ReviewSubject } from '../src/main/core/council/types';
import { systemClock } from '../src/main/core/journal/journal';
import { LlamaLoadedModel } from '../src/main/core/models/providers/llama-model';
import { LlamaRuntime } from '../src/main/core/models/providers/llama-runtime';
import { ensureTestModel } from '../src/main/core/models/testing/test-model';
import type { ModelGateway } from '../src/main/core/models/types';
import { silentLogger } from '../src/main/core/observability/logger';
import { unlimitedAdmission } from '../src/main/core/scheduler/admission';

export const COUNCIL_TARGET = 1.6;

const spec: WorkingSpec = {
  id: 'FIX-0001',
  title: 'Clamp the input',
  risk_tier: 3,
  mode: 'fix',
  lifecycle_state: 'active',
  blast_radius: { modules: ['math'], data_migration: false },
  scope: { in: ['src/'] },
  invariants: ['add still adds'],
  acceptance: [{ id: 'A1', given: 'n above hi', when: 'clamp runs', then: 'it returns hi' }],
  non_functional: {},
  contracts: [],
};

const subject: ReviewSubject = {
  kind: 'change',
  taskId: 'tsk_benchcouncil0',
  description: 'Clamp the input of the math helper',
  riskTier: 3,
  mode: 'dry-run',
  spec,
  specYaml: serializeSpec(spec),
  budget: DEFAULT_POLICY.budgets[3],
  waivers: [],
  change: {
    changedFiles: [{ path: 'src/math.ts', linesAdded: 3, linesRemoved: 1 }],
    diff: '--- a/src/math.ts\n+++ b/src/math.ts\n@@ -1,3 +1,5 @@\n-export const clamp = (n: number) => n;\n+export const clamp = (n: number, lo: number, hi: number) =>\n+  Math.min(hi, Math.max(lo, n));\n',
  },
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export default async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const rounds = Number(arg(args, '--rounds') ?? 3);
  const maxTokens = Number(arg(args, '--max-tokens') ?? 200);
  const path = arg(args, '--model') ?? (await ensureTestModel());
  const runtime = new LlamaRuntime({ logger: silentLogger(), threads: Number(arg(args, '--threads') ?? 1), gpu: false });
  const load = (sequences: number) =>
    LlamaLoadedModel.load({ runtime, clock: systemClock, name: `bench-${sequences}`, path, contextSize: 2048, sequences, memoryBytes: 1 });
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
  const time = async (council: Council) => {
    const started = performance.now();
    const { rounds: votes } = await council.review(subject);
    // The test model's words are noise: a review cut off at the token limit fails closed, which is
    // the same work for timing. Counted and reported, not fatal.
    failures += votes.filter((v) => v.error).length;
    return (performance.now() - started) / 1000;
  };
  try {
    // Warm both contexts once (first-call costs are not the council's).
    await time(councilOf(four, [JUDGES[1]!]));
    await time(councilOf(one, [JUDGES[1]!]));
    const single: number[] = [];
    const parallel: number[] = [];
    const serial: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const runs: Array<[number[], () => Promise<number>]> = [
        [single, () => time(councilOf(four, [JUDGES[1]!]))],
        [parallel, () => time(councilOf(four))],
        [serial, () => time(councilOf(one))],
      ];
      if (r % 2 === 1) runs.reverse();
      for (const [into, run] of runs) into.push(await run());
    }
    const result = {
      model: path,
      judges: JUDGES.length,
      max_tokens: maxTokens,
      single_judge_s: median(single),
      parallel_s: median(parallel),
      serial_s: median(serial),
      ratio_to_single: median(parallel) / median(single),
      serial_ratio_to_single: median(serial) / median(single),
      failed_closed_votes: failures,
      target: COUNCIL_TARGET,
    };
    if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      console.log(`Council wall time, ${JUDGES.length} judges, ${maxTokens}-token reviews, ${path} (median of ${rounds})`);
      console.log(`single judge              ${result.single_judge_s.toFixed(2)} s`);
      console.log(`4 judges, 4 sequences     ${result.parallel_s.toFixed(2)} s   ${result.ratio_to_single.toFixed(2)}x a single judge (target <= ${COUNCIL_TARGET}x)`);
      console.log(`4 judges, 1 sequence      ${result.serial_s.toFixed(2)} s   ${result.serial_ratio_to_single.toFixed(2)}x a single judge (before: judges one after another)`);
      console.log(`(${failures} votes failed closed at the token limit; the test model's words are noise, the work is the same)`);
    }
  } finally {
    await four.dispose();
    await one.dispose();
    await runtime.dispose();
  }
}

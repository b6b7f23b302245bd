import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const node = join(root, 'node_modules/.bin/node');

/** Runs `bench/<file>` through run-ts.mjs with `args` and returns its last line's JSON figure. */
function bench<T>(file: string, args: string[]): T {
  const r = spawnSync(node, [join(root, 'bench/run-ts.mjs'), join(root, 'bench', file), ...args, '--json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as T;
}

/**
 * The benchmarks run from source through bench/run-ts.mjs. Nothing else in CI runs them, so these
 * run a few on small inputs to their figures (never asserting a speed).
 */
describe('bench/run-ts.mjs', () => {
  // It loads node-llama-cpp lazily, after the benchmark module itself, which a runner closed too
  // early refuses ("module runner has been closed").
  it('runs a benchmark that loads the model runtime on first use, to its JSON figure', () => {
    const figure = bench<{ ratio: number; target: number; prompt_tokens_next: number }>('prefix.bench.ts', ['--model', 'tiny', '--iterations', '2']);
    expect(figure.target).toBe(0.3);
    expect(figure.ratio).toBeGreaterThan(0);
    expect(figure.prompt_tokens_next).toBeGreaterThan(0);
  }, 150_000);

  // Both submit tasks, so a change to what a task may target (allowed folders, git) that a
  // benchmark does not follow fails here rather than on the next person who runs it.
  it('runs the engine benchmark to its JSON figures', () => {
    const figure = bench<{ tasks_per_s: number; journal_ratio_to_bare_table: number }>('engine.bench.ts', ['5', '1']);
    expect(figure.tasks_per_s).toBeGreaterThan(0);
    expect(figure.journal_ratio_to_bare_table).toBeGreaterThan(0);
  }, 150_000);

  it('runs the model service benchmark to its JSON figures, no call failing across the hot swap', () => {
    const figure = bench<{ ratio: number; swap_failed: number; target: { ratio_at_least: number } }>('models.bench.ts', ['2', '16']);
    expect(figure.ratio).toBeGreaterThan(0);
    expect(figure.swap_failed).toBe(0);
    expect(figure.target.ratio_at_least).toBe(0.97);
  }, 150_000);
});

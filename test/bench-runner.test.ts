import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');
const node = join(root, 'node_modules/.bin/node');

/**
 * The benchmarks run from source through bench/run-ts.mjs. Nothing else in CI runs them, so this
 * runs the shortest one on the test model: it loads node-llama-cpp lazily, after the benchmark
 * module itself, which a runner closed too early refuses ("module runner has been closed").
 */
describe('bench/run-ts.mjs', () => {
  it('runs a benchmark that loads the model runtime on first use, to its JSON figure', () => {
    const r = spawnSync(node, [join(root, 'bench/run-ts.mjs'), join(root, 'bench/prefix.bench.ts'), '--model', 'tiny', '--iterations', '2', '--json'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const figure = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ratio: number; target: number; prompt_tokens_next: number };
    expect(figure.target).toBe(0.3);
    expect(figure.ratio).toBeGreaterThan(0);
    expect(figure.prompt_tokens_next).toBeGreaterThan(0);
  }, 150_000);
});

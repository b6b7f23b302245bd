import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export type TestCounts = { passed: number; failed: number };

/**
 * Pass/fail counts from a test runner's summary, where the runner prints one we know: node:test
 * (TAP `# pass N` or spec `ℹ pass N`), vitest/jest (`Tests  2 failed | 10 passed`), pytest
 * (`3 passed, 1 failed`), cargo (`test result: … 3 passed; 1 failed`). The last summary wins.
 */
export function parseTestCounts(output: string): TestCounts | undefined {
  let found: TestCounts | undefined;
  const take = (passed: number, failed: number) => {
    if (passed + failed > 0) found = { passed, failed };
  };
  const nodePass = [...output.matchAll(/^(?:#|ℹ)\s+pass\s+(\d+)\s*$/gm)].at(-1);
  const nodeFail = [...output.matchAll(/^(?:#|ℹ)\s+fail\s+(\d+)\s*$/gm)].at(-1);
  if (nodePass || nodeFail) take(Number(nodePass?.[1] ?? 0), Number(nodeFail?.[1] ?? 0));
  for (const m of output.matchAll(/^\s*Tests:?\s+(.*)$/gm)) {
    const line = m[1]!;
    const passed = /(\d+) passed/.exec(line);
    const failed = /(\d+) failed/.exec(line);
    if (passed || failed) take(Number(passed?.[1] ?? 0), Number(failed?.[1] ?? 0));
  }
  for (const m of output.matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed/gm)) take(Number(m[1]), Number(m[2]));
  const pytest = [...output.matchAll(/^=+ (.*(?:passed|failed).*) in [\d.]+s/gm)].at(-1);
  if (pytest) {
    const passed = /(\d+) passed/.exec(pytest[1]!);
    const failed = /(\d+) failed/.exec(pytest[1]!);
    take(Number(passed?.[1] ?? 0), Number(failed?.[1] ?? 0));
  }
  return found;
}

export type Coverage = { lines: number; source: string };

const IstanbulSummary = z.object({ total: z.object({ lines: z.object({ pct: z.union([z.number(), z.literal('Unknown')]) }) }) });

/**
 * Line coverage (0..1) the project reported during the test run: node's `--experimental-test-coverage`
 * table, an istanbul `coverage-summary.json`, or `lcov.info`. Report files older than the run are
 * ignored — a stale report would vouch for code it never saw.
 */
export function findCoverage(output: string, dir: string, runStartedAtMs: number): Coverage | undefined {
  const table = [...output.matchAll(/^(?:#|ℹ)\s*all files\s*\|\s*([\d.]+)\s*\|/gm)].at(-1);
  if (table) return { lines: clamp(Number(table[1]) / 100), source: 'node --experimental-test-coverage' };
  const istanbul = fresh(join(dir, 'coverage', 'coverage-summary.json'), runStartedAtMs);
  if (istanbul !== undefined) {
    try {
      const pct = IstanbulSummary.parse(JSON.parse(istanbul)).total.lines.pct;
      if (typeof pct === 'number') return { lines: clamp(pct / 100), source: 'coverage/coverage-summary.json' };
    } catch {
      // Not a summary we understand; fall through.
    }
  }
  const lcov = fresh(join(dir, 'coverage', 'lcov.info'), runStartedAtMs);
  if (lcov !== undefined) {
    let hit = 0;
    let found = 0;
    for (const m of lcov.matchAll(/^LH:(\d+)$/gm)) hit += Number(m[1]);
    for (const m of lcov.matchAll(/^LF:(\d+)$/gm)) found += Number(m[1]);
    if (found > 0) return { lines: clamp(hit / found), source: 'coverage/lcov.info' };
  }
  return undefined;
}

function fresh(file: string, sinceMs: number): string | undefined {
  try {
    const st = statSync(file);
    // File systems with coarse timestamps round down; allow one second.
    if (!st.isFile() || st.mtimeMs < sinceMs - 1000 || st.size > 32 * 1024 * 1024) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const clamp = (n: number) => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0);

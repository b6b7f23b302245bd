import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { findCoverage, parseTestCounts } from './output-parsers';

describe('test output', () => {
  it.each([
    ['node tap', '# tests 5\n# pass 4\n# fail 1\n', { passed: 4, failed: 1 }],
    ['node spec', 'ℹ tests 3\nℹ pass 3\nℹ fail 0\n', { passed: 3, failed: 0 }],
    ['vitest', ' Test Files  1 failed (1)\n      Tests  2 failed | 10 passed (12)\n', { passed: 10, failed: 2 }],
    ['jest', 'Tests:       1 failed, 7 passed, 8 total\n', { passed: 7, failed: 1 }],
    ['cargo', 'test result: FAILED. 3 passed; 1 failed; 0 ignored\n', { passed: 3, failed: 1 }],
    ['pytest', '===== 5 passed, 2 failed in 0.12s =====\n', { passed: 5, failed: 2 }],
  ])('counts %s results', (_name, output, counts) => {
    expect(parseTestCounts(output)).toEqual(counts);
  });

  it('returns nothing for output without a summary', () => {
    expect(parseTestCounts('all good\n')).toBeUndefined();
  });
});

describe('coverage reports', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('aa-cov-');
    mkdirSync(join(tmp.dir, 'coverage'));
  });
  afterEach(() => tmp.cleanup());

  it('reads the node coverage table', () => {
    const found = findCoverage('# all files     |  38.78 |   100.00 |   80.00 | \n', tmp.dir, Date.now());
    expect(found?.source).toBe('node --experimental-test-coverage');
    expect(found?.lines).toBeCloseTo(0.3878);
  });

  it('reads a fresh istanbul summary and lcov, and ignores stale ones', () => {
    const start = Date.now();
    writeFileSync(join(tmp.dir, 'coverage', 'coverage-summary.json'), JSON.stringify({ total: { lines: { pct: 85.5 } } }));
    expect(findCoverage('', tmp.dir, start)?.lines).toBeCloseTo(0.855);
    const old = new Date(start - 3_600_000);
    utimesSync(join(tmp.dir, 'coverage', 'coverage-summary.json'), old, old);
    expect(findCoverage('', tmp.dir, start)).toBeUndefined();
    writeFileSync(join(tmp.dir, 'coverage', 'lcov.info'), 'SF:a.js\nLF:10\nLH:9\nend_of_record\nSF:b.js\nLF:10\nLH:5\nend_of_record\n');
    expect(findCoverage('', tmp.dir, start)).toEqual({ lines: 0.7, source: 'coverage/lcov.info' });
  });
});

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { silentLogger } from '../observability/logger';
import { SandboxService } from '../sandbox';
import { initRepo } from '../workspace/testing/git-fixture';
import { isWords, scopeProblems, untestable } from './plan-checks';
import { sandboxTestProbe, type TestProbe } from './test-probe';

const spec = (over: Partial<WorkingSpec>): WorkingSpec => ({ scope: { in: [] }, acceptance: [], ...over }) as unknown as WorkingSpec;

describe('plan checks', () => {
  it('words, not punctuation', () => {
    for (const ok of ['Validate the signup form', 'Fix #42: sum() off by one', 'Ünïcode wörds']) expect(isWords(ok)).toBe(true);
    for (const bad of ['}}}}}', ']~', '', '   ', 'a', '{{x}}}}}}}']) expect(isWords(bad)).toBe(false);
  });

  it('scope entries: existing files, matching globs and creatable paths pass; the rest is named', () => {
    const repo = tempDir('aa-scope-');
    try {
      mkdirSync(join(repo.dir, 'src'));
      writeFileSync(join(repo.dir, 'src/a.js'), '');
      const problems = scopeProblems(spec({ scope: { in: ['src/a.js', 'src/**/*.js', 'src/new-file.ts', 'docs/', 'lib/*.rb', '../outside.js', 'src/\u0000x'] } } as never), repo.dir);
      expect(problems).toEqual([
        'scope.in[4]: "lib/*.rb" matches no file of the repository',
        'scope.in[5]: "../outside.js" is outside the repository',
        'scope.in[6]: "src/\\u0000x" is neither a file of the repository nor a path that can be created in it',
      ]);
    } finally {
      repo.cleanup();
    }
  });

  it('a plan whose every criterion has no test is untestable, with the reason', () => {
    expect(untestable(spec({ acceptance: [{ id: 'A1', given: 'g', when: 'w', then: 't' }, { id: 'A2', given: 'g', when: 'w', then: 't' }] } as never))).toMatch(
      /every acceptance criterion is untestable: none of A1, A2 has a test command/,
    );
    expect(untestable(spec({ acceptance: [{ id: 'A1', given: 'g', when: 'w', then: 't', test_command: 'npm test' }, { id: 'A2', given: 'g', when: 'w', then: 't' }] } as never))).toBeNull();
  });
});

describe('test commands run in the sandbox before review', () => {
  let repo: ReturnType<typeof tempDir>;
  let probe: TestProbe;
  beforeAll(async () => {
    repo = tempDir('aa-probe-');
    initRepo(repo.dir, {
      'package.json': JSON.stringify({ type: 'module', scripts: { test: 'node --test' } }),
      'test/a.test.js': "import test from 'node:test';\nimport assert from 'node:assert';\ntest('red', () => assert.equal(1, 2));\n",
    });
    probe = sandboxTestProbe(await SandboxService.detect({ logger: silentLogger() }), { timeoutMs: 30_000 });
  });
  afterAll(() => repo.cleanup());

  it('a failing test ran; a missing program, a missing file and a syntax error did not', async () => {
    expect(await probe('node --test test/a.test.js', repo.dir)).toMatchObject({ ran: true, detail: expect.stringMatching(/runs and fails for now/) });
    expect(await probe('no-such-runner --all', repo.dir)).toMatchObject({ ran: false, detail: expect.stringMatching(/could not be run \(exit 127\)/) });
    expect(await probe('node --test test/missing.test.js', repo.dir)).toMatchObject({ ran: false });
    expect(await probe(']~', repo.dir)).toMatchObject({ ran: false });
  }, 120_000);
});

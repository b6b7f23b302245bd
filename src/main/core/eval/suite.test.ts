import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../observability/logger';
import { SandboxService } from '../sandbox';
import { sandboxRunner, selfTestSuite, selfTestTask, type EvalCommandRunner } from './grader';
import { loadSuite, SuiteError } from './suite';

const BUNDLED = resolve(__dirname, '../../../../resources/eval/suite-basic');
let runner: EvalCommandRunner;
let work: string;

beforeAll(async () => {
  runner = sandboxRunner(await SandboxService.detect({ logger: silentLogger() }));
  work = mkdtempSync(join(tmpdir(), 'aa-eval-suite-'));
  // Checkouts below it are sandbox workspaces, which may run as another user.
  chmodSync(work, 0o755);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the bundled suite holding only `ids`, to break on purpose. */
function copySuite(ids: string[]): string {
  const dir = mkdtempSync(join(work, 'suite-'));
  writeFileSync(join(dir, 'suite.json'), JSON.stringify({ name: 'copy', version: 1, tasks: ids }));
  for (const id of ids) cpSync(join(BUNDLED, 'tasks', id), join(dir, 'tasks', id), { recursive: true });
  return dir;
}

describe('the bundled suite', () => {
  it('has at least 24 tasks in JavaScript, TypeScript and Python, of every kind', () => {
    const suite = loadSuite(BUNDLED);
    expect(suite.tasks.length).toBeGreaterThanOrEqual(24);
    expect(new Set(suite.tasks.map((t) => t.language))).toEqual(new Set(['javascript', 'typescript', 'python']));
    for (const kind of ['bug-fix', 'feature', 'refactor', 'rename', 'new-test']) expect(suite.tasks.some((t) => t.kind === kind)).toBe(true);
  });

  it('passes its self-test in the sandbox: every reference solution resolves, no unchanged repository does', async () => {
    const suite = loadSuite(BUNDLED);
    const { ok, results } = await selfTestSuite(suite.tasks, runner);
    expect(results.flatMap((r) => r.problems)).toEqual([]);
    expect(ok).toBe(true);
    expect(results.every((r) => !r.unchanged.resolved && r.reference.resolved)).toBe(true);
  }, 600_000);
});

describe('bad suites are refused naming the task and the field', () => {
  it('a missing file', () => {
    const dir = copySuite(['js-stack-peek']);
    rmSync(join(dir, 'tasks/js-stack-peek/hidden'), { recursive: true });
    expect(() => loadSuite(dir)).toThrow(SuiteError);
    expect(() => loadSuite(dir)).toThrow(/task js-stack-peek: hidden: folder hidden\/ is missing/);
  });

  it('a task listed but absent, and a malformed field', () => {
    const dir = copySuite(['js-stack-peek']);
    writeFileSync(join(dir, 'suite.json'), JSON.stringify({ name: 'copy', version: 1, tasks: ['js-stack-peek', 'nope'] }));
    const manifest = JSON.parse(readFileSync(join(dir, 'tasks/js-stack-peek/task.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'tasks/js-stack-peek/task.json'), JSON.stringify({ ...manifest, timeout_seconds: -1 }));
    const message = (() => {
      try {
        loadSuite(dir);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toMatch(/task nope: task\.json: missing/);
    expect(message).toMatch(/task js-stack-peek: timeout_seconds:/);
  });

  it('a repository path that is not git', () => {
    const dir = copySuite(['js-stack-peek']);
    const notGit = join(dir, 'plain');
    mkdirSync(notGit);
    const file = join(dir, 'tasks/js-stack-peek/task.json');
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(readFileSync(file, 'utf8')) as object), repo: { git: notGit } }));
    expect(() => loadSuite(dir)).toThrow(new RegExp(`task js-stack-peek: repo.git: ${notGit} is not a git repository`));
  });

  it('a task whose hidden tests already pass on the unchanged repository', async () => {
    const dir = copySuite(['py-dedupe-order']);
    // Hidden tests that test nothing the change is about.
    writeFileSync(join(dir, 'tasks/py-dedupe-order/hidden/eval_hidden/test_dedupe_hidden.py'), 'import unittest\n\nclass T(unittest.TestCase):\n    def test_nothing(self):\n        pass\n');
    const [task] = loadSuite(dir).tasks;
    const r = await selfTestTask(task!, runner);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.objectContaining({ task: 'py-dedupe-order', field: 'hidden_test', message: expect.stringMatching(/already passes on the unchanged repository/) })]);
  }, 60_000);

  it('a reference solution that does not solve the task', async () => {
    const dir = copySuite(['js-sum-range-inclusive']);
    cpSync(join(dir, 'tasks/js-sum-range-inclusive/repo/src/math.js'), join(dir, 'tasks/js-sum-range-inclusive/solution/src/math.js'));
    const [task] = loadSuite(dir).tasks;
    const r = await selfTestTask(task!, runner);
    expect(r.problems.map((p) => `${p.task}:${p.field}`)).toEqual(['js-sum-range-inclusive:solution']);
  }, 60_000);
});

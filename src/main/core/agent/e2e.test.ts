import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChangeApplier } from '../apply/apply-change';
import { keepDryRunPatch } from '../apply/dry-run';
import { latestPatch } from '../db/queries/task-patches';
import { openDatabase, type Db } from '../db/open';
import { silentLogger } from '../observability/logger';
import { WorkspaceManager } from '../workspace/manager';
import { gitSync, initRepo } from '../workspace/testing/git-fixture';
import { snapshotTree } from '../workspace/testing/tree-fixture';
import { AgentLoop } from './loop';
import { CommandGateRunner } from './testing/gates';
import { ScriptedModel } from './testing/scripted-model';

/**
 * A whole task on a real fixture repository: a failing `node --test` suite, a scripted worker that
 * fixes the bug, real gates running the suite, and the change applied (auto mode) or kept (dry-run).
 */
const TASK = 'tsk_0000000000e2';
const clock = { now: () => 1_800_000_000_000 };
const NODE = JSON.stringify(process.execPath);
const TEST_COMMAND = `${NODE} --test sum.test.js`;

const FIXTURE = {
  'package.json': '{ "type": "module", "private": true }\n',
  'sum.js': 'export function sum(a, b) {\n  return a - b;\n}\n',
  'sum.test.js': [
    "import { test } from 'node:test';",
    "import assert from 'node:assert/strict';",
    "import { sum } from './sum.js';",
    '',
    "test('adds two numbers', () => {",
    '  assert.equal(sum(2, 3), 5);',
    '});',
    '',
  ].join('\n'),
  'README.md': '# fixture\n',
};

const SPEC = {
  id: 'FIX-0042',
  title: 'Make sum add its arguments',
  scope: { in: ['sum.js'], support: ['sum.test.js'] },
  acceptance: [{ id: 'A1', given: 'two numbers', when: 'sum is called', then: 'it returns their sum', test: TEST_COMMAND }],
};

const fixFrom = (operator: string) => ({
  action: 'patch',
  reason: `sum used ${operator} on its arguments; it now adds them.`,
  confidence: 0.9,
  criteria_met: ['A1'],
  edits: [{ op: 'patch', path: 'sum.js', content: '', to: '', hunks: [{ old_start: 1, lines: [' export function sum(a, b) {', `-  return a ${operator} b;`, '+  return a + b;', ' }'] }] }],
});
const FIX = fixFrom('-');
/** A first attempt that makes things no better, so the loop must refine. */
const WRONG = {
  action: 'write',
  reason: 'Try multiplying.',
  confidence: 0.3,
  criteria_met: [],
  edits: [{ op: 'write', path: 'sum.js', content: 'export function sum(a, b) {\n  return a * b;\n}\n', to: '', hunks: [] }],
};

const runTests = (cwd: string) => spawnSync(process.execPath, ['--test', 'sum.test.js'], { cwd, encoding: 'utf8' });

describe('a worker task end to end', () => {
  let base: string;
  let repo: string;
  let db: Db;
  let manager: WorkspaceManager;

  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'aa-e2e-'));
    repo = join(base, 'repo');
    initRepo(repo, FIXTURE);
    db = openDatabase({ file: ':memory:', logger: silentLogger() });
    manager = new WorkspaceManager({ root: join(base, 'workspaces'), db, logger: silentLogger(), clock });
  });
  afterEach(() => {
    db.close();
    rmSync(base, { recursive: true, force: true });
  });

  async function runLoop(script: unknown[]) {
    const ws = await manager.create({ taskId: TASK, source: repo });
    const model = new ScriptedModel(script);
    const gates = new CommandGateRunner(TEST_COMMAND);
    const loop = new AgentLoop({
      taskId: TASK,
      description: 'sum(2, 3) returns -1; make it add.',
      spec: SPEC,
      riskTier: 2,
      workspace: ws,
      model,
      gates,
      apply: { policy: { scope: SPEC.scope, allow: ['**'] }, budget: { maxFiles: 10, maxLines: 250 } },
      logger: silentLogger(),
      clock,
      limits: { maxIterations: 4 },
    });
    return { ws, model, gates, result: await loop.run() };
  }

  it('auto mode: fixes the failing test and commits on the task branch with trailers, the user branch unchanged', async () => {
    expect(runTests(repo).status).not.toBe(0);
    const mainBefore = gitSync(repo, ['rev-parse', 'main']).trim();
    const worktreeBefore = snapshotTree(repo);

    const { ws, model, gates, result } = await runLoop([WRONG, fixFrom('*')]);
    expect(result).toMatchObject({ stopReason: 'satisficed', iterations: 2, score: 1 });
    expect(result.history.map((h) => h.outcome)).toEqual(['kept', 'improved']);
    // The worker saw the failing test output and the file it had to fix.
    const firstPrompt = model.calls[0]!.map((m) => m.content).join('\n');
    expect(firstPrompt).toContain('return a - b;');
    expect(firstPrompt).toMatch(/tests: fail/);
    expect(gates.runs.every((r) => r.workspaceDir === ws.dir)).toBe(true);

    const patch = await ws.patch();
    expect(patch.files).toEqual([{ path: 'sum.js', status: 'modified', linesAdded: 1, linesRemoved: 1, binary: false }]);
    const applier = new ChangeApplier({ logger: silentLogger(), sign: async (p) => `sig.${Buffer.from(`${p.taskId}:${p.patchSha256}:${p.tree}`).toString('base64url')}.ed25519` });
    const applied = await applier.apply({
      taskId: TASK,
      targetPath: repo,
      patch: patch.patch,
      expectedSha256: patch.sha256,
      baseCommit: patch.baseCommit,
      subject: SPEC.title,
      body: result.history.at(-1)?.reason,
      specId: SPEC.id,
      verdict: 'accept (score 1.00)',
    });
    if (!applied.ok) throw new Error(applied.error.message);
    await manager.remove(TASK);

    const branch = `agent-agency/${TASK}`;
    // Trailers as stock git reads them.
    const trailers = execFileSync('git', ['log', '-1', '--format=%(trailers)', branch], { cwd: repo, encoding: 'utf8' });
    expect(trailers).toContain(`Agent-Agency-Task: ${TASK}`);
    expect(trailers).toContain('CAWS-Spec: FIX-0042');
    expect(trailers).toContain('CAWS-Verdict: accept (score 1.00)');
    expect(trailers).toMatch(/Agent-Agency-Signature: sig\.[\w-]+\.ed25519/);
    // The fixture's tests pass on the task branch …
    const check = join(base, 'check');
    execFileSync('git', ['clone', '--quiet', '--branch', branch, repo, check]);
    expect(runTests(check).status).toBe(0);
    // … while the user's branch, HEAD and files are as they were.
    expect(gitSync(repo, ['rev-parse', 'main']).trim()).toBe(mainBefore);
    expect(gitSync(repo, ['symbolic-ref', 'HEAD']).trim()).toBe('refs/heads/main');
    expect(gitSync(repo, ['status', '--porcelain'])).toBe('');
    const strip = (s: Record<string, string>) => Object.fromEntries(Object.entries(s).filter(([k]) => !k.startsWith('.git')));
    expect(strip(snapshotTree(repo))).toEqual(strip(worktreeBefore));
    expect(runTests(repo).status).not.toBe(0);
  });

  it('dry-run: the repository, .git included, is byte-for-byte untouched, and the exact patch is kept', async () => {
    // Old timestamps make any write (or a lock file created and removed) visible as a changed mtime.
    const old = new Date('2020-01-01T00:00:00Z');
    const touchAll = (dir: string) => {
      for (const rel of Object.keys(snapshotTree(dir)).reverse()) utimesSync(join(dir, rel), old, old);
      utimesSync(dir, old, old);
    };
    touchAll(repo);
    const before = snapshotTree(repo, { mtimes: true });

    const { ws, result } = await runLoop([FIX]);
    expect(result.stopReason).toBe('satisficed');
    const kept = await keepDryRunPatch({ db, clock }, ws);
    await manager.remove(TASK);

    expect(snapshotTree(repo, { mtimes: true })).toEqual(before);
    expect(Object.keys(before).some((k) => k.startsWith('.git/objects/'))).toBe(true);
    expect(latestPatch(db, TASK)).toMatchObject({ sha256: kept.sha256, baseCommit: gitSync(repo, ['rev-parse', 'HEAD']).trim() });
    expect(kept.patch).toContain('+  return a + b;');
    // The kept patch is exactly what would land: it applies to a fresh checkout and fixes the tests.
    const check = join(base, 'check');
    execFileSync('git', ['clone', '--quiet', repo, check]);
    execFileSync('git', ['apply', '-'], { cwd: check, input: kept.patch });
    expect(runTests(check).status).toBe(0);
    expect(readFileSync(join(repo, 'sum.js'), 'utf8')).toBe(FIXTURE['sum.js']);
  });
});

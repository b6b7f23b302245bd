import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { buildPolicy, type SandboxService } from '../sandbox';
import { addHiddenFiles, applyPatch, applySolution, materializeRepo } from './repo';
import type { EvalTask } from './suite';

export type EvalCommand = { command: string; cwd: string; timeoutMs: number; signal?: AbortSignal };
export type EvalCommandResult = { exitCode: number | null; output: string; durationMs: number; denial?: string };
/** Runs a suite's test command; the sandbox in production (`sandboxRunner`). */
export type EvalCommandRunner = (command: EvalCommand) => Promise<EvalCommandResult>;

/**
 * Suite commands are spec content, so they run in the sandbox: the checkout writable, the network
 * off, the data folder hidden. The Node that runs the eval comes first on PATH, so `node` in a suite
 * is the one the app was started with.
 */
export function sandboxRunner(sandbox: SandboxService, options: { dataDir?: string } = {}): EvalCommandRunner {
  return async ({ command, cwd, timeoutMs, signal }) => {
    const started = performance.now();
    const policy = buildPolicy({ workspaceDir: cwd, ...(options.dataDir ? { dataDir: options.dataDir } : {}), limits: { wallTimeMs: timeoutMs } });
    const r = await sandbox.run(command, {
      cwd,
      policy,
      env: { PATH: [dirname(process.execPath), process.env['PATH'] ?? '/usr/bin:/bin'].join(delimiter) },
      ...(signal ? { signal } : {}),
    });
    return { exitCode: r.exitCode, output: r.output, durationMs: performance.now() - started, ...(r.denial ? { denial: `${r.denial.kind}: ${r.denial.message}` } : {}) };
  };
}

export type Grade = {
  resolved: boolean;
  /** Why the hidden tests were not run or did not pass; null when resolved. */
  reason: string | null;
  exitCode: number | null;
  output: string;
  durationMs: number;
};

/**
 * Grades a change: a fresh checkout of the task's repository, the patch applied, the hidden files
 * copied in, the hidden test command run. Resolved only when it exits 0.
 */
export async function grade(task: EvalTask, patch: string | null, runner: EvalCommandRunner, options: { workRoot?: string; signal?: AbortSignal } = {}): Promise<Grade> {
  return withCheckout(task, options.workRoot, async (dir) => {
    if (patch) {
      const failed = applyPatch(dir, patch);
      if (failed) return { resolved: false, reason: `the patch does not apply: ${failed}`, exitCode: null, output: '', durationMs: 0 };
    }
    return runHidden(task, dir, runner, options.signal);
  });
}

async function runHidden(task: EvalTask, dir: string, runner: EvalCommandRunner, signal?: AbortSignal): Promise<Grade> {
  addHiddenFiles(task, dir);
  const r = await runner({ command: task.hidden_test, cwd: dir, timeoutMs: task.timeout_seconds * 1_000, ...(signal ? { signal } : {}) });
  const resolved = r.exitCode === 0;
  return {
    resolved,
    reason: resolved ? null : r.denial ? `hidden_test did not run: ${r.denial}` : `hidden_test exited ${r.exitCode ?? 'by a signal'}`,
    exitCode: r.exitCode,
    output: r.output.slice(-4_000),
    durationMs: r.durationMs,
  };
}

async function withCheckout<T>(task: EvalTask, workRoot: string | undefined, body: (dir: string) => Promise<T>): Promise<T> {
  const root = mkdtempSync(join(workRoot ?? tmpdir(), `aa-eval-${task.id}-`));
  try {
    // The checkout is the sandbox's workspace itself: a folder nested below it would sit under the
    // sandbox's private /tmp, out of the command's reach.
    materializeRepo(task, root);
    // The command may run as another user (nobody, under root): it must reach the checkout.
    chmodSync(root, 0o755);
    return await body(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export type SelfTestResult = {
  task: string;
  ok: boolean;
  /** Hidden tests on the unchanged repository: must fail. */
  unchanged: Grade;
  /** Hidden tests on the reference solution: must pass. */
  reference: Grade;
  /** Visible tests on the reference solution: must pass too. */
  visibleOnReference: { exitCode: number | null; output: string };
  problems: { task: string; field: string; message: string }[];
};

/**
 * Proves the grader on one task: the unchanged repository grades unresolved, the reference solution
 * grades resolved and passes the visible tests. A task that fails this cannot tell a fix from no change.
 */
export async function selfTestTask(task: EvalTask, runner: EvalCommandRunner, options: { workRoot?: string; signal?: AbortSignal } = {}): Promise<SelfTestResult> {
  const unchanged = await grade(task, null, runner, options);
  const { reference, visible } = await withCheckout(task, options.workRoot, async (dir) => {
    applySolution(task, dir);
    const vis = await runner({ command: task.visible_test, cwd: dir, timeoutMs: task.timeout_seconds * 1_000, ...(options.signal ? { signal: options.signal } : {}) });
    return { visible: { exitCode: vis.exitCode, output: vis.output.slice(-4_000) }, reference: await runHidden(task, dir, runner, options.signal) };
  });
  const problems: SelfTestResult['problems'] = [];
  const tail = (s: string) => s.trim().split('\n').slice(-6).join(' | ').slice(0, 600);
  if (unchanged.resolved) problems.push({ task: task.id, field: 'hidden_test', message: 'already passes on the unchanged repository, so it cannot tell a fix from no change' });
  if (!reference.resolved) problems.push({ task: task.id, field: 'solution', message: `the reference solution does not pass hidden_test (${reference.reason ?? ''}): ${tail(reference.output)}` });
  if (visible.exitCode !== 0) problems.push({ task: task.id, field: 'visible_test', message: `fails on the reference solution (exit ${visible.exitCode ?? 'by a signal'}): ${tail(visible.output)}` });
  return { task: task.id, ok: problems.length === 0, unchanged, reference, visibleOnReference: visible, problems };
}

/** Self-tests every task in order; `onTask` reports each as it finishes. */
export async function selfTestSuite(
  tasks: readonly EvalTask[],
  runner: EvalCommandRunner,
  options: { workRoot?: string; signal?: AbortSignal; onTask?: (r: SelfTestResult, index: number) => void } = {},
): Promise<{ ok: boolean; results: SelfTestResult[] }> {
  const results: SelfTestResult[] = [];
  for (const [i, task] of tasks.entries()) {
    const r = await selfTestTask(task, runner, options);
    results.push(r);
    options.onTask?.(r, i);
  }
  return { ok: results.every((r) => r.ok), results };
}

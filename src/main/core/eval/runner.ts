import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentEvent } from '../../../shared/domain/events';
import type { ApprovalGate, ExecutionMode, Task, TaskState } from '../../../shared/domain/task';
import { grade, type EvalCommandRunner, type Grade } from './grader';
import type { UsageMeter } from './meter';
import { diffAgainst, materializeRepo } from './repo';
import type { EvalTask } from './suite';
import type { CouncilOutcome, EvalTaskResult } from '../../../shared/domain/eval';

/** What the eval needs of the engine: the same submit, journal and intervention paths as `execute`. */
export type EvalEngine = {
  submit(input: { description: string; repoPath: string; mode: ExecutionMode; riskTier: 1 | 2 | 3; maxIterations: number }): Task;
  get(taskId: string): { task: Task; events: AgentEvent[] };
  deny(taskId: string, gate: ApprovalGate, reason: string): void;
  cancel(taskId: string, reason: string): void;
  /** The change the task produced, as the engine kept it (dry-run's stored patch); null when none. */
  keptPatch(taskId: string): string | null;
};

export type EvalRunOptions = {
  engine: EvalEngine;
  meter: UsageMeter;
  runner: EvalCommandRunner;
  mode: Extract<ExecutionMode, 'dry-run' | 'auto'>;
  riskTier?: 1 | 2 | 3;
  maxIterations?: number;
  /** A task still running after this long is cancelled and counted as timed out. */
  taskTimeoutMs?: number;
  pollMs?: number;
  /** Where each task's repository is made: a folder tasks may target (Settings → Allowed folders). */
  workRoot?: string;
  signal?: AbortSignal;
  now?: () => number;
  /** Called while a task runs (its state), for a progress bar. */
  onState?: (task: EvalTask, state: TaskState) => void;
};

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one eval task through the governed pipeline and grades it: a fresh git repository made from
 * the task, the task submitted as the user would submit it, followed to its end (an approval the
 * engine asks for is denied, as nobody attends an eval; a task over its time is cancelled), then the
 * change it kept is graded against the hidden tests in a separate checkout.
 */
export async function runEvalTask(task: EvalTask, attempt: number, o: EvalRunOptions): Promise<EvalTaskResult> {
  const now = o.now ?? Date.now;
  const root = mkdtempSync(join(o.workRoot ?? tmpdir(), `aa-eval-run-${task.id}-`));
  const started = now();
  try {
    const repo = join(root, 'repo');
    const base = materializeRepo(task, repo);
    const submitted = o.engine.submit({
      description: `${task.title}\n\n${task.description}\n\nThe tests you may run: ${task.visible_test}`,
      repoPath: repo,
      mode: o.mode,
      riskTier: o.riskTier ?? 2,
      maxIterations: o.maxIterations ?? 5,
    });
    o.meter.current = submitted.id;
    let humanNeeded: string | null = null;
    let timedOut = false;
    let state: TaskState = submitted.state;
    const deadline = started + (o.taskTimeoutMs ?? 30 * 60_000);
    while (!TERMINAL.has(state.kind)) {
      if (o.signal?.aborted) {
        o.engine.cancel(submitted.id, 'the eval was interrupted');
      } else if (now() > deadline && !timedOut) {
        timedOut = true;
        o.engine.cancel(submitted.id, `eval time limit of ${Math.round((o.taskTimeoutMs ?? 0) / 1000)}s reached`);
      } else if (state.kind === 'awaiting_approval' && !humanNeeded) {
        humanNeeded = state.waitingFor;
        o.engine.deny(submitted.id, state.waitingFor, 'the eval runs unattended: a task that needs a human counts as not resolved');
      }
      await sleep(o.pollMs ?? 250);
      state = o.engine.get(submitted.id).task.state;
      o.onState?.(task, state);
    }
    const wallMs = now() - started;
    const { events } = o.engine.get(submitted.id);
    const usage = o.meter.take(submitted.id);
    o.meter.current = undefined;

    const patch = o.mode === 'auto' && state.kind === 'completed' ? diffAgainst(repo, base) : o.engine.keptPatch(submitted.id);
    const graded: Grade = patch
      ? // Graded in the system temp folder, which the sandbox reaches (not nested in the work root).
        await grade(task, patch, o.runner, o.signal ? { signal: o.signal } : {})
      : { resolved: false, reason: 'the task produced no change', exitCode: null, output: '', durationMs: 0 };

    const verdicts = events.flatMap((e) => (e.type === 'council.verdict' ? [e.payload] : []));
    const change = verdicts.filter((v) => v.subject === 'change').at(-1);
    const plan = verdicts.filter((v) => v.subject === 'plan').at(-1);
    const council = change?.decision ?? 'none';
    return {
      evalTask: task.id,
      attempt,
      taskId: submitted.id,
      language: task.language,
      kind: task.kind,
      resolved: graded.resolved,
      council,
      councilOutcome: outcomeOf(council, graded.resolved),
      planDecision: plan?.decision ?? 'none',
      finalState: state.kind,
      iterations: events.filter((e) => e.type === 'iteration.started').length,
      modelCalls: usage.calls,
      modelErrors: usage.errors,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      wallMs,
      stopReason: stopReasonOf(state, events, { humanNeeded, timedOut }),
      patchBytes: patch ? Buffer.byteLength(patch) : 0,
      gradeReason: graded.reason,
      gradeOutput: graded.output.slice(-1_500),
    };
  } finally {
    o.meter.current = undefined;
    rmSync(root, { recursive: true, force: true });
  }
}

/** True or false accept or reject, judged by the hidden tests; `none` when the change was never reviewed. */
export function outcomeOf(council: EvalTaskResult['council'], resolved: boolean): CouncilOutcome {
  if (council === 'none') return 'none';
  if (council === 'accept') return resolved ? 'true_accept' : 'false_accept';
  return resolved ? 'false_reject' : 'true_reject';
}

function stopReasonOf(state: TaskState, events: AgentEvent[], o: { humanNeeded: string | null; timedOut: boolean }): string {
  if (o.timedOut) return 'timeout';
  if (o.humanNeeded) return `needs_human:${o.humanNeeded}`;
  const loop = events.flatMap((e) => (e.type === 'iteration.evaluated' && e.payload.stopReason ? [e.payload.stopReason] : [])).at(-1);
  if (state.kind === 'failed') return `failed: ${state.reason}`.slice(0, 300);
  if (state.kind === 'cancelled') return `cancelled${state.reason ? `: ${state.reason}` : ''}`.slice(0, 300);
  return loop ?? state.kind;
}

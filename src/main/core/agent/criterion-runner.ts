import { runCommand } from '../gates/run-command';

/** Runs an acceptance criterion's test command in the workspace. */
export type CriterionRunner = (command: string, context: { cwd: string; signal?: AbortSignal; timeoutMs: number; /** The task it checks: its network grant applies. */ taskId?: string }) => Promise<{ passed: boolean; output: string }>;

/**
 * The default runner: the gates' command runner (`sh -c` in its own process group, timeout, abort,
 * output tail). The command comes from the approved working spec, never from the worker model.
 */
export const shellCriterionRunner: CriterionRunner = async (command, context) => {
  const result = await runCommand({ command, cwd: context.cwd, timeoutMs: context.timeoutMs, maxOutputBytes: 8_000, ...(context.signal ? { signal: context.signal } : {}), ...(context.taskId ? { taskId: context.taskId } : {}) });
  if (result.aborted) throw new DOMException('the criterion check was aborted', 'AbortError');
  const note = result.timedOut ? `\n(timed out after ${context.timeoutMs} ms)` : result.spawnError ? `\n(could not run: ${result.spawnError})` : '';
  return { passed: result.exitCode === 0 && !result.timedOut, output: `${result.output}${note}` };
};

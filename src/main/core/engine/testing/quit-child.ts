/**
 * The process the quit test starts, quits (SIGTERM, as the app's quit and `agent-agency serve` do)
 * or kills (SIGKILL). It runs the real core (database, journal, engine, engine lock) over one task
 * whose execute step holds until aborted (`hold`) or finishes at once (`finish`). It prints READY
 * once the execute step runs, and `DONE <state>` once the task ended (finish mode).
 *
 * Usage: node quit-child.mjs <dataDir> <repoDir> hold|finish
 */
import { SubmitTaskInput } from '../../../../shared/domain/task';
import { createCore } from '../../composition/app-core';
import { startedStepRuns } from '../../db/queries/step-runs';
import { getTask } from '../../db/queries/tasks';
import { silentLogger } from '../../observability/logger';
import { ScriptedSteps, sleep } from './scripted-steps';

function main(): void {
  const [dataDir, repoDir, mode] = process.argv.slice(2);
  if (!dataDir || !repoDir || (mode !== 'hold' && mode !== 'finish')) throw new Error('usage: quit-child <dataDir> <repoDir> hold|finish');
  const steps = new ScriptedSteps({
    script: {
      execute: async (ctx) => {
        if (mode === 'hold') await sleep(600_000, ctx.signal);
        return { summary: 'done' };
      },
    },
  });
  const core = createCore({
    dataDir,
    logger: silentLogger(),
    steps,
    scheduler: { autoStart: false },
    engine: { maxInterruptions: 1, watchdogIntervalMs: 0 },
  });
  // The same order as the app's quit: the core closes (the engine records its live steps as
  // aborted by shutdown), then the process exits.
  process.once('SIGTERM', () => {
    core.close();
    process.exit(0);
  });
  const existing = core.db.prepare('SELECT id FROM tasks LIMIT 1').get() as { id: string } | undefined;
  const taskId = existing?.id ?? core.tasks.submit(SubmitTaskInput.parse({ description: 'quit while I run', repoPath: repoDir, mode: 'auto' })).id;
  let ready = false;
  const poll = setInterval(() => {
    const task = getTask(core.db, taskId);
    if (!task) return;
    if (['completed', 'failed', 'cancelled'].includes(task.state.kind)) {
      clearInterval(poll);
      void core.engine!.idle().then(() => {
        process.stdout.write(`DONE ${JSON.stringify(task.state)}\n`);
        core.close();
        process.exit(0);
      });
      return;
    }
    if (!ready && task.state.kind === 'executing' && startedStepRuns(core.db).some((r) => r.taskId === taskId && r.phase === 'executing')) {
      ready = true;
      process.stdout.write('READY\n');
    }
  }, 10);
}

main();

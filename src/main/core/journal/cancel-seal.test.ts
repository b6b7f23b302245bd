import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import { SubmitTaskInput } from '../../../shared/domain/task';
import { eventsForTask } from '../db/queries/events';
import { ScriptedSteps } from '../engine/testing/scripted-steps';
import { waitFor, waitForState } from '../engine/testing/wait';
import { silentLogger } from '../observability/logger';
import { TokenBatcher, TOKEN_FLUSH_MS } from '../models/token-batcher';

/*
 * After `task.cancelled` nothing more of the task reaches the journal: not the model's streamed
 * words (a stream that keeps going past its abort, and the final flush every call makes), not an
 * iteration record, not the step's late result. Only the workspace cleanup record follows.
 */

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const WORDS = 'once upon a time a small model told a long story about a repository that never ended'.split(' ');

describe('journal after a cancel', () => {
  it('drops model output, iterations and late results of a cancelled task; keeps only the cleanup record', async () => {
    let streaming!: () => void;
    const started = new Promise<void>((resolve) => (streaming = resolve));
    let streamEnded!: () => void;
    const ended = new Promise<void>((resolve) => (streamEnded = resolve));
    let refusedAfterCancel = 0;

    const steps = new ScriptedSteps({
      cleanup: async () => undefined,
      script: {
        execute: async (ctx) => {
          // The same write path the inference pipeline uses for a call's streamed text.
          const batcher = new TokenBatcher({ journal: core.journal, logger: silentLogger(), now: () => Date.now(), taskId: ctx.taskId, callId: 'scripted', model: 'scripted-words', role: 'worker' });
          core.journal.append(ctx.taskId, { type: 'iteration.started', payload: { iteration: 1 } }, `${ctx.taskId}:it1`);
          try {
            // A scripted model that streams word by word and, like a native decode, finishes a few
            // words after its abort signal fired before it notices.
            let afterAbort = 0;
            for (let i = 0; ; i++) {
              batcher.push(`${WORDS[i % WORDS.length]!} `);
              if (i === 3) streaming();
              if (ctx.signal.aborted && ++afterAbort > 6) break;
              await new Promise((r) => setTimeout(r, TOKEN_FLUSH_MS / 3));
            }
          } finally {
            batcher.flush();
            streamEnded();
          }
          // A loop that does not check its signal writes its next iteration, then returns a result.
          try {
            core.journal.append(ctx.taskId, { type: 'iteration.started', payload: { iteration: 2 } }, `${ctx.taskId}:it2`);
          } catch (e) {
            if ((e as { code?: string }).code === 'cancelled') refusedAfterCancel++;
          }
          return { summary: 'late result after the cancel' };
        },
      },
    });
    const core = testCore({ steps, scheduler: { autoStart: false }, engine: { concurrency: 1, watchdogIntervalMs: 0, abortGraceMs: 5_000 } });
    cleanups.push(() => core.cleanup());
    const task = core.tasks.submit(SubmitTaskInput.parse({ description: 'tell a story', repoPath: core.repo, mode: 'auto' }));

    await waitForState(core.db, task.id, 'executing');
    await started;
    // Let at least one batch of words reach the journal before the cancel.
    await waitFor(() => eventsForTask(core.db, task.id).some((e) => e.type === 'model.tokens') || undefined, 5_000, 'a model.tokens batch');
    const droppedBefore = core.journal.droppedAfterCancel;
    core.engine!.cancel(task.id, { who: 'alice', via: 'window' }, 'enough');
    await ended;
    await waitFor(() => eventsForTask(core.db, task.id).some((e) => e.type === 'task.cleanup') || undefined, 5_000, 'the cleanup record');
    await core.engine!.idle();

    const events = eventsForTask(core.db, task.id);
    const cancelAt = events.findIndex((e) => e.type === 'task.cancelled');
    expect(cancelAt).toBeGreaterThan(0);
    expect(events.slice(0, cancelAt).some((e) => e.type === 'model.tokens')).toBe(true);
    expect(events.slice(cancelAt + 1).map((e) => e.type)).toEqual(['task.cleanup']);
    expect(events.filter((e) => e.type === 'iteration.started')).toHaveLength(1);
    expect(events.some((e) => e.type === 'phase.completed' && e.payload.phase === 'executing')).toBe(false);
    // The late words (streamed after the cancel, and the final flush) and the late iteration were refused.
    expect(refusedAfterCancel).toBe(1);
    expect(core.journal.droppedAfterCancel - droppedBefore).toBeGreaterThanOrEqual(2);
    expect(core.tasks.get(task.id).task.state.kind).toBe('cancelled');
  });
});

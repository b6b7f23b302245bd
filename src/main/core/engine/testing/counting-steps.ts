import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../../db/open';
import { StepFailure } from '../errors';
import type { StepName } from '../phases';
import type { AwaitApproval, CleanupContext, StepContext, StepSet } from '../step';
import { DEFAULT_OUTCOMES, sleep } from './scripted-steps';

/**
 * Steps for the crash test: each one applies side effects that can be counted afterwards, one in
 * the database (atomically with its journal record) and one in a file outside it (journaled first,
 * reconciled when interrupted), then returns an outcome that depends only on the task's script,
 * the round and the attempt, so an interrupted run must end exactly like an uninterrupted one.
 *
 * A task's script is in its description: `crash task 7 [modify,flaky]`.
 */
export const CRASH_TABLE = /* sql */ `
  CREATE TABLE IF NOT EXISTS crash_effects (id INTEGER PRIMARY KEY, task_id TEXT NOT NULL, key TEXT NOT NULL) STRICT;
`;

export type CrashTraits = {
  /** The council asks for changes to the first plan. */
  modify: boolean;
  /** The council rejects the first change; the driver overrides it. */
  reject: boolean;
  /** The first execution attempt fails with a retryable error after its effects. */
  flaky: boolean;
  /** The first round's gates fail. */
  gatefail: boolean;
  /** Execution fails for good. */
  fatal: boolean;
};

export function traitsOf(description: string): CrashTraits {
  const tags = /\[([^\]]*)\]/.exec(description)?.[1]?.split(',') ?? [];
  return {
    modify: tags.includes('modify'),
    reject: tags.includes('reject'),
    flaky: tags.includes('flaky'),
    gatefail: tags.includes('gatefail'),
    fatal: tags.includes('fatal'),
  };
}

export class CountingSteps implements StepSet {
  constructor(
    private readonly effectsFile: string,
    private readonly cleanupDir: string,
    /** Longest pause inside a step, so kills land anywhere in it. */
    private readonly maxSleepMs: number,
  ) {}

  plan(ctx: StepContext) {
    return this.work(ctx, () => DEFAULT_OUTCOMES.plan);
  }
  reviewPlan(ctx: StepContext) {
    return this.work(ctx, () =>
      traitsOf(ctx.task.description).modify && ctx.round === 1
        ? { decision: 'modify' as const, summary: 'narrow the scope' }
        : DEFAULT_OUTCOMES.reviewPlan,
    );
  }
  execute(ctx: StepContext) {
    return this.work(ctx, () => {
      const traits = traitsOf(ctx.task.description);
      if (traits.fatal) throw new StepFailure('internal', 'the patch does not apply', { retryable: false });
      if (traits.flaky && ctx.attempt === 1) throw new StepFailure('unavailable', 'model busy');
      return DEFAULT_OUTCOMES.execute;
    });
  }
  verify(ctx: StepContext) {
    return this.work(ctx, () =>
      traitsOf(ctx.task.description).gatefail && ctx.round === 1 ? { passed: false, summary: 'test A fails' } : DEFAULT_OUTCOMES.verify,
    );
  }
  reviewChange(ctx: StepContext) {
    return this.work(ctx, () =>
      traitsOf(ctx.task.description).reject && ctx.round === 1
        ? { decision: 'reject' as const, summary: 'breaks the API' }
        : DEFAULT_OUTCOMES.reviewChange,
    );
  }
  apply(ctx: StepContext) {
    return this.work(ctx, () => DEFAULT_OUTCOMES.apply);
  }

  /** Idempotent, as the engine requires: it may run again after a crash. */
  async cleanup(ctx: CleanupContext): Promise<void> {
    writeFileSync(join(this.cleanupDir, ctx.taskId), 'cleaned');
  }

  private async work<T>(ctx: StepContext, outcome: () => T): Promise<T | AwaitApproval> {
    const step: StepName = ctx.step;
    ctx.journalEffectInTransaction({ key: 'count', kind: 'db.insert' }, (db: Db) => {
      db.prepare('INSERT INTO crash_effects (task_id, key) VALUES (?, ?)').run(ctx.taskId, `${ctx.phase}:r${ctx.round}`);
    });
    await sleep(Math.random() * this.maxSleepMs, ctx.signal);
    await ctx.journalEffect({ key: 'file', kind: 'file.append' }, async ({ key, interrupted }) => {
      // An interrupted effect may have happened: look before acting again.
      if (interrupted && existsSync(this.effectsFile) && readFileSync(this.effectsFile, 'utf8').split('\n').includes(key)) return;
      appendFileSync(this.effectsFile, `${key}\n`);
      // A slow external effect: a kill often lands after it acted but before it was recorded.
      await sleep(Math.random() * this.maxSleepMs);
    });
    ctx.emit({ type: 'artifact.produced', payload: { kind: 'crash-test', name: `${step} round ${ctx.round}` } }, 'artifact');
    await sleep(Math.random() * this.maxSleepMs, ctx.signal);
    return outcome();
  }
}

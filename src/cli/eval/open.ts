import { SubmitTaskInput } from '../../shared/domain/task';
import { AppFailure } from '../../shared/errors';
import { latestPatch } from '../../main/core/db/queries/task-patches';
import { createCore, type Core, type CoreOptions } from '../../main/core/composition/app-core';
import { productionSteps } from '../../main/core/composition/production-steps';
import { UsageMeter } from '../../main/core/eval/meter';
import { defaultAllowedRoots } from '../../main/core/tasks/target-repo';
import type { EvalEngine } from '../../main/core/eval/runner';
import type { Logger } from '../../main/core/observability/logger';
import { cliActor } from '../actor';

export type EvalCore = {
  core: Core;
  engine: EvalEngine;
  meter: UsageMeter;
  /** Role -> model name, now. */
  models(): Record<string, string>;
  /** The folders tasks may target (Settings → Allowed folders). */
  allowedRoots(): string[];
  close(): void;
};

/**
 * The core as `execute` opens it in this process (the real steps, the data folder's engine lock,
 * the models assigned to each role), with one difference: the steps' model gateway passes through a
 * meter, so each task's model calls and tokens are counted. Nothing else about the pipeline changes.
 */
export function openEvalCore(dataDir: string, logger: Logger, overrides: Pick<CoreOptions, 'models' | 'scheduler'> = {}): EvalCore {
  let meter: UsageMeter | undefined;
  const core = createCore({
    ...overrides,
    dataDir,
    logger,
    steps: (c) => {
      meter = new UsageMeter(c.models);
      // productionSteps reads only the gateway side of `models` (client per role); the meter is one.
      return productionSteps({ ...c, models: meter as unknown as Core['models'] });
    },
    tools: { autoStart: true },
    engine: { label: 'agent-agency eval' },
  });
  const engine = core.engine;
  if (!engine || !meter) {
    core.close();
    throw new AppFailure('unavailable', 'the task engine did not start in this process');
  }
  const actor = cliActor();
  return {
    core,
    meter,
    allowedRoots: () => core.settings.get().allowedRoots ?? defaultAllowedRoots(),
    models: () => Object.fromEntries(core.models.roles.all().map((a) => [a.role, a.model])),
    engine: {
      submit: (input) => core.tasks.submit(SubmitTaskInput.parse({ ...input, priority: 'normal' })),
      get: (id) => core.tasks.get(id),
      deny: (id, gate, reason) => void engine.deny(id, actor, reason, gate),
      cancel: (id, reason) => void engine.cancel(id, actor, reason),
      keptPatch: (id) => latestPatch(core.db, id)?.patch ?? null,
    },
    close: () => core.close(),
  };
}

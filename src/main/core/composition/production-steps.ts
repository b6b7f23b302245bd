import type { Core } from '../core';
import type { StepSet } from '../engine/step';
import { createDefaultSteps } from './default-steps';

/** The real steps on a core's own services; composition roots pass this as `steps`. */
export function productionSteps(core: Core): StepSet {
  return createDefaultSteps({
    dataDir: core.dataDir,
    db: core.db,
    clock: core.clock,
    logger: core.logger,
    models: core.models,
    policy: core.policy,
    waivers: core.waivers,
    governance: core.governance,
    signer: core.provenance,
    defaultCommands: () => core.settings.get().gateCommands,
    tools: core.tools,
  });
}

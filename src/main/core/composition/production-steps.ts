import type { Core } from '../core';
import type { StepSet } from '../engine/step';
import { roundLimiter } from '../council/round-limiter';
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
    // Judges share one scheduler slot per round and run as wide as the pressure level allows.
    councilLimiter: roundLimiter({ admission: core.scheduler, level: () => core.scheduler.state().level }),
    calibration: core.calibration,
  });
}

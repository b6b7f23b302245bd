import type { Core } from '../core';
import type { StepSet } from '../engine/step';
import type { ModelGateway } from '../models/types';
import { roundLimiter } from '../council/round-limiter';
import { createDefaultSteps } from './default-steps';
import { knowledgeLookup } from '../knowledge/claim-lookup';
import { RepositoryDocs, repositoryKey } from '../knowledge/repository-docs';

/**
 * The real steps on a core's own services; composition roots pass this as `steps`. End-to-end
 * tests pass `words`: a gateway that scripts only what the models say, with every other part real.
 */
export function productionSteps(core: Core, words?: { models: ModelGateway }): StepSet {
  const repositoryDocs = new RepositoryDocs({ db: core.db, knowledge: core.knowledge, clock: core.clock, logger: core.logger });
  return createDefaultSteps({
    dataDir: core.dataDir,
    db: core.db,
    clock: core.clock,
    logger: core.logger,
    // Each model call of a task is a span when traces are on (the gateway is unchanged otherwise).
    models: core.tracing.gateway(words?.models ?? core.models),
    policy: core.policy,
    waivers: core.waivers,
    governance: core.governance,
    signer: core.provenance,
    defaultCommands: () => core.settings.get().gateCommands,
    tools: core.tools,
    // Judges share one scheduler slot per round and run as wide as the pressure level allows.
    councilLimiter: roundLimiter({ admission: core.scheduler, level: () => core.scheduler.state().level }),
    calibration: core.calibration,
    claims: core.claims,
    // Retrieval embeds file chunks with the model Settings names for embedding (docs/retrieval.md).
    embedder: core.embedder,
    knowledge: {
      index: (taskId) => core.attachments.index(taskId),
      indexRepository: (taskId, repoPath) => repositoryDocs.index(taskId, repoPath),
      references: (taskId, query, repoPath) => core.attachments.references(taskId, query, 6, repoPath ? repositoryKey(repoPath) : undefined),
      lookup: (taskId, repoPath) => knowledgeLookup({ db: core.db, knowledge: core.knowledge }, taskId, repoPath),
    },
  });
}

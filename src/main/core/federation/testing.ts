import { openDatabase, type Db } from '../db/open';
import { silentLogger } from '../observability/logger';
import { CalibrationService } from '../calibration/service';
import { Coordinator } from './coordinator';
import { newIdentity, type Identity } from './identity';
import { inProcessTransport } from './in-process';
import { FederationMember } from './member';
import type { FederationPolicy } from './protocol';

export const TEST_POLICY: FederationPolicy = {
  federationId: 'test-fed',
  minCohort: 2,
  epsilonPerRound: 1,
  maxEpsilonPerPeriod: 3,
  delta: 1e-5,
  periodMs: 30 * 24 * 3600_000,
  clip: 1,
  allowedSources: ['eval_hidden_tests', 'human_override', 'revert', 'promoted_dry_run'],
};

export type InProcessMember = { db: Db; calibration: CalibrationService; identity: Identity; member: FederationMember };

/** A coordinator and members, each with its own database, in one process. */
export function inProcessFederation(n: number, policy: FederationPolicy = TEST_POLICY, clock = { now: () => Date.now() }, serverRate?: number, windowMs = 3000): { coordinator: Coordinator; members: InProcessMember[] } {
  const coordinator = new Coordinator({
    db: openDatabase({ file: ':memory:', logger: silentLogger() }),
    identity: newIdentity(),
    policy,
    url: 'http://127.0.0.1:1',
    clock,
    windows: { keysMs: windowMs, updatesMs: windowMs, revealMs: windowMs },
    ...(serverRate === undefined ? {} : { serverRate }),
  });
  const members = Array.from({ length: n }, () => {
    const db = openDatabase({ file: ':memory:', logger: silentLogger() });
    const calibration = new CalibrationService({ db, clock });
    const identity = newIdentity();
    const member = new FederationMember({ db, identity, calibration, clock, transport: () => inProcessTransport(coordinator) });
    return { db, calibration, identity, member };
  });
  return { coordinator, members };
}

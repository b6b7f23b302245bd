import type { CalibrationViewSchema } from '../../../shared/channels/calibration';
import type { Db } from '../db/open';
import { listFederationLog, readMembership } from '../db/queries/federation';
import { epsilonOfRho } from '../federation/privacy';
import { FederationPolicy } from '../federation/protocol';
import type { CalibrationService } from './service';

/** The Governance page's view: the calibration, what it learned from (counts), its effect, the federation. */
export function calibrationView(db: Db, calibration: CalibrationService): CalibrationViewSchema {
  const v = calibration.view();
  const m = readMembership(db);
  let federation: CalibrationViewSchema['federation'] = null;
  if (m) {
    const p = FederationPolicy.parse(m.policy);
    federation = {
      federationId: m.federationId,
      coordinatorUrl: m.coordinatorUrl,
      name: m.name,
      joinedAt: m.joinedAt,
      leftAt: m.leftAt,
      epsilonSpent: epsilonOfRho(m.rhoSpent, p.delta),
      maxEpsilon: p.maxEpsilonPerPeriod,
      delta: p.delta,
      periodEnds: m.periodStart + p.periodMs,
      rounds: m.rounds,
    };
  }
  return {
    mode: v.mode,
    source: v.source,
    fittedAt: v.fittedAt,
    params: v.params,
    outcomesBySource: v.outcomesBySource,
    effect: v.effect,
    federation,
    log: listFederationLog(db, { limit: 50 }),
  };
}

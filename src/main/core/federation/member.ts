import { createHash } from 'node:crypto';
import type { Db } from '../db/open';
import { appendFederationLog, readMembership, writeMembership, type Membership } from '../db/queries/federation';
import { accuracy, fitCalibration } from '../calibration/fit';
import type { CalibrationService } from '../calibration/service';
import { paramsToVector, vectorToParams, type CouncilOutcome } from '../calibration/types';
import { openMessage, signMessage, verifyMessage, type Identity, type Signed } from './identity';
import { noiseMultiplierFor, privatise, PrivacyAccountant } from './privacy';
import { decodeInvitation, FederationPolicy, InvitationPayload, RosterPayload, RoundKeyPayload, RoundStatePayload, type RoundStatePayload as RoundState } from './protocol';
import { encodeFixed, maskUpdate, newRoundKey, pairSeed } from './secure-agg';
import type { FederationTransport } from './transport';

export type MemberOptions = {
  db: Db;
  identity: Identity;
  calibration: CalibrationService;
  clock: { now(): number };
  transport: (url: string) => FederationTransport;
  /** Test seam for what a member sends: it must never be raw outcomes (compliance test). */
  random?: () => number;
};

/** A held-out outcome: a stable fifth of them by id, never used to fit, used to judge adoption. */
export function isHeldOut(o: CouncilOutcome): boolean {
  return createHash('sha256').update(o.verdictId).digest()[0]! % 5 === 0;
}

export type ParticipationResult =
  | { status: 'contributed'; roundId: string; outcome: 'adopted' | 'refused' | 'failed'; reason: string; epsilonSpent: number }
  | { status: 'skipped'; roundId: string | null; reason: string };

/**
 * This installation as a federation member: joins with an invitation, takes part in rounds with a
 * clipped, noised, masked update of its calibration (nothing else leaves: no task, code, vote or
 * outcome), keeps a privacy accountant, and adopts a new global calibration only when it does not
 * do worse on its own held-out outcomes. Every step is written to the federation log.
 */
export class FederationMember {
  constructor(private readonly o: MemberOptions) {}

  membership(): Membership | undefined {
    return readMembership(this.o.db);
  }

  async join(token: string): Promise<Membership> {
    const env = decodeInvitation(token);
    const { signer: coordinatorKey, payload: inv } = openMessage(env, 'invitation', InvitationPayload);
    if (inv.expiresAt < this.o.clock.now()) throw new Error('invitation: it has expired; ask the coordinator for a new one');
    const t = this.o.transport(inv.coordinatorUrl);
    const roster = await t.join(signMessage(this.o.identity, 'join', { invitationId: inv.invitationId, name: inv.name }));
    this.checkedRoster(roster, coordinatorKey);
    const now = this.o.clock.now();
    const m: Membership = {
      coordinatorUrl: inv.coordinatorUrl,
      coordinatorKey,
      federationId: inv.policy.federationId,
      name: inv.name,
      policy: inv.policy,
      joinedAt: now,
      leftAt: null,
      periodStart: now,
      rhoSpent: 0,
      rounds: 0,
    };
    writeMembership(this.o.db, m);
    this.log('member.joined', { federation: m.federationId, coordinator: inv.coordinatorUrl });
    return m;
  }

  async leave(): Promise<void> {
    const m = this.requireMembership();
    await this.o.transport(m.coordinatorUrl).leave(signMessage(this.o.identity, 'leave', { federationId: m.federationId }));
    writeMembership(this.o.db, { ...m, leftAt: this.o.clock.now() });
    this.log('member.left', { federation: m.federationId });
  }

  privacy(): ReturnType<PrivacyAccountant['snapshot']> {
    const m = this.requireMembership();
    return this.accountant(m).snapshot(this.o.clock.now());
  }

  /**
   * Takes part in the coordinator's current round, polling until it ends or `timeoutMs` passes.
   * `stopAfter` lets a test (or a crash) make this member drop out after a phase.
   */
  async participate(opts: { timeoutMs: number; pollMs?: number; stopAfter?: 'keys' }): Promise<ParticipationResult> {
    const m = this.requireMembership();
    const policy = FederationPolicy.parse(m.policy);
    const t = this.o.transport(m.coordinatorUrl);
    const deadline = Date.now() + opts.timeoutMs;
    const poll = opts.pollMs ?? 100;
    const me = this.o.identity.publicKey;
    const sigma = noiseMultiplierFor(policy.epsilonPerRound, policy.delta);
    const acc = this.accountant(m);

    const state = async (): Promise<RoundState | null> => {
      const s = await t.round();
      if (!s) return null;
      if (s.signer !== m.coordinatorKey || !verifyMessage(s, 'round')) throw new Error('round: the state is not signed by the federation\'s coordinator');
      return RoundStatePayload.parse(s.payload);
    };
    const waitFor = async (ok: (s: RoundState) => boolean): Promise<RoundState> => {
      for (;;) {
        const s = await state();
        if (s && (ok(s) || s.phase === 'failed')) return s;
        if (Date.now() > deadline) throw new Error('federation: the round did not progress before the timeout');
        await new Promise((r) => setTimeout(r, poll));
      }
    };

    const standing = RosterPayload.parse(this.checkedRoster(await t.roster(), m.coordinatorKey)).members.find((x) => x.key === me);
    if (!standing || standing.status !== 'active') {
      throw new Error(`federation: the coordinator's roster lists this installation as ${standing ? standing.status : 'unknown'}; it takes part in no round`);
    }
    let s = await waitFor((x) => x.phase === 'keys' && x.cohort.includes(me));
    if (s.phase === 'failed') return { status: 'skipped', roundId: s.roundId, reason: s.failure ?? 'the round failed' };
    const roundId = s.roundId;
    if (!acc.canSpend(sigma, this.o.clock.now())) {
      const reason = `privacy budget spent: ε would reach ${acc.epsilonAfter(sigma, this.o.clock.now()).toFixed(3)} of ${policy.maxEpsilonPerPeriod} this period`;
      this.log('member.skipped', { round: roundId, reason });
      return { status: 'skipped', roundId, reason };
    }
    const rk = newRoundKey();
    await t.submitKey(signMessage(this.o.identity, 'round-key', { roundId, x25519: rk.publicKey }));
    if (opts.stopAfter === 'keys') {
      this.log('member.dropped-out', { round: roundId });
      return { status: 'skipped', roundId, reason: 'dropped out after sharing the round key' };
    }
    s = await waitFor((x) => x.roundId === roundId && x.phase !== 'keys');
    if (s.phase === 'failed') return { status: 'skipped', roundId, reason: s.failure ?? 'the round failed' };

    const roster = RosterPayload.parse(this.checkedRoster(await t.roster(), m.coordinatorKey));
    const active = new Set(roster.members.filter((x) => x.status === 'active').map((x) => x.key));
    const seeds = new Map<string, Buffer>();
    for (const raw of s.keys) {
      const { signer, payload } = openMessage(raw, 'round-key', RoundKeyPayload);
      if (payload.roundId !== roundId) throw new Error('round: a peer key is for another round');
      if (!active.has(signer)) throw new Error('round: a peer key comes from an installation not on the roster');
      if (signer !== me) seeds.set(signer, pairSeed(rk.privateKey, payload.x25519, roundId, me, signer));
    }
    if (!s.cohort.every((k) => k === me || seeds.has(k))) throw new Error('round: the cohort lists a member without a signed key');

    // The update: what the local outcomes move the global calibration by, clipped and noised.
    const global = vectorToParams(s.global);
    const outcomes = this.o.calibration.outcomes(policy.allowedSources).filter((o) => !isHeldOut(o));
    const local = fitCalibration(outcomes, { prior: global });
    const delta = paramsToVector(local).map((x, i) => x - s.global[i]!);
    const noised = privatise(delta, policy.clip, sigma, this.o.random);
    acc.spend(sigma, this.o.clock.now());
    this.saveAccountant(m, acc);
    const masked = maskUpdate(encodeFixed(noised), me, seeds);
    try {
      await t.submitUpdate(signMessage(this.o.identity, 'update', { roundId, masked, sigma, clip: policy.clip, sources: policy.allowedSources }));
    } catch (e) {
      // Too late: the round went on without this member, which counts as a dropout (its budget stays spent).
      this.log('member.late', { round: roundId, reason: (e as Error).message });
      return { status: 'skipped', roundId, reason: `the update arrived too late: ${(e as Error).message}` };
    }
    const epsilonSpent = acc.snapshot(this.o.clock.now()).epsilonSpent;
    this.log('member.contributed', { round: roundId, outcomes: outcomes.length, epsilonSpent });

    s = await waitFor((x) => x.roundId === roundId && (x.phase === 'reveal' || x.phase === 'done'));
    if (s.phase === 'reveal') {
      const refused = s.dropped.filter((k) => s.received.includes(k));
      if (refused.length) throw new Error('round: the coordinator asks for seeds of a member whose update it holds; refusing');
      const reveal: Record<string, string> = {};
      for (const k of s.dropped) reveal[k] = seeds.get(k)!.toString('hex');
      await t.submitReveal(signMessage(this.o.identity, 'reveal', { roundId, seeds: reveal }));
      s = await waitFor((x) => x.roundId === roundId && x.phase === 'done');
    }
    if (s.phase === 'failed' || !s.result) {
      this.log('member.round-failed', { round: roundId, reason: s.failure });
      return { status: 'contributed', roundId, outcome: 'failed', reason: s.failure ?? 'the round failed', epsilonSpent };
    }
    return { status: 'contributed', roundId, ...this.considerAdoption(roundId, s.result), epsilonSpent };
  }

  /** Adopts the new global calibration only when it does no worse on this installation's held-out outcomes. */
  considerAdoption(roundId: string, vector: readonly number[]): { outcome: 'adopted' | 'refused'; reason: string } {
    const candidate = vectorToParams(vector);
    const current = this.o.calibration.current().params;
    const held = this.o.calibration.outcomes().filter(isHeldOut);
    if (held.length === 0) {
      const reason = 'no held-out outcomes to check the new calibration against';
      this.log('member.refused', { round: roundId, reason });
      return { outcome: 'refused', reason };
    }
    const before = accuracy(current, held);
    const after = accuracy(candidate, held);
    if (after + 1e-12 < before) {
      const reason = `held-out accuracy would drop from ${before.toFixed(3)} to ${after.toFixed(3)}`;
      this.log('member.refused', { round: roundId, reason, heldOut: held.length });
      return { outcome: 'refused', reason };
    }
    this.o.calibration.adopt(candidate, { round: roundId, heldOut: held.length, before, after });
    return { outcome: 'adopted', reason: `held-out accuracy ${before.toFixed(3)} → ${after.toFixed(3)} on ${held.length} outcomes` };
  }

  private checkedRoster(roster: Signed, coordinatorKey: string): unknown {
    if (roster.signer !== coordinatorKey || !verifyMessage(roster, 'roster')) throw new Error('roster: not signed by the federation\'s coordinator');
    return roster.payload;
  }

  private accountant(m: Membership): PrivacyAccountant {
    const p = FederationPolicy.parse(m.policy);
    return new PrivacyAccountant({ periodStart: m.periodStart, rhoSpent: m.rhoSpent, rounds: m.rounds }, { maxEpsilon: p.maxEpsilonPerPeriod, delta: p.delta, periodMs: p.periodMs });
  }

  private saveAccountant(m: Membership, acc: PrivacyAccountant): void {
    const s = acc.snapshot(this.o.clock.now());
    writeMembership(this.o.db, { ...m, periodStart: s.periodStart, rhoSpent: s.rhoSpent, rounds: s.rounds });
  }

  private requireMembership(): Membership {
    const m = readMembership(this.o.db);
    if (!m || m.leftAt !== null) throw new Error('federation: this installation is not a member (use `agent-agency federation join <invitation>`)');
    return m;
  }

  private log(kind: string, detail: Record<string, unknown>): void {
    appendFederationLog(this.o.db, this.o.clock.now(), kind, detail);
  }
}


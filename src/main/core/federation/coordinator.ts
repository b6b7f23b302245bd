import { randomBytes } from 'node:crypto';
import type { Db } from '../db/open';
import {
  appendFederationLog,
  getInvitation,
  insertInvitation,
  listRoster,
  markInvitationUsed,
  upsertRosterEntry,
  upsertRound,
  type RosterEntry,
} from '../db/queries/federation';
import { defaultParams } from '../calibration/fit';
import { paramsToVector, PARAM_DIM } from '../calibration/types';
import { FederationError, openMessage, signMessage, type Identity, type Signed } from './identity';
import { noiseMultiplierFor } from './privacy';
import {
  encodeInvitation,
  type FederationPolicy,
  JoinPayload,
  LeavePayload,
  RevealPayload,
  RoundKeyPayload,
  UpdatePayload,
  type RoundPhase,
  type RoundStatePayload,
} from './protocol';
import { decodeFixed, unmaskSum } from './secure-agg';

export type CoordinatorOptions = {
  db: Db;
  identity: Identity;
  policy: FederationPolicy;
  url: string;
  clock: { now(): number };
  windows?: { keysMs?: number; updatesMs?: number; revealMs?: number };
  /**
   * Server learning rate: the global moves this share of the mean update each round, which damps
   * the DP noise that every round adds (DP-FedAvg's server step).
   */
  serverRate?: number;
};

type Round = {
  id: string;
  openedAt: number;
  phase: RoundPhase;
  phaseDeadline: number;
  global: number[];
  cohort: string[];
  keys: Map<string, Signed>;
  updates: Map<string, number[]>;
  reveals: Map<string, Record<string, string>>;
  dropped: string[];
  result: number[] | null;
  failure: string | null;
};

/**
 * The coordinator of a federation: keeps the signed roster, hands out invitations, and runs rounds of
 * secure aggregation. It only ever holds masked updates, and it combines a round only when at least
 * the policy's minimum cohort took part; every update is checked against the policy (noise, clip,
 * sources) before it is accepted.
 */
export class Coordinator {
  private round: Round | null = null;
  private global: number[] = paramsToVector(defaultParams());
  private readonly windows: Required<NonNullable<CoordinatorOptions['windows']>>;

  constructor(private readonly o: CoordinatorOptions) {
    this.windows = { keysMs: 10_000, updatesMs: 30_000, revealMs: 10_000, ...o.windows };
  }

  get policy(): FederationPolicy {
    return this.o.policy;
  }

  get publicKey(): string {
    return this.o.identity.publicKey;
  }

  invite(name: string, validForMs = 7 * 24 * 3600_000): string {
    const invitationId = randomBytes(16).toString('hex');
    const expiresAt = this.o.clock.now() + validForMs;
    insertInvitation(this.o.db, { id: invitationId, name, expiresAt, usedBy: null });
    this.log('invited', { name, invitationId });
    return encodeInvitation(signMessage(this.o.identity, 'invitation', { invitationId, name, coordinatorUrl: this.o.url, expiresAt, policy: this.o.policy }));
  }

  join(raw: unknown): Signed {
    const { signer, payload } = openMessage(raw, 'join', JoinPayload);
    const inv = getInvitation(this.o.db, payload.invitationId);
    if (!inv) throw new FederationError(403, 'invitationId: no such invitation');
    if (inv.expiresAt < this.o.clock.now()) throw new FederationError(403, 'invitationId: the invitation has expired');
    const existing = this.member(signer);
    if (existing?.status === 'revoked') throw new FederationError(403, 'member: this installation was revoked');
    if (!markInvitationUsed(this.o.db, inv.id, signer) && inv.usedBy !== signer) throw new FederationError(403, 'invitationId: the invitation was already used');
    const now = this.o.clock.now();
    upsertRosterEntry(this.o.db, { memberKey: signer, name: payload.name, status: 'active', joinedAt: existing?.joinedAt ?? now, changedAt: now });
    this.log('joined', { member: signer, name: payload.name });
    return this.roster();
  }

  leave(raw: unknown): Signed {
    const { signer } = openMessage(raw, 'leave', LeavePayload);
    const m = this.activeMember(signer);
    upsertRosterEntry(this.o.db, { ...m, status: 'left', changedAt: this.o.clock.now() });
    this.log('left', { member: signer });
    return this.roster();
  }

  revoke(memberKey: string): void {
    const m = this.member(memberKey);
    if (!m) throw new FederationError(404, `member: ${memberKey} is not on the roster`);
    upsertRosterEntry(this.o.db, { ...m, status: 'revoked', changedAt: this.o.clock.now() });
    this.log('revoked', { member: memberKey });
  }

  /** The roster, signed, so members can check who else is in a round. */
  roster(): Signed {
    return signMessage(this.o.identity, 'roster', {
      federationId: this.o.policy.federationId,
      issuedAt: this.o.clock.now(),
      members: listRoster(this.o.db).map((m) => ({ key: m.memberKey, name: m.name, status: m.status })),
    });
  }

  openRound(): string {
    if (this.round && !['done', 'failed'].includes(this.round.phase)) throw new FederationError(409, 'round: a round is already running');
    const cohort = listRoster(this.o.db).filter((m) => m.status === 'active').map((m) => m.memberKey);
    const now = this.o.clock.now();
    const id = `r-${now}-${randomBytes(4).toString('hex')}`;
    this.round = {
      id,
      openedAt: now,
      phase: 'keys',
      phaseDeadline: now + this.windows.keysMs,
      global: [...this.global],
      cohort,
      keys: new Map(),
      updates: new Map(),
      reveals: new Map(),
      dropped: [],
      result: null,
      failure: null,
    };
    if (cohort.length < this.o.policy.minCohort) this.fail(`only ${cohort.length} active members; the policy's minimum cohort is ${this.o.policy.minCohort}`);
    this.persist();
    return id;
  }

  submitKey(raw: unknown): void {
    const { signer, payload } = openMessage(raw, 'round-key', RoundKeyPayload);
    const r = this.roundFor(payload.roundId, 'keys', signer);
    if (!r.cohort.includes(signer)) throw new FederationError(403, 'member: not in this round\'s cohort');
    r.keys.set(signer, raw as Signed);
    this.tick();
  }

  submitUpdate(raw: unknown): void {
    const { signer, payload } = openMessage(raw, 'update', UpdatePayload);
    const r = this.roundFor(payload.roundId, 'updates', signer);
    if (!r.keys.has(signer)) throw new FederationError(403, 'member: sent no key for this round');
    const p = this.o.policy;
    if (payload.masked.length !== PARAM_DIM) throw new FederationError(400, `masked: expected ${PARAM_DIM} values`);
    if (payload.clip > p.clip + 1e-12) throw new FederationError(400, `clip: ${payload.clip} is above the policy's ${p.clip}`);
    const required = noiseMultiplierFor(p.epsilonPerRound, p.delta);
    if (payload.sigma < required - 1e-9) throw new FederationError(400, `sigma: ${payload.sigma} is less noise than the policy's ε per round allows (${required.toFixed(4)})`);
    const bad = payload.sources.find((s) => !p.allowedSources.includes(s));
    if (bad) throw new FederationError(400, `sources: ${bad} is not an allowed outcome source`);
    r.updates.set(signer, payload.masked);
    this.log('update-received', { round: r.id, member: signer });
    this.tick();
  }

  submitReveal(raw: unknown): void {
    const { signer, payload } = openMessage(raw, 'reveal', RevealPayload);
    const r = this.roundFor(payload.roundId, 'reveal', signer);
    if (!r.updates.has(signer)) throw new FederationError(403, 'member: only survivors reveal seeds');
    const asked = new Set(r.dropped);
    for (const k of Object.keys(payload.seeds)) if (!asked.has(k)) throw new FederationError(400, `seeds.${k}: not a dropped member`);
    if (Object.keys(payload.seeds).length !== r.dropped.length) throw new FederationError(400, 'seeds: one seed per dropped member is needed');
    r.reveals.set(signer, payload.seeds);
    this.tick();
  }

  /** Advances the round on completeness or deadlines; callers run it on every request and a timer. */
  tick(): void {
    const r = this.round;
    if (!r) return;
    const now = this.o.clock.now();
    const min = this.o.policy.minCohort;
    if (r.phase === 'keys' && (r.keys.size === r.cohort.length || now >= r.phaseDeadline)) {
      if (r.keys.size < min) return this.fail(`only ${r.keys.size} members shared round keys; the minimum cohort is ${min}`);
      r.cohort = r.cohort.filter((k) => r.keys.has(k));
      this.enter('updates', this.windows.updatesMs);
    }
    if (r.phase === 'updates' && (r.updates.size === r.cohort.length || now >= r.phaseDeadline)) {
      if (r.updates.size < min) return this.fail(`only ${r.updates.size} updates arrived; the minimum cohort is ${min}`);
      r.dropped = r.cohort.filter((k) => !r.updates.has(k));
      if (r.dropped.length === 0) return this.finish();
      this.log('dropouts', { round: r.id, dropped: r.dropped });
      this.enter('reveal', this.windows.revealMs);
    }
    if (r.phase === 'reveal') {
      if (r.reveals.size === r.updates.size) return this.finish();
      if (now >= r.phaseDeadline) this.fail('survivors did not reveal the seeds of the dropped members in time');
    }
  }

  /** The current round as members see it (signed). */
  roundState(): Signed | null {
    const r = this.round;
    if (!r) return null;
    this.tick();
    const payload: RoundStatePayload = {
      federationId: this.o.policy.federationId,
      roundId: r.id,
      phase: r.phase,
      global: r.global,
      cohort: r.cohort,
      keys: r.phase === 'keys' ? [] : [...r.keys.values()],
      received: [...r.updates.keys()],
      dropped: r.dropped,
      result: r.result,
      failure: r.failure,
    };
    return signMessage(this.o.identity, 'round', payload);
  }

  private finish(): void {
    const r = this.round!;
    const revealed = [...r.reveals.entries()].flatMap(([survivor, seeds]) =>
      Object.entries(seeds).map(([dropped, hex]) => ({ survivor, dropped, seed: Buffer.from(hex, 'hex') })),
    );
    const sum = decodeFixed(unmaskSum(r.updates, revealed, PARAM_DIM));
    const n = r.updates.size;
    const rate = this.o.serverRate ?? 0.5;
    r.result = r.global.map((g, i) => g + (rate * sum[i]!) / n);
    this.global = r.result;
    r.phase = 'done';
    this.log('round-done', { round: r.id, participants: n, dropped: r.dropped.length });
    this.persist();
  }

  private fail(reason: string): void {
    const r = this.round!;
    r.phase = 'failed';
    r.failure = reason;
    this.log('round-failed', { round: r.id, reason });
    this.persist();
  }

  private enter(phase: RoundPhase, windowMs: number): void {
    this.round!.phase = phase;
    this.round!.phaseDeadline = this.o.clock.now() + windowMs;
    this.persist();
  }

  private persist(): void {
    const r = this.round!;
    const closed = r.phase === 'done' || r.phase === 'failed';
    upsertRound(this.o.db, {
      id: r.id,
      openedAt: r.openedAt,
      closedAt: closed ? this.o.clock.now() : null,
      outcome: closed ? (r.phase as 'done' | 'failed') : null,
      participants: r.updates.size,
      dropped: r.dropped.length,
      // The coordinator keeps what it saw: masked updates only (uniformly random on their own).
      detail: { phase: r.phase, cohort: r.cohort, dropped: r.dropped, failure: r.failure, result: r.result, masked: Object.fromEntries(r.updates) },
    });
  }

  private roundFor(id: string, phase: RoundPhase, signer: string): Round {
    this.activeMember(signer);
    this.tick();
    const r = this.round;
    if (!r || r.id !== id) throw new FederationError(404, 'roundId: not the current round');
    if (r.phase !== phase) throw new FederationError(409, `round: in the ${r.phase} phase, not ${phase}`);
    return r;
  }

  private member(key: string): RosterEntry | undefined {
    return listRoster(this.o.db).find((m) => m.memberKey === key);
  }

  private activeMember(key: string): RosterEntry {
    const m = this.member(key);
    if (!m) throw new FederationError(403, 'member: not on the roster');
    if (m.status !== 'active') throw new FederationError(403, `member: ${m.status === 'revoked' ? 'revoked' : 'has left'}; submissions are refused`);
    return m;
  }

  private log(kind: string, detail: Record<string, unknown>): void {
    appendFederationLog(this.o.db, this.o.clock.now(), `coordinator.${kind}`, detail);
  }
}

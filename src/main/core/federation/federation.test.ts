import { describe, expect, it } from 'vitest';
import { JUDGE_IDS } from '../../../shared/domain/governance';
import { listFederationLog, listRounds } from '../db/queries/federation';
import { syntheticOutcomes } from '../calibration/synthetic';
import { paramsToVector } from '../calibration/types';
import { newIdentity, signMessage } from './identity';
import { decodeFixed } from './secure-agg';
import { inProcessFederation, TEST_POLICY } from './testing';

const reliability = { constitutional: 0.55, technical: 0.9, quality: 0.85, integration: 0.6 };

async function joinedFederation(n: number, policy = TEST_POLICY) {
  const fed = inProcessFederation(n, policy);
  for (const [i, m] of fed.members.entries()) {
    for (const o of syntheticOutcomes({ count: 60, reliability, seed: 10 + i })) m.calibration.recordOutcome(o);
    await m.member.join(fed.coordinator.invite(`member-${i}`));
  }
  return fed;
}

describe('federated calibration, one process', () => {
  it('runs a full round: every member contributes, the coordinator combines, members adopt or refuse by their own held-out outcomes', async () => {
    const fed = await joinedFederation(3);
    fed.coordinator.openRound();
    const results = await Promise.all(fed.members.map((m) => m.member.participate({ timeoutMs: 10_000, pollMs: 5 })));
    for (const r of results) expect(r.status).toBe('contributed');
    const round = listRounds(fed.coordinator['o'].db)[0]!;
    expect(round.outcome).toBe('done');
    expect(round.participants).toBe(3);
    for (const m of fed.members) {
      const kinds = listFederationLog(m.db).map((e) => e.kind);
      expect(kinds).toContain('member.contributed');
      expect(kinds.some((k) => k === 'member.adopted' || k === 'member.refused')).toBe(true);
      expect(m.member.privacy().epsilonSpent).toBeCloseTo(1, 6);
    }
  });

  it('recovers when a member drops out after sharing its key, and the sum excludes it', async () => {
    const fed = await joinedFederation(3);
    fed.coordinator.openRound();
    const [a, b, c] = fed.members;
    const results = await Promise.all([
      a!.member.participate({ timeoutMs: 10_000, pollMs: 5 }),
      b!.member.participate({ timeoutMs: 10_000, pollMs: 5 }),
      c!.member.participate({ timeoutMs: 10_000, pollMs: 5, stopAfter: 'keys' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['contributed', 'contributed', 'skipped']);
    const round = listRounds(fed.coordinator['o'].db)[0]!;
    expect(round).toMatchObject({ outcome: 'done', participants: 2, dropped: 1 });
  });

  it('fails a round below the minimum cohort instead of revealing a lone update', async () => {
    const fed = await joinedFederation(3, { ...TEST_POLICY, minCohort: 3 });
    fed.coordinator.openRound();
    const results = await Promise.all(fed.members.map((m, i) => m.member.participate({ timeoutMs: 10_000, pollMs: 5, ...(i === 0 ? { stopAfter: 'keys' as const } : {}) })));
    expect(results.filter((r) => r.status === 'contributed').every((r) => r.status === 'contributed' && r.outcome === 'failed')).toBe(true);
    expect(listRounds(fed.coordinator['o'].db)[0]!.outcome).toBe('failed');
  });

  it('refuses a revoked member, a forged signature and an update noised less than the policy allows', async () => {
    const fed = await joinedFederation(3);
    const [a, b] = fed.members;
    fed.coordinator.revoke(a!.identity.publicKey);
    fed.coordinator.openRound();
    const roundId = fed.coordinator.roundState()!.payload['roundId'] as string;
    expect(() => fed.coordinator.submitKey(signMessage(a!.identity, 'round-key', { roundId, x25519: newIdentity().publicKey }))).toThrow(/revoked/);
    // A message signed by someone else but claiming b's key.
    const forged = { ...signMessage(newIdentity(), 'round-key', { roundId, x25519: newIdentity().publicKey }), signer: b!.identity.publicKey };
    expect(() => fed.coordinator.submitKey(forged)).toThrow(/signature does not verify/);
    // A member that is not on the roster at all.
    expect(() => fed.coordinator.submitKey(signMessage(newIdentity(), 'round-key', { roundId, x25519: newIdentity().publicKey }))).toThrow(/not on the roster/);
    // The two active members share keys; then an update with too little noise, or from a source the
    // policy does not allow, is refused naming the field.
    const c = fed.members[2]!;
    for (const m of [b!, c]) fed.coordinator.submitKey(signMessage(m.identity, 'round-key', { roundId, x25519: newIdentity().publicKey }));
    const update = { roundId, masked: new Array(8).fill(7), sigma: 6, clip: 1, sources: ['eval_hidden_tests'] };
    expect(() => fed.coordinator.submitUpdate(signMessage(b!.identity, 'update', { ...update, sigma: 0.1 }))).toThrow(/^sigma: .*less noise/);
    expect(() => fed.coordinator.submitUpdate(signMessage(b!.identity, 'update', { ...update, clip: 5 }))).toThrow(/^clip:/);
    const narrow = await joinedFederation(2, { ...TEST_POLICY, allowedSources: ['eval_hidden_tests'] });
    narrow.coordinator.openRound();
    const rid = narrow.coordinator.roundState()!.payload['roundId'] as string;
    for (const m of narrow.members) narrow.coordinator.submitKey(signMessage(m.identity, 'round-key', { roundId: rid, x25519: newIdentity().publicKey }));
    expect(() =>
      narrow.coordinator.submitUpdate(signMessage(narrow.members[0]!.identity, 'update', { ...update, roundId: rid, sources: ['human_override'] })),
    ).toThrow(/^sources: human_override is not an allowed/);
    expect(() => narrow.coordinator.submitUpdate(signMessage(narrow.members[0]!.identity, 'update', { ...update, roundId: rid }))).not.toThrow();
  });

  it('a member whose privacy budget is spent stops contributing and says so', async () => {
    const fed = await joinedFederation(2, { ...TEST_POLICY, maxEpsilonPerPeriod: 1.2 });
    fed.coordinator.openRound();
    await Promise.all(fed.members.map((m) => m.member.participate({ timeoutMs: 10_000, pollMs: 5 })));
    fed.coordinator.openRound();
    const r = await fed.members[0]!.member.participate({ timeoutMs: 10_000, pollMs: 5 });
    expect(r).toMatchObject({ status: 'skipped' });
    expect(r.status === 'skipped' && r.reason).toMatch(/privacy budget spent/);
  });

  it('the coordinator holds only masked updates: none decodes to the member\'s real update', async () => {
    const fed = await joinedFederation(3);
    fed.coordinator.openRound();
    await Promise.all(fed.members.map((m) => m.member.participate({ timeoutMs: 10_000, pollMs: 5 })));
    const round = listRounds(fed.coordinator['o'].db)[0]!;
    const masked = Object.values(round.detail['masked'] as Record<string, number[]>);
    expect(masked).toHaveLength(3);
    const global = (round.detail['result'] as number[]).map((x) => x);
    expect(global).toHaveLength(JUDGE_IDS.length + 4);
    for (const m of masked) {
      // A real update is clipped to norm 1 plus noise of σ≈3.7: decoded masked values are huge instead.
      const decoded = decodeFixed(m);
      expect(Math.max(...decoded.map(Math.abs))).toBeGreaterThan(100);
    }
    expect(paramsToVector(fed.members[0]!.calibration.current().params)).toHaveLength(8);
  });
});

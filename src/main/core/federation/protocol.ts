import { z } from 'zod';
import { OutcomeSource } from '../calibration/types';

/** Messages of the federation protocol; every one travels inside a signed envelope (identity.ts). */

const key = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url public key');
const uint32 = z.number().int().min(0).max(2 ** 32 - 1);

/** What the coordinator enforces and every member agrees to when it joins. */
export const FederationPolicy = z.strictObject({
  federationId: z.string().min(1).max(100),
  /** No round is combined from fewer members than this (secure aggregation hides one member among them). */
  minCohort: z.number().int().min(2).max(1000),
  /** ε each round may spend, and the most a member may spend per period, at δ. */
  epsilonPerRound: z.number().positive().max(10),
  maxEpsilonPerPeriod: z.number().positive().max(100),
  delta: z.number().positive().max(1e-3),
  periodMs: z.number().int().positive(),
  /** L2 bound of one member's update (the sensitivity the noise is scaled to). */
  clip: z.number().positive().max(100),
  /** Outcome sources a member may learn from. */
  allowedSources: z.array(OutcomeSource).min(1),
});
export type FederationPolicy = z.infer<typeof FederationPolicy>;

export const InvitationPayload = z.strictObject({
  invitationId: z.string().min(16).max(64),
  name: z.string().min(1).max(100),
  coordinatorUrl: z.string().url(),
  expiresAt: z.number().int(),
  policy: FederationPolicy,
});
export type InvitationPayload = z.infer<typeof InvitationPayload>;

export const JoinPayload = z.strictObject({ invitationId: z.string().min(16).max(64), name: z.string().min(1).max(100) });
export const LeavePayload = z.strictObject({ federationId: z.string().min(1) });

export const RosterPayload = z.strictObject({
  federationId: z.string(),
  issuedAt: z.number().int(),
  members: z.array(z.strictObject({ key, name: z.string(), status: z.enum(['active', 'revoked', 'left']) })),
});
export type RosterPayload = z.infer<typeof RosterPayload>;

export const RoundKeyPayload = z.strictObject({ roundId: z.string().min(1).max(64), x25519: key });

export const UpdatePayload = z.strictObject({
  roundId: z.string().min(1).max(64),
  masked: z.array(uint32).min(1).max(64),
  /** Noise multiplier and clip the member used, so the coordinator can refuse an update noised too little. */
  sigma: z.number().positive(),
  clip: z.number().positive(),
  sources: z.array(OutcomeSource).min(1),
});
export type UpdatePayload = z.infer<typeof UpdatePayload>;

export const RevealPayload = z.strictObject({
  roundId: z.string().min(1).max(64),
  seeds: z.record(key, z.string().regex(/^[0-9a-f]{64}$/, 'must be a 32-byte hex seed')),
});

export const RoundPhase = z.enum(['keys', 'updates', 'reveal', 'done', 'failed']);
export type RoundPhase = z.infer<typeof RoundPhase>;

/** What the coordinator publishes about the current round (signed by the coordinator). */
export const RoundStatePayload = z.strictObject({
  federationId: z.string(),
  roundId: z.string(),
  phase: RoundPhase,
  /** The global calibration vector the round starts from. */
  global: z.array(z.number()),
  /** Members asked to take part. */
  cohort: z.array(key),
  /** From the updates phase on: every member's signed round key, so members can check each other's. */
  keys: z.array(z.unknown()),
  /** Members whose update the coordinator holds (a member never reveals a seed with one of these). */
  received: z.array(key),
  /** In the reveal phase: members that dropped out after the keys were shared. */
  dropped: z.array(key),
  /** When done: the new global calibration vector. */
  result: z.array(z.number()).nullable(),
  failure: z.string().nullable(),
});
export type RoundStatePayload = z.infer<typeof RoundStatePayload>;

/** An invitation travels as one string: base64url of its signed envelope. */
export function encodeInvitation(signed: unknown): string {
  return Buffer.from(JSON.stringify(signed)).toString('base64url');
}

export function decodeInvitation(token: string): unknown {
  try {
    return JSON.parse(Buffer.from(token.trim(), 'base64url').toString('utf8'));
  } catch {
    throw new Error('invitation: not an invitation token (expected the base64url text `federation invite` printed)');
  }
}

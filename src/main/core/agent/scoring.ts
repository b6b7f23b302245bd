import type { VerifiedClaim } from '../claims/types';
import type { GateResult } from '../gates/types';

/** An acceptance criterion as the loop needs it; the CAWS spec's `acceptance` items fit as they are. */
export type Criterion = { id: string; given: string; when: string; then: string; test?: string | undefined };

export type CriterionResult = {
  id: string;
  met: boolean;
  /** How it was decided: the test command's outcome, or the worker's claim backed by passing gates. */
  evidence: string;
};

export type Evaluation = {
  /** 0..1: gates (0.4) and acceptance criteria (0.6), or whichever of the two exists. */
  score: number;
  gates: GateResult[];
  criteria: CriterionResult[];
  /** Blocking gates that failed. */
  blockingFailed: string[];
  /** Gates whose failure stops the loop outright (governance gates a refinement cannot fix). */
  mandatoryFailed: string[];
  /** Good enough: nothing blocking failed, every criterion met, score at or above the threshold. */
  satisficed: boolean;
  /** The worker's claims about this state, each verified, refuted or unverifiable (absent before any proposal). */
  claims?: VerifiedClaim[];
};

/** Each refuted claim takes this much off the score; any refuted claim stops the state satisficing. */
export const REFUTED_CLAIM_PENALTY = 0.1;

/** The evaluation with the worker's verified claims: refuted claims lower the score and block satisficing. */
export function withClaims(e: Evaluation, claims: VerifiedClaim[]): Evaluation {
  const refuted = claims.filter((c) => c.status === 'refuted').length;
  const score = Math.max(0, Math.round((e.score - refuted * REFUTED_CLAIM_PENALTY) * 10_000) / 10_000);
  return { ...e, score, satisficed: e.satisficed && refuted === 0, claims };
}

export const GATE_WEIGHT = 0.4;

export function gateScore(gates: readonly GateResult[]): number | null {
  const counted = gates.filter((g) => g.status !== 'skip' && g.mode !== 'skip');
  if (counted.length === 0) return null;
  const sum = counted.reduce((s, g) => s + clamp01(g.status === 'fail' ? Math.min(g.score, 0.99) : g.score), 0);
  return sum / counted.length;
}

export function evaluate(input: {
  gates: readonly GateResult[];
  criteria: readonly CriterionResult[];
  mandatoryGates: readonly string[];
  satisficeScore: number;
}): Evaluation {
  const blockingFailed = input.gates.filter((g) => g.status === 'fail' && g.mode === 'block').map((g) => g.gate);
  const mandatory = new Set(input.mandatoryGates);
  const mandatoryFailed = input.gates.filter((g) => g.status === 'fail' && mandatory.has(g.gate)).map((g) => g.gate);
  const gs = gateScore(input.gates);
  const cs = input.criteria.length > 0 ? input.criteria.filter((c) => c.met).length / input.criteria.length : null;
  const score = gs === null && cs === null ? 0 : gs === null ? cs! : cs === null ? gs : GATE_WEIGHT * gs + (1 - GATE_WEIGHT) * cs;
  const rounded = Math.round(score * 10_000) / 10_000;
  const satisficed = blockingFailed.length === 0 && input.criteria.every((c) => c.met) && rounded >= input.satisficeScore;
  return { score: rounded, gates: [...input.gates], criteria: [...input.criteria], blockingFailed, mandatoryFailed, satisficed };
}

const clamp01 = (n: number) => (Number.isFinite(n) ? Math.max(0, Math.min(1, n)) : 0);

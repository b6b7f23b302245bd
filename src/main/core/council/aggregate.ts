import type { Decision, FinalVerdict, JudgeId, JudgeVerdict, VerdictValue } from '../../../shared/domain/governance';
import { JUDGE_IDS } from '../../../shared/domain/governance';
import type { RiskTier } from '../../../shared/domain/task';
import { DEBATE_FLOORS, JUDGE_WEIGHTS, PASS_THRESHOLDS } from './types';

/**
 * What a vote is worth at full confidence: a pass counts fully, a conditional pass three quarters,
 * uncertainty and a request for information half, a fail nothing.
 */
export const VOTE_VALUE: Readonly<Record<VerdictValue, number>> = { pass: 1, conditional: 0.75, uncertain: 0.5, 'needs-info': 0.5, fail: 0 };

/**
 * A judge's numeric score, 0..1. Confidence moves the vote's value away from the neutral 0.5: at
 * confidence 1 a pass is 1 and a fail 0; at confidence 0 a pass is 0.75 and a fail 0.25, so a
 * confident fail weighs more than an unsure one. A judge that did not answer (error, timeout,
 * missing) scores 0 whatever its confidence: fail closed.
 */
export function judgeScore(v: Pick<JudgeVerdict, 'verdict' | 'confidence' | 'error'> | undefined): number {
  if (!v || v.error) return 0;
  const confidence = Math.min(1, Math.max(0, Number.isFinite(v.confidence) ? v.confidence : 0));
  const value = 0.5 + (VOTE_VALUE[v.verdict] - 0.5) * (0.5 + 0.5 * confidence);
  return Math.round(value * 1e6) / 1e6;
}

export type Tally = {
  score: number;
  threshold: number;
  /** Below it the council rejects outright; between it and the threshold it debates. */
  floor: number;
  vetoed: boolean;
  /**
   * Where the score falls: settled either way, in the band where the judges debate, or waiting for
   * answers a judge asked for (never when the vote is a rejection anyway).
   */
  outcome: 'accept' | 'reject' | 'contested' | 'needs-info';
  votes: FinalVerdict['votes'];
};

/**
 * Weighted score of one round. A judge that did not answer counts as a fail (fail closed), and a
 * failing constitutional judge vetoes whatever the others say.
 */
export function tally(verdicts: readonly JudgeVerdict[], tier: RiskTier, weights: Readonly<Record<JudgeId, number>> = JUDGE_WEIGHTS): Tally {
  const byJudge = new Map(verdicts.map((v) => [v.judge_id, v]));
  const votes = JUDGE_IDS.map((id) => ({ judge_id: id, weight: weights[id], verdict: byJudge.get(id)?.verdict ?? ('fail' as const) }));
  const total = votes.reduce((s, v) => s + v.weight, 0);
  const raw = JUDGE_IDS.reduce((s, id) => s + weights[id] * judgeScore(byJudge.get(id)), 0);
  // Rounded so 0.8 from four weights is exactly 0.8, not 0.7999999.
  const score = Math.round((total > 0 ? raw / total : 0) * 1e6) / 1e6;
  const threshold = PASS_THRESHOLDS[tier];
  const floor = DEBATE_FLOORS[tier];
  const vetoed = votes.find((v) => v.judge_id === 'constitutional')!.verdict === 'fail';
  const asks = verdicts.some((v) => v.verdict === 'needs-info' && !v.error);
  const outcome = vetoed || score < floor ? 'reject' : asks ? 'needs-info' : score >= threshold ? 'accept' : 'contested';
  return { score, threshold, floor, vetoed, outcome, votes };
}

/** The final decision once debate is over: a council still contested, or still asking, wants changes. */
export function decide(t: Tally): Decision {
  return t.outcome === 'contested' || t.outcome === 'needs-info' ? 'modify' : t.outcome;
}

/** Judges who disagree with the decision: anyone not passing an accepted subject, anyone passing a refused one. */
export function dissentOf(decision: Decision, verdicts: readonly JudgeVerdict[]): FinalVerdict['dissent'] {
  return verdicts
    .filter((v) => (decision === 'accept' ? v.verdict !== 'pass' && v.verdict !== 'conditional' : v.verdict === 'pass'))
    .map((v) => ({ judge_id: v.judge_id, verdict: v.verdict, reasons: v.reasons }));
}

/** Conditions of the conditional votes, once each, in judge order. */
export function conditionsOf(verdicts: readonly JudgeVerdict[]): string[] {
  const out = new Set<string>();
  for (const v of verdicts) if (v.verdict === 'conditional' && !v.error) for (const c of v.conditions ?? []) if (c.trim()) out.add(c.trim());
  return [...out].slice(0, 10);
}

export function questionsOf(verdicts: readonly JudgeVerdict[]): NonNullable<FinalVerdict['questions']> {
  return verdicts
    .filter((v) => v.verdict === 'needs-info' && !v.error && (v.questions ?? []).some((q) => q.trim()))
    .map((v) => ({ judge_id: v.judge_id, questions: (v.questions ?? []).map((q) => q.trim()).filter(Boolean).slice(0, 5) }));
}

export function violationsOf(verdicts: readonly JudgeVerdict[]): NonNullable<FinalVerdict['violations']> {
  return verdicts.flatMap((v) => (v.violations ?? []).map((x) => ({ ...x, judge_id: v.judge_id })));
}

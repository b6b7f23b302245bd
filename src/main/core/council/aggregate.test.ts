import { describe, expect, it } from 'vitest';
import type { JudgeId, JudgeVerdict, VerdictValue } from '../../../shared/domain/governance';
import type { RiskTier } from '../../../shared/domain/task';
import { decide, dissentOf, tally } from './aggregate';

const v = (judge_id: JudgeId, verdict: VerdictValue, extra: Partial<JudgeVerdict> = {}): JudgeVerdict => ({
  judge_id,
  version: `${judge_id}/1`,
  verdict,
  confidence: 0.8,
  reasons: [`${judge_id} says ${verdict}`],
  evidence: [],
  ...extra,
});
const votes = (c: VerdictValue, t: VerdictValue, q: VerdictValue, i: VerdictValue) => [v('constitutional', c), v('technical', t), v('quality', q), v('integration', i)];

type Row = [name: string, verdicts: JudgeVerdict[], tier: RiskTier, score: number, outcome: 'accept' | 'reject' | 'contested', vetoed: boolean];

const TABLE: Row[] = [
  ['unanimous pass, tier 1', votes('pass', 'pass', 'pass', 'pass'), 1, 1, 'accept', false],
  ['constitutional veto overrides three passes', votes('fail', 'pass', 'pass', 'pass'), 3, 0.6, 'reject', true],
  ['one technical fail still meets tier 1 exactly', votes('pass', 'fail', 'pass', 'pass'), 1, 0.8, 'accept', false],
  ['two fails: tier 1 debates', votes('pass', 'fail', 'fail', 'pass'), 1, 0.6, 'contested', false],
  ['two fails: tier 2 accepts at its threshold', votes('pass', 'fail', 'fail', 'pass'), 2, 0.6, 'accept', false],
  ['two fails: tier 3 accepts', votes('pass', 'fail', 'fail', 'pass'), 3, 0.6, 'accept', false],
  ['three fails fall below the debate floor', votes('pass', 'fail', 'fail', 'fail'), 3, 0.4, 'reject', false],
  ['uncertain constitutional is no veto', votes('uncertain', 'pass', 'pass', 'pass'), 1, 0.8, 'accept', false],
  ['uncertain constitutional and a fail: tier 1 debates', votes('uncertain', 'fail', 'pass', 'pass'), 1, 0.6, 'contested', false],
  ['three uncertain: tier 1 debates', votes('pass', 'uncertain', 'uncertain', 'uncertain'), 1, 0.7, 'contested', false],
  ['three uncertain: tier 2 accepts', votes('pass', 'uncertain', 'uncertain', 'uncertain'), 2, 0.7, 'accept', false],
  ['all uncertain sits on the floor: tier 3 accepts at 0.5', votes('uncertain', 'uncertain', 'uncertain', 'uncertain'), 3, 0.5, 'accept', false],
  ['all uncertain: tier 2 debates', votes('uncertain', 'uncertain', 'uncertain', 'uncertain'), 2, 0.5, 'contested', false],
  ['uncertain constitutional with three fails rejects', votes('uncertain', 'fail', 'fail', 'fail'), 2, 0.2, 'reject', false],
  ['a missing judge counts as a fail', [v('constitutional', 'pass'), v('technical', 'pass'), v('quality', 'pass')], 1, 0.8, 'accept', false],
  ['a missing constitutional judge vetoes', [v('technical', 'pass'), v('quality', 'pass'), v('integration', 'pass')], 3, 0.6, 'reject', true],
  [
    'a timed-out judge counts as a fail, never a pass',
    [v('constitutional', 'pass'), v('technical', 'fail', { confidence: 0, error: 'timed out after 50 ms' }), v('quality', 'fail', { confidence: 0, error: 'model crashed' }), v('integration', 'pass')],
    1,
    0.6,
    'contested',
    false,
  ],
  ['a constitutional timeout vetoes', [v('constitutional', 'fail', { confidence: 0, error: 'timed out' }), ...votes('pass', 'pass', 'pass', 'pass').slice(1)], 3, 0.6, 'reject', true],
];

describe('council aggregation', () => {
  it.each(TABLE)('%s', (_name, verdicts, tier, score, outcome, vetoed) => {
    const t = tally(verdicts, tier);
    expect(t.score).toBeCloseTo(score, 6);
    expect(t.outcome).toBe(outcome);
    expect(t.vetoed).toBe(vetoed);
    expect(t.threshold).toBe({ 1: 0.8, 2: 0.6, 3: 0.5 }[tier]);
    expect(t.votes.map((x) => [x.judge_id, x.weight])).toEqual([
      ['constitutional', 0.4],
      ['technical', 0.2],
      ['quality', 0.2],
      ['integration', 0.2],
    ]);
  });

  it('turns a council still contested after debate into a request for changes', () => {
    expect(decide(tally(votes('pass', 'fail', 'fail', 'pass'), 1))).toBe('modify');
    expect(decide(tally(votes('pass', 'pass', 'pass', 'pass'), 1))).toBe('accept');
    expect(decide(tally(votes('fail', 'pass', 'pass', 'pass'), 1))).toBe('reject');
  });

  it('records as dissent whoever disagrees with the decision', () => {
    const vs = votes('pass', 'fail', 'uncertain', 'pass');
    expect(dissentOf('accept', vs).map((d) => d.judge_id)).toEqual(['technical', 'quality']);
    expect(dissentOf('reject', vs).map((d) => d.judge_id)).toEqual(['constitutional', 'integration']);
    expect(dissentOf('accept', vs)[0]!.reasons).toEqual(['technical says fail']);
  });
});

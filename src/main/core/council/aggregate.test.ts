import { describe, expect, it } from 'vitest';
import type { JudgeId, JudgeVerdict, VerdictValue } from '../../../shared/domain/governance';
import type { RiskTier } from '../../../shared/domain/task';
import { conditionsOf, decide, dissentOf, judgeScore, questionsOf, tally } from './aggregate';

const v = (judge_id: JudgeId, verdict: VerdictValue, extra: Partial<JudgeVerdict> = {}): JudgeVerdict => ({
  judge_id,
  version: `${judge_id}/1`,
  verdict,
  // Full confidence: each vote is worth its VOTE_VALUE, so the table reads as plain weights.
  confidence: 1,
  reasons: [`${judge_id} says ${verdict}`],
  evidence: [],
  ...extra,
});
const votes = (c: VerdictValue, t: VerdictValue, q: VerdictValue, i: VerdictValue) => [v('constitutional', c), v('technical', t), v('quality', q), v('integration', i)];

type Row = [name: string, verdicts: JudgeVerdict[], tier: RiskTier, score: number, outcome: 'accept' | 'reject' | 'contested' | 'needs-info', vetoed: boolean];

const TABLE: Row[] = [
  ['unanimous pass, tier 1', votes('pass', 'pass', 'pass', 'pass'), 1, 1, 'accept', false],
  ['constitutional veto overrides three passes', votes('fail', 'pass', 'pass', 'pass'), 3, 0.6, 'reject', true],
  ['one technical fail still meets tier 1 exactly', votes('pass', 'fail', 'pass', 'pass'), 1, 0.8, 'accept', false],
  ['two fails: tier 1 debates', votes('pass', 'fail', 'fail', 'pass'), 1, 0.6, 'contested', false],
  ['two fails: tier 2 accepts at its threshold', votes('pass', 'fail', 'fail', 'pass'), 2, 0.6, 'accept', false],
  ['two fails: tier 3 accepts', votes('pass', 'fail', 'fail', 'pass'), 3, 0.6, 'accept', false],
  ['three fails fall below the tier 2 debate floor', votes('pass', 'fail', 'fail', 'fail'), 2, 0.4, 'reject', false],
  ['a close vote at tier 3 is debated, not settled', votes('pass', 'fail', 'fail', 'fail'), 3, 0.4, 'contested', false],
  ['below the tier 3 floor rejects', votes('uncertain', 'fail', 'fail', 'fail'), 3, 0.2, 'reject', false],
  [
    'confidence enters the score: unsure fails weigh less than confident ones',
    [v('constitutional', 'pass'), v('technical', 'fail', { confidence: 0 }), v('quality', 'fail', { confidence: 0 }), v('integration', 'pass')],
    1,
    0.7,
    'contested',
    false,
  ],
  ['conditional passes count three quarters', votes('conditional', 'conditional', 'pass', 'pass'), 1, 0.85, 'accept', false],
  ['a judge asking for information holds the decision', votes('pass', 'needs-info', 'pass', 'pass'), 1, 0.9, 'needs-info', false],
  ['a question does not rescue a rejected vote', votes('fail', 'needs-info', 'pass', 'pass'), 2, 0.5, 'reject', true],
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

  it('scores each judge by verdict and confidence; a judge that did not answer scores 0', () => {
    expect(judgeScore(v('technical', 'pass', { confidence: 1 }))).toBe(1);
    expect(judgeScore(v('technical', 'pass', { confidence: 0 }))).toBe(0.75);
    expect(judgeScore(v('technical', 'fail', { confidence: 0.9 }))).toBeLessThan(judgeScore(v('technical', 'fail', { confidence: 0.2 })));
    expect(judgeScore(v('technical', 'uncertain', { confidence: 0.9 }))).toBe(0.5);
    expect(judgeScore(v('technical', 'pass', { confidence: 1, error: 'timed out' }))).toBe(0);
    expect(judgeScore(undefined)).toBe(0);
  });

  it('collects conditions and questions, and a needs-info council ends as a request for changes', () => {
    const vs = [
      v('constitutional', 'pass'),
      v('technical', 'conditional', { conditions: ['log every rejected email', ' log every rejected email '] }),
      v('quality', 'needs-info', { questions: ['Which field order does the export use?'] }),
      v('integration', 'needs-info', { questions: ['should not count'], error: 'timed out' }),
    ];
    expect(conditionsOf(vs)).toEqual(['log every rejected email']);
    expect(questionsOf(vs)).toEqual([{ judge_id: 'quality', questions: ['Which field order does the export use?'] }]);
    expect(decide(tally(votes('pass', 'needs-info', 'pass', 'pass'), 1))).toBe('modify');
  });

  it('records as dissent whoever disagrees with the decision', () => {
    const vs = votes('pass', 'fail', 'uncertain', 'pass');
    expect(dissentOf('accept', vs).map((d) => d.judge_id)).toEqual(['technical', 'quality']);
    expect(dissentOf('reject', vs).map((d) => d.judge_id)).toEqual(['constitutional', 'integration']);
    expect(dissentOf('accept', vs)[0]!.reasons).toEqual(['technical says fail']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JUDGE_IDS, JudgeVerdict, FinalVerdict, type JudgeVerdict as JudgeVerdictT } from '../../../shared/domain/governance';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { DEFAULT_POLICY } from '../../../shared/domain/governance';
import { serializeSpec } from '../caws/yaml';
import { serviceFixture, type ServiceFixture } from '../models/testing/service-fixture';
import { silentLogger } from '../observability/logger';
import { decide, dissentOf, judgeScore, tally } from './aggregate';
import { Council } from './council';
import { ModelReview, MODEL_REVIEW_SCHEMA } from './judge-runner';
import { createLimiter } from './limiter';

/**
 * The council on the real inference path: node-llama-cpp (1 thread, CPU) running the project's tiny
 * random-weight test model through the model service. The model's words are noise, but its output
 * is grammar-constrained, so every judge must come back with a schema-valid verdict — not an error —
 * and the council's decision must be the one its recorded votes make under aggregate's tally.
 */
const spec: WorkingSpec = {
  id: 'FIX-0001',
  title: 'Clamp the input',
  risk_tier: 3,
  mode: 'fix',
  lifecycle_state: 'active',
  blast_radius: { modules: ['math'], data_migration: false },
  scope: { in: ['src/'] },
  invariants: ['add still adds'],
  acceptance: [{ id: 'A1', given: 'n above hi', when: 'clamp runs', then: 'it returns hi' }],
  non_functional: {},
  contracts: [],
};

let fx: ServiceFixture;
let modelName: string;

beforeAll(async () => {
  fx = await serviceFixture();
  modelName = (await fx.service.addByPath({ path: fx.modelCopy('tiny') })).name;
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

describe('council on node-llama-cpp with the test model', () => {
  it('constrains a model review to the verdict schema', async () => {
    const { value, generation } = await fx.service.client('judge.quality').generateJson([{ role: 'user', content: 'Review: clamp the input.' }], MODEL_REVIEW_SCHEMA, { maxTokens: 600 });
    expect(ModelReview.safeParse(value).success).toBe(true);
    expect(generation.model).toBe(modelName);
  });

  it('records a schema-valid vote from each of the four judges and decides as their tally says', async () => {
    const votes: JudgeVerdictT[] = [];
    const council = new Council({ gateway: fx.service, logger: silentLogger(), limiter: createLimiter(1), judgeTimeoutMs: 60_000, judgeMaxTokens: 600 });
    const { verdict, rounds } = await council.review(
      {
        kind: 'plan',
        taskId: 'tsk_llamatest00',
        description: 'Clamp the input',
        riskTier: 3,
        mode: 'dry-run',
        spec,
        specYaml: serializeSpec(spec),
        budget: DEFAULT_POLICY.budgets[3],
        waivers: [],
      },
      { onVote: (v) => votes.push(v) },
    );
    // Every vote is recorded as it arrives, four per round (the first round plus each debate).
    expect(FinalVerdict.safeParse(verdict).success).toBe(true);
    expect(verdict.debateRounds).toBeGreaterThanOrEqual(0);
    expect(verdict.debateRounds).toBeLessThanOrEqual(2);
    expect(rounds).toHaveLength(4 * (1 + verdict.debateRounds));
    expect(votes).toHaveLength(rounds.length);
    expect(new Set(votes)).toEqual(new Set(rounds));
    for (const v of rounds) {
      expect(JudgeVerdict.safeParse(v).success).toBe(true);
      // The model answered: no fail-closed error, and the model is named on the vote.
      expect(v.error, `${v.judge_id}: ${v.error}`).toBeUndefined();
      expect(v.model).toBe(modelName);
      expect(v.reasons.length).toBeGreaterThan(0);
      expect(v.score).toBe(judgeScore(v));
    }
    // The final round: one vote from each judge, the ones the verdict carries.
    const final = rounds.slice(-4);
    expect(final.map((v) => v.judge_id).sort()).toEqual([...JUDGE_IDS].sort());
    expect(verdict.judges).toEqual(final);

    // The decision is the one the votes make: recomputed with the council's own tally.
    const t = tally(final, 3);
    expect(verdict.votes).toEqual(t.votes);
    expect(verdict.votes.map((v) => v.judge_id)).toEqual(['constitutional', 'technical', 'quality', 'integration']);
    expect(verdict.score).toBe(t.score);
    expect(verdict.threshold).toBe(t.threshold);
    expect(verdict.vetoed).toBe(t.vetoed);
    expect(verdict.decision).toBe(decide(t));
    expect(verdict.dissent).toEqual(dissentOf(verdict.decision, final));
    expect(verdict.escalated).toBe(false);
    // A debate was held only while the council was split, and stopped once it was not (or at two).
    for (let r = 0; r < verdict.debateRounds; r++) expect(tally(rounds.slice(4 * r, 4 * r + 4), 3).outcome, `round ${r + 1}`).toBe('contested');
    if (verdict.debateRounds < 2) expect(t.outcome).not.toBe('contested');
    // Every model call went through the scheduler's admission at council priority.
    expect(fx.admission.requests.filter((r) => r.priority === 'council').length).toBeGreaterThanOrEqual(4);
    expect(fx.admission.held).toBe(0);
  }, 120_000);
});

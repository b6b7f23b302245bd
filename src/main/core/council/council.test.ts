import { describe, expect, it } from 'vitest';
import { ScriptedModel } from '../../../../test/fake-model';
import { DEFAULT_POLICY, type JudgeId, type JudgeVerdict } from '../../../shared/domain/governance';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { serializeSpec } from '../caws/yaml';
import type { ChatMessage, GenerateOptions, ModelGateway, ModelRole } from '../models/types';
import { silentLogger } from '../observability/logger';
import { Council } from './council';
import { reviewWithCalibration } from '../calibration/apply';
import { defaultParams } from '../calibration/fit';
import { createLimiter } from './limiter';
import type { ReviewSubject } from './types';

const spec: WorkingSpec = {
  id: 'FEAT-0042',
  title: 'Add input validation to the signup form',
  risk_tier: 1,
  mode: 'feature',
  lifecycle_state: 'active',
  blast_radius: { modules: ['signup'], data_migration: false },
  scope: { in: ['src/'], support: ['test/'] },
  invariants: ['Existing accounts can still sign in'],
  acceptance: [{ id: 'A1', given: 'an empty email', when: 'the form is submitted', then: 'an error names the email field', test_command: 'npm test' }],
  non_functional: { security: ['validate on the server'] },
  contracts: [{ name: 'signup-behaviour', type: 'behavior' }],
  operational_rollback_slo: '5m',
  rollback: ['revert the commit'],
  observability: ['log signup.rejected'],
};

const subject = (over: Partial<ReviewSubject> = {}): ReviewSubject => ({
  kind: 'change',
  taskId: 'tsk_council0000',
  description: 'Add input validation to the signup form',
  riskTier: 1,
  mode: 'dry-run',
  spec,
  specYaml: serializeSpec(spec),
  budget: DEFAULT_POLICY.budgets[1],
  waivers: [],
  change: { changedFiles: [{ path: 'src/signup.ts', linesAdded: 10, linesRemoved: 2 }, { path: 'test/signup.test.ts', linesAdded: 20, linesRemoved: 0 }], diff: '+++ b/src/signup.ts\n+if (!email) throw new Error("email is required");\n' },
  gateResults: [
    { gate: 'scope', status: 'pass', mode: 'block', score: 1, details: 'all in scope', durationMs: 1 },
    { gate: 'budget', status: 'pass', mode: 'block', score: 1, details: 'within budget', durationMs: 1 },
    { gate: 'tests', status: 'pass', mode: 'block', score: 1, details: 'npm test passed (4 passed, 0 failed)', durationMs: 10 },
  ],
  ...over,
});

// Full confidence unless a test says otherwise, so scores read as plain weights.
const review = (verdict: 'pass' | 'fail' | 'uncertain', reason = `looks ${verdict}`, confidence = 1) => ({ verdict, confidence, reasons: [reason], evidence: [] });
type Answer = unknown | ((call: { messages: ChatMessage[]; options?: GenerateOptions }) => unknown);

/** One scripted model per judge role, so each judge's answers (and prompts) can be followed. */
function gatewayWith(answers: Record<JudgeId, Answer[]>) {
  const models = Object.fromEntries(Object.entries(answers).map(([id, a]) => [id, new ScriptedModel([...a], `model-${id}`)])) as Record<JudgeId, ScriptedModel>;
  const gateway: ModelGateway = { client: (role: ModelRole) => models[role.replace('judge.', '') as JudgeId] };
  return { gateway, models };
}

const allPass = () => ({ constitutional: [review('pass')], technical: [review('pass')], quality: [review('pass')], integration: [review('pass')] });

describe('council', () => {
  it('accepts a clean change in one round and reports each vote as it arrives', async () => {
    const { gateway, models } = gatewayWith(allPass());
    const votes: JudgeVerdict[] = [];
    const { verdict, rounds } = await new Council({ gateway, logger: silentLogger() }).review(subject(), { onVote: (v) => votes.push(v) });
    expect(verdict).toMatchObject({ decision: 'accept', score: 1, threshold: 0.8, debateRounds: 0, vetoed: false, escalated: false, dissent: [] });
    expect(votes.map((v) => v.judge_id).sort()).toEqual(['constitutional', 'integration', 'quality', 'technical']);
    expect(rounds).toHaveLength(4);
    expect(verdict.judges.find((j) => j.judge_id === 'technical')).toMatchObject({ model: 'model-technical', version: 'technical/1', round: 1 });
    expect(verdict.constitutional_refs).toEqual(expect.arrayContaining(['CAWS-SPEC-VALID', 'CAWS-SCOPE-BOUNDARY', 'CAWS-BUDGET']));
    // Each judge was asked through its own role and saw the gates.
    expect(models.quality.calls[0]!.messages[1]!.content).toMatch(/tests: pass/);
  });

  it('gives every judge of a review the same words up to its role, so the material is evaluated once', async () => {
    const pass = () => review('pass');
    const { gateway, models } = gatewayWith({ constitutional: [pass()], technical: [pass()], quality: [pass()], integration: [pass()] });
    await new Council({ gateway, logger: silentLogger() }).review(subject());
    const prompts = Object.values(models).map((m) => m.calls[0]!.messages.map((x) => `${x.role}:${x.content}`).join('\n'));
    let shared = prompts[0]!;
    for (const p of prompts) while (!p.startsWith(shared)) shared = shared.slice(0, -1);
    // Task, spec, diff and gates come before anything judge-specific…
    for (const text of ['Add input validation to the signup form', 'FEAT-0042', 'email is required', 'npm test passed']) expect(shared).toContain(text);
    // …and each prompt differs from the others only from its role on.
    for (const p of prompts) expect(p.slice(shared.length)).toMatch(/^[a-z]+ judge\. You judge/);
  });

  it('debates while contested, showing each judge the others\' reasons, and settles', async () => {
    const { gateway, models } = gatewayWith({
      constitutional: [review('pass'), review('pass')],
      technical: [review('fail', 'the error message is not localised'), review('pass', 'convinced by integration')],
      quality: [review('fail', 'A1 wording unclear'), review('fail', 'A1 wording still unclear')],
      integration: [review('pass', 'no contract touched'), review('pass')],
    });
    const { verdict, rounds } = await new Council({ gateway, logger: silentLogger() }).review(subject());
    expect(verdict).toMatchObject({ decision: 'accept', debateRounds: 1, score: 0.8 });
    expect(rounds.map((r) => r.round)).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    const debatePrompt = models.technical.calls[1]!.messages[1]!.content;
    expect(debatePrompt).toMatch(/Debate: the other judges voted/);
    expect(debatePrompt).toMatch(/quality: fail — A1 wording unclear/);
    expect(debatePrompt).toMatch(/integration: pass — no contract touched/);
    expect(debatePrompt).not.toMatch(/technical: fail/);
    expect(verdict.dissent).toEqual([{ judge_id: 'quality', verdict: 'fail', reasons: ['A1 wording still unclear'] }]);
  });

  it('stops after two debate rounds; a split council asks for changes, and in auto mode escalates', async () => {
    const split = () => ({
      constitutional: [review('pass'), review('pass'), review('pass')],
      technical: [review('fail', 'missing error handling'), review('fail'), review('fail', 'still missing error handling')],
      quality: [review('fail'), review('fail'), review('fail', 'A1 not met')],
      integration: [review('pass'), review('pass'), review('pass')],
    });
    const dry = await new Council({ gateway: gatewayWith(split()).gateway, logger: silentLogger() }).review(subject());
    expect(dry.verdict).toMatchObject({ decision: 'modify', debateRounds: 2, escalated: false, score: 0.6 });
    expect(dry.rounds).toHaveLength(12);
    expect(dry.verdict.remediation).toEqual(expect.arrayContaining(['technical: still missing error handling', 'quality: A1 not met']));
    const auto = await new Council({ gateway: gatewayWith(split()).gateway, logger: silentLogger() }).review(subject({ mode: 'auto' }));
    expect(auto.verdict).toMatchObject({ decision: 'modify', escalated: true });
  });

  it('fails closed: a judge that times out, errors or answers out of schema votes fail', async () => {
    const hang = ({ options }: { options?: GenerateOptions }) =>
      new Promise((_, reject) => options?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const { gateway } = gatewayWith({
      constitutional: [review('pass')],
      technical: [hang],
      quality: [new Error('context overflow')],
      integration: [{ verdict: 'pass', confidence: 0.55, reasons: ['ok'], evidence: [] }],
    });
    const { verdict } = await new Council({ gateway, logger: silentLogger(), judgeTimeoutMs: 50 }).review(subject({ riskTier: 2 }));
    const by = Object.fromEntries(verdict.judges.map((j) => [j.judge_id, j]));
    expect(by['technical']).toMatchObject({ verdict: 'fail', confidence: 0, error: 'timed out after 50 ms' });
    expect(by['quality']).toMatchObject({ verdict: 'fail', confidence: 0 });
    expect(by['quality']!.error).toMatch(/context overflow/);
    expect(by['integration']).toMatchObject({ verdict: 'fail', confidence: 0 });
    expect(by['integration']!.error).toMatch(/did not match the verdict schema/);
    // Only the constitutional pass counts: 0.4 is below the debate floor.
    expect(verdict).toMatchObject({ decision: 'reject', score: 0.4 });
  });

  it('weighs confidence: unsure fails cost the score less than confident ones', async () => {
    const run = async (confidence: number) => {
      const { gateway } = gatewayWith({
        constitutional: [review('pass'), review('pass'), review('pass')],
        technical: [review('fail', 'not sure about the error path', confidence), review('fail', 'still', confidence), review('fail', 'still', confidence)],
        quality: [review('fail', 'A1 wording', confidence), review('fail', 'still', confidence), review('fail', 'still', confidence)],
        integration: [review('pass'), review('pass'), review('pass')],
      });
      return (await new Council({ gateway, logger: silentLogger() }).review(subject({ riskTier: 1 }))).verdict;
    };
    const unsure = await run(0);
    const confident = await run(1);
    expect(unsure.score).toBeCloseTo(0.7, 6);
    expect(confident.score).toBeCloseTo(0.6, 6);
    expect(unsure.judges.find((j) => j.judge_id === 'technical')!.score).toBe(0.25);
    expect(confident.judges.find((j) => j.judge_id === 'technical')!.score).toBe(0);
  });

  it('carries conditions, questions and rule violations (with whether a waiver may cover them) into the verdict', async () => {
    const conditional = { verdict: 'conditional', confidence: 0.9, reasons: ['fine if logged'], evidence: [], conditions: ['every rejected email is logged'], questions: [] };
    const { gateway } = gatewayWith({ constitutional: [review('pass')], technical: [conditional], quality: [review('pass')], integration: [review('pass')] });
    const { verdict } = await new Council({ gateway, logger: silentLogger() }).review(subject());
    expect(verdict).toMatchObject({ decision: 'accept', conditions: ['every rejected email is logged'], questions: [] });
    expect(verdict.judges.find((j) => j.judge_id === 'technical')).toMatchObject({ verdict: 'conditional', conditions: ['every rejected email is logged'] });

    const asking = { verdict: 'needs-info', confidence: 0.6, reasons: ['cannot tell'], evidence: [], questions: ['Is the email checked on the server too?'] };
    const ask = await new Council({ gateway: gatewayWith({ constitutional: [review('pass')], technical: [asking], quality: [review('pass')], integration: [review('pass')] }).gateway, logger: silentLogger() }).review(subject());
    expect(ask.verdict).toMatchObject({ decision: 'modify', debateRounds: 0, questions: [{ judge_id: 'technical', questions: ['Is the email checked on the server too?'] }] });

    const outOfScope = subject({ change: { changedFiles: [{ path: '.github/workflows/ci.yml', linesAdded: 3, linesRemoved: 0 }] } });
    const vetoed = await new Council({ gateway: gatewayWith(allPass()).gateway, logger: silentLogger() }).review(outOfScope);
    expect(vetoed.verdict.violations).toEqual(expect.arrayContaining([expect.objectContaining({ judge_id: 'constitutional', rule: 'CAWS-SCOPE-BOUNDARY', waivable: true, gate: 'scope' })]));
    const emptyConditional = { ...conditional, conditions: [] };
    const downgraded = await new Council({ gateway: gatewayWith({ constitutional: [review('pass')], technical: [emptyConditional, emptyConditional, emptyConditional], quality: [review('pass')], integration: [review('pass')] }).gateway, logger: silentLogger() }).review(subject({ riskTier: 3 }));
    expect(downgraded.verdict.judges.find((j) => j.judge_id === 'technical')!.verdict).toBe('uncertain');
  });

  it('lets deterministic checks veto whatever the models say, citing the CAWS rule', async () => {
    const { gateway } = gatewayWith(allPass());
    const outOfScope = subject({
      change: { changedFiles: [{ path: 'src/signup.ts', linesAdded: 1, linesRemoved: 0 }, { path: '.github/workflows/ci.yml', linesAdded: 3, linesRemoved: 0 }] },
    });
    const { verdict } = await new Council({ gateway, logger: silentLogger() }).review(outOfScope);
    expect(verdict).toMatchObject({ decision: 'reject', vetoed: true });
    expect(verdict.constitutional_refs).toContain('CAWS-SCOPE-BOUNDARY');
    const constitutional = verdict.judges.find((j) => j.judge_id === 'constitutional')!;
    expect(constitutional.verdict).toBe('fail');
    expect(constitutional.reasons[0]).toMatch(/\.github\/workflows\/ci.yml is outside scope.in/);
    expect(verdict.dissent.map((d) => d.judge_id)).toEqual(['technical', 'quality', 'integration']);
  });

  it('fails the technical judge on failing tests and a leaked key, even when its model passes', async () => {
    const { gateway } = gatewayWith(allPass());
    const bad = subject({
      riskTier: 2,
      change: { changedFiles: [{ path: 'src/a.ts', linesAdded: 1, linesRemoved: 0 }], diff: '+const key = "AKIAABCDEFGHIJKLMNOP";\n' },
      gateResults: [{ gate: 'tests', status: 'fail', mode: 'block', score: 0.5, details: 'npm test exited with 1', durationMs: 5 }],
    });
    const { verdict } = await new Council({ gateway, logger: silentLogger() }).review(bad);
    const technical = verdict.judges.find((j) => j.judge_id === 'technical')!;
    expect(technical.verdict).toBe('fail');
    expect(technical.reasons.join('\n')).toMatch(/gate:tests: tests failed/);
    expect(technical.reasons.join('\n')).toMatch(/AWS access key/);
    expect(technical.evidence.map((e) => e.type)).toContain('test');
  });

  it('runs no more judges at once than its limiter allows', async () => {
    for (const limit of [1, 2]) {
      let running = 0;
      let peak = 0;
      const slow = async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
        return review('pass');
      };
      const { gateway } = gatewayWith({ constitutional: [slow], technical: [slow], quality: [slow], integration: [slow] });
      await new Council({ gateway, logger: silentLogger(), limiter: createLimiter(limit) }).review(subject());
      expect(peak).toBe(limit);
    }
  });

  it('stops when the review is aborted, recording no verdict', async () => {
    const hang = ({ options }: { options?: GenerateOptions }) =>
      new Promise((_, reject) => options?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const { gateway } = gatewayWith({ constitutional: [hang], technical: [hang], quality: [hang], integration: [hang] });
    const controller = new AbortController();
    const pending = new Council({ gateway, logger: silentLogger(), limiter: createLimiter(4) }).review(subject(), { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('council with a calibration', () => {
  const calibrationIn = (mode: 'suggest' | 'apply', bias: number) => {
    const notes: Array<{ decision: string; council: string }> = [];
    return {
      notes,
      calibration: {
        review: (input: Omit<Parameters<typeof reviewWithCalibration>[0], 'mode' | 'params'>) => reviewWithCalibration({ ...input, mode, params: { ...defaultParams(), bias } }),
        noted: (_t: string, _s: string, r: { decision: string; council: string }) => void notes.push({ decision: r.decision, council: r.council }),
      },
    };
  };

  it('"apply" decides a numerical outcome the calibrated way; "suggest" only records', async () => {
    // Everyone passes: the council accepts; a calibration that distrusts everything would reject.
    for (const [mode, expected] of [['suggest', 'accept'], ['apply', 'reject']] as const) {
      const { gateway } = gatewayWith(allPass());
      const c = calibrationIn(mode, -50);
      const council = new Council({ gateway, logger: silentLogger(), limiter: createLimiter(4), calibration: c.calibration });
      const { verdict } = await council.review(subject());
      expect(verdict.decision, mode).toBe(expected);
      expect(c.notes).toEqual([{ council: 'accept', decision: expected }]);
    }
  });

  it('never turns a constitutional veto into an accept, whatever the calibration says', async () => {
    const { gateway } = gatewayWith({ ...allPass(), constitutional: [review('fail', 'out of scope')] });
    const c = calibrationIn('apply', 50);
    const council = new Council({ gateway, logger: silentLogger(), limiter: createLimiter(4), calibration: c.calibration });
    const { verdict } = await council.review(subject());
    expect(verdict.vetoed).toBe(true);
    expect(verdict.decision).toBe('reject');
  });
});

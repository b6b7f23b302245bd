import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import { ContractSession } from '../api/session';
import { insertVerdict } from '../db/queries/verdicts';
import { JUDGE_IDS, type JudgeVerdict } from '../../../shared/domain/governance';

/** Through the composition root: outcomes become calibration, visible and switchable over the contract. */
describe('calibration through the core', () => {
  let core: ReturnType<typeof testCore>;
  let session: ContractSession;
  beforeEach(() => {
    core = testCore();
    session = new ContractSession(core, () => undefined, { via: 'window', human: true });
  });
  afterEach(() => {
    session.close();
    core.cleanup();
  });

  const call = async (channel: string, input: unknown) => {
    const r = await session.call(channel, input);
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.value as Record<string, unknown>;
  };

  function councilDecision(taskId: string, verdictId: string, technical: 'pass' | 'fail') {
    const judges: JudgeVerdict[] = JUDGE_IDS.map((id) => ({
      judge_id: id,
      version: '1',
      verdict: id === 'technical' ? technical : 'pass',
      confidence: 0.9,
      reasons: ['a reason that must never leave the machine'],
      evidence: [],
    }));
    insertVerdict(core.db, {
      id: verdictId,
      taskId,
      subject: 'change',
      createdAt: 1,
      weights: { constitutional: 0.4, technical: 0.2, quality: 0.2, integration: 0.2 },
      rounds: judges,
      verdict: {
        decision: 'accept',
        votes: judges.map((j) => ({ judge_id: j.judge_id, weight: 0.25, verdict: j.verdict })),
        dissent: [],
        remediation: [],
        constitutional_refs: [],
        score: 0.8,
        threshold: 0.6,
        riskTier: 2,
        debateRounds: 0,
        vetoed: false,
        escalated: false,
        judges,
      },
    });
  }

  it('records an outcome from a task\'s council decision as votes only, and shows what it was learned from', async () => {
    const task = core.tasks.submit({ description: 'add input validation to signup', repoPath: core.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
    councilDecision(task.id, 'verdict-1', 'fail');
    const o = core.calibration.recordForTask(task.id, false, 'eval_hidden_tests')!;
    expect(o.votes.find((v) => v.judge_id === 'technical')).toEqual({ judge_id: 'technical', verdict: 'fail', confidence: 0.9, errored: false });
    expect(JSON.stringify(o)).not.toContain('must never leave');
    const view = await call('getCalibration', {});
    expect(view).toMatchObject({ mode: 'off', source: 'default', outcomesBySource: { eval_hidden_tests: 1 } });
    expect(view['effect']).toMatchObject({ outcomes: 1, wouldRejectBadAccepts: expect.any(Number) });
  });

  it('a human override and a promoted dry-run become outcomes of the council decision they judge', () => {
    const task = core.tasks.submit({ description: 'rename the signup helper', repoPath: core.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 3 });
    councilDecision(task.id, 'verdict-2', 'pass');
    const actor = { who: 'ana', via: 'window' as const };
    core.journal.append(task.id, { type: 'council.overridden', payload: { actor, gate: 'apply', decision: 'reject', reason: 'breaks the public API' } }, 'o-1');
    expect(core.calibration.outcomes()).toMatchObject([{ verdictId: 'verdict-2', good: false, source: 'human_override' }]);
    core.journal.append(task.id, { type: 'change.promoted', payload: { actor, patchSha256: 'a'.repeat(64), commit: null, branch: null, files: [] } }, 'o-2');
    expect(core.calibration.outcomes()).toMatchObject([{ verdictId: 'verdict-2', good: true, source: 'promoted_dry_run' }]);
  });

  it('switches mode and refits, journaling who did it, and refuses a bad mode naming the field', async () => {
    expect(await call('setCalibrationMode', { mode: 'suggest', actor: 'ana' })).toMatchObject({ mode: 'suggest' });
    const fitted = await call('fitCalibration', { actor: 'ana' });
    expect(fitted).toMatchObject({ mode: 'suggest', source: 'local' });
    expect((fitted['log'] as Array<{ kind: string; detail: { actor?: string } }>).map((e) => [e.kind, e.detail.actor])).toEqual([
      ['calibration.fitted', 'ana'],
      ['calibration.mode', 'ana'],
    ]);
    const bad = await session.call('setCalibrationMode', { mode: 'always', actor: 'ana' });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.message).toMatch(/mode/);
  });
});

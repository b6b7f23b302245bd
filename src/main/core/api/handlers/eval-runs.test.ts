import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../../../test/helpers';
import { finishEvalRun, insertEvalResult, insertEvalRun } from '../../db/queries/eval';
import { totalsOf } from '../../eval/results';
import type { EvalRunView, EvalTaskResult } from '../../../../shared/domain/eval';
import type { Result } from '../../../../shared/errors';
import { ContractSession } from '../session';

let core: ReturnType<typeof testCore>;
afterEach(() => core?.cleanup());

const result = (evalTask: string, resolved: boolean, council: EvalTaskResult['council']): EvalTaskResult => ({
  evalTask,
  attempt: 1,
  taskId: null,
  language: 'python',
  kind: 'bug-fix',
  resolved,
  council,
  councilOutcome: council === 'none' ? 'none' : council === 'accept' ? (resolved ? 'true_accept' : 'false_accept') : resolved ? 'false_reject' : 'true_reject',
  planDecision: 'accept',
  finalState: 'completed',
  iterations: 2,
  modelCalls: 9,
  modelErrors: 0,
  promptTokens: 1200,
  completionTokens: 300,
  wallMs: 42_000,
  stopReason: 'satisficed',
  patchBytes: 120,
  gradeReason: resolved ? null : 'hidden_test exited 1',
  gradeOutput: '',
});

describe('eval runs over the contract (the Metrics page reads them)', () => {
  it('lists stored runs newest first with models and totals, and names a bad limit', async () => {
    core = testCore({ scheduler: { autoStart: false } });
    const s = new ContractSession(core, () => undefined);
    for (const [id, at, model, results] of [
      ['eval_a', 1_000, 'small', [result('a', false, 'accept'), result('b', false, 'none')]],
      ['eval_b', 2_000, 'large', [result('a', true, 'accept'), result('b', true, 'reject')]],
    ] as const) {
      insertEvalRun(core.db, { id, suite: 'suite-basic', suitePath: '/s', mode: 'dry-run', models: { worker: model, planner: model }, startedAt: at });
      for (const r of results) insertEvalResult(core.db, id, r);
      finishEvalRun(core.db, id, totalsOf(results), at + 500);
    }
    const listed = (await s.call('listEvalRuns', {})) as Result<EvalRunView[]>;
    expect(listed.ok).toBe(true);
    if (!listed.ok) return;
    expect(listed.value.map((r) => [r.id, r.models['worker'], r.resolved, r.tasks])).toEqual([
      ['eval_b', 'large', 2, 2],
      ['eval_a', 'small', 0, 2],
    ]);
    expect(listed.value[0]!.totals).toMatchObject({ resolvedRate: 1, council: { trueAccept: 1, falseReject: 1, precision: 1, recall: 0.5 }, tokensPerResolved: 1500 });
    expect(listed.value[1]!.totals).toMatchObject({ resolvedRate: 0, council: { falseAccept: 1, unreviewed: 1, precision: 0, recall: null }, tokensPerResolved: null });
    expect(await s.call('listEvalRuns', { limit: 0 })).toMatchObject({ ok: false, error: { code: 'invalid_input', issues: [{ path: 'limit' }] } });
  });
});

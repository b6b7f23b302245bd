import { extractClaims } from '../claims/extract';
import type { VerifiedClaim } from '../claims/types';
import { verifyClaims } from '../claims/verify';
import type { GateResult } from '../gates/types';
import type { CriterionRunner } from './criterion-runner';
import { throwIfCancelled, type LoopOptions } from './loop-types';
import { evaluate, withClaims, type CriterionResult, type Evaluation } from './scoring';

export type EvaluateSettings = {
  mandatory: readonly string[];
  runCriterion: CriterionRunner;
  criterionTimeoutMs: number;
  satisficeScore: number;
};

/**
 * Evaluates the workspace as it is: the gates, then each acceptance criterion (its test command, or
 * the worker's claim backed by a real change that passes the gates), scored. A gate runner that
 * fails counts as a failed blocking gate.
 */
export async function evaluateWorkspace(o: LoopOptions, e: EvaluateSettings, claims: readonly string[], reason?: string): Promise<Evaluation> {
  throwIfCancelled(o.signal);
  const changes = await o.workspace.changes();
  let gates: GateResult[];
  try {
    gates = await o.gates.run({
      taskId: o.taskId,
      workspaceDir: o.workspace.dir,
      riskTier: o.riskTier,
      changedFiles: changes.map((c) => ({ path: c.path, linesAdded: c.linesAdded, linesRemoved: c.linesRemoved })),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  } catch (e) {
    throwIfCancelled(o.signal);
    // A gate runner that fails counts as a failed blocking gate: never as a pass.
    gates = [{ gate: 'gate-runner', status: 'fail', mode: 'block', score: 0, details: `the gates could not run: ${e instanceof Error ? e.message : String(e)}`, durationMs: 0 }];
  }
  throwIfCancelled(o.signal);
  const blockingFailed = gates.some((g) => g.status === 'fail' && g.mode === 'block');
  const testsRan = gates.some((g) => g.gate === 'tests' && g.status === 'pass');
  const criteria: CriterionResult[] = [];
  const criterionTests = new Map<string, { passed: boolean; output: string }>();
  const deferred: string[] = [];
  for (const c of o.spec.acceptance) {
    throwIfCancelled(o.signal);
    if (c.test) {
      try {
        const run = await e.runCriterion(c.test, { cwd: o.workspace.dir, timeoutMs: e.criterionTimeoutMs, taskId: o.taskId, ...(o.signal ? { signal: o.signal } : {}) });
        criterionTests.set(c.id, { passed: run.passed, output: run.output });
        criteria.push({ id: c.id, met: run.passed, evidence: `${run.passed ? 'passed' : 'failed'}: ${c.test}\n${run.output}`.trim() });
      } catch (e) {
        throwIfCancelled(o.signal);
        const output = `could not run ${c.test}: ${e instanceof Error ? e.message : String(e)}`;
        criterionTests.set(c.id, { passed: false, output });
        criteria.push({ id: c.id, met: false, evidence: output });
      }
    } else {
      // No command of its own checks it: the worker's claim is never enough alone. It counts only for
      // a real change that passes the gates, with the project's tests among them actually run and passed.
      const claimed = claims.includes(c.id);
      const met = claimed && changes.length > 0 && !blockingFailed && testsRan;
      const evidence = !claimed
        ? 'not yet claimed by the worker'
        : changes.length === 0
          ? 'claimed, but nothing has changed'
          : blockingFailed
            ? 'claimed, but a blocking gate fails'
            : !testsRan
              ? 'claimed, but no test checks it: neither the criterion nor the project has a test that ran and passed'
              : "claimed by the worker; the gates pass, the project's tests among them";
      criteria.push({ id: c.id, met, evidence });
      deferred.push(c.id);
    }
  }
  const base = evaluate({ gates, criteria, mandatoryGates: e.mandatory, satisficeScore: e.satisficeScore });
  if (reason === undefined) return base;
  const verified = await verifyClaims(
    extractClaims({ text: reason, criteriaMet: claims, criterionIds: o.spec.acceptance.map((c) => c.id), source: 'worker' }),
    {
      changes,
      readFile: async (p) => (await o.workspace.readFile(p))?.data.toString('utf8') ?? null,
      readBytes: async (p) => (await o.workspace.readFile(p))?.data ?? null,
      gates,
      criterionTests,
      criterionIds: o.spec.acceptance.map((c) => c.id),
      ...(o.knowledge ? { knowledge: o.knowledge } : {}),
    },
  );
  return withClaims(rescore(base, verified, deferred, e), verified);
}

/**
 * A criterion without a test of its own is met only while none of the worker's claims is refuted:
 * a worker whose account of its change is false does not get its word taken for the rest.
 */
function rescore(base: Evaluation, claims: readonly VerifiedClaim[], deferred: readonly string[], e: EvaluateSettings): Evaluation {
  const refuted = claims.filter((c) => c.status === 'refuted');
  if (refuted.length === 0) return base;
  const criteria = base.criteria.map((c) =>
    deferred.includes(c.id) && c.met ? { ...c, met: false, evidence: `claimed, but the worker's account is refuted: ${refuted.map((r) => r.evidence).join('; ')}` } : c,
  );
  return evaluate({ gates: base.gates, criteria, mandatoryGates: e.mandatory, satisficeScore: e.satisficeScore });
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../shared/domain/governance';
import { AppFailure } from '../../../shared/errors';
import { validateSpec } from '../caws/validate';
import { parseSpecYaml } from '../caws/yaml';
import { serviceFixture, type ServiceFixture } from '../models/testing/service-fixture';
import { silentLogger } from '../observability/logger';
import { Planner, PlanningFailed, type PlanResult } from './planner';

/**
 * The planner on the real inference path (node-llama-cpp, the tiny random-weight test model). The
 * model's content is noise, so the test asserts the contract that must hold for any model: the
 * planner returns a spec that validates, or refuses with a named, typed error carrying the reasons
 * of every attempt — never an invalid spec, never an anonymous failure.
 */
let fx: ServiceFixture;

beforeAll(async () => {
  fx = await serviceFixture();
  await fx.service.addByPath({ path: fx.modelCopy('tiny') });
  writeFileSync(join(fx.dir, 'README.md'), '# Shop\nA small shop.\n');
}, 60_000);

afterAll(async () => {
  await fx?.close();
});

const MAX_ATTEMPTS = 3;

type Outcome = { kind: 'spec'; result: PlanResult } | { kind: 'refused'; error: unknown };

describe('planner on node-llama-cpp with the test model', () => {
  it('returns a spec that validates, or refuses by name with the reasons of every attempt', async () => {
    const planner = new Planner({
      client: fx.service.client('planner'),
      logger: silentLogger(),
      maxAttempts: MAX_ATTEMPTS,
      maxTokens: 900,
      contextLimits: { treeEntries: 10, relevant: 1, excerptChars: 200, readmeChars: 200 },
    });
    const outcome: Outcome = await planner
      .plan({ taskId: 'tsk_llamaplan00', description: 'Add input validation', repoPath: fx.dir, riskTier: 3, budget: DEFAULT_POLICY.budgets[3] })
      .then((result) => ({ kind: 'spec' as const, result }), (error: unknown) => ({ kind: 'refused' as const, error }));

    if (outcome.kind === 'spec') {
      // A spec: it validates as stored (YAML) and as returned, at the tier asked for, and the
      // attempt that produced it is the last one and had nothing wrong with it.
      const { result } = outcome;
      const fromYaml = parseSpecYaml(result.yaml);
      expect(fromYaml.ok, JSON.stringify(fromYaml)).toBe(true);
      expect(validateSpec(result.spec).ok).toBe(true);
      expect(result.spec.risk_tier).toBe(3);
      expect(result.context.ranking).toBe('embedding');
      expect(result.attempts.length).toBeGreaterThanOrEqual(1);
      expect(result.attempts.length).toBeLessThanOrEqual(MAX_ATTEMPTS);
      expect(result.attempts.at(-1)!.problems).toEqual([]);
      for (const a of result.attempts.slice(0, -1)) expect(a.problems.length).toBeGreaterThan(0);
    } else {
      // A refusal: typed, after every attempt, each with the reasons it failed, named in the message.
      const { error } = outcome;
      if (error instanceof PlanningFailed) {
        expect(error.name).toBe('PlanningFailed');
        expect(error.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
        for (const a of error.attempts) expect(a.problems.length, `attempt ${a.attempt}`).toBeGreaterThan(0);
        expect(error.message).toContain(`in ${MAX_ATTEMPTS} attempt(s)`);
        expect(error.message).toContain(error.attempts.at(-1)!.problems[0]!);
        expect(error.issues?.length).toBeGreaterThan(0);
      } else {
        // Every attempt's model call failed (output cut off before the JSON closed): the model's own
        // error, naming the model and why, not a generic one.
        expect(error).toBeInstanceOf(AppFailure);
        const failure = error as AppFailure;
        expect(failure.code).toBe('unavailable');
        expect(failure.message).toMatch(/returned output that is not valid JSON for the schema|failed: /);
      }
    }
    // Either way the model was really asked, through the scheduler's admission.
    expect(fx.admission.requests.some((r) => r.label.startsWith('planner'))).toBe(true);
  }, 180_000);
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../shared/domain/governance';
import { AppFailure } from '../../../shared/errors';
import { parseSpecYaml } from '../caws/yaml';
import { serviceFixture, type ServiceFixture } from '../models/testing/service-fixture';
import { silentLogger } from '../observability/logger';
import { Planner, PlanningFailed } from './planner';

/**
 * The planner on the real inference path (node-llama-cpp, the tiny random-weight test model). The
 * model's content is noise, so the test asserts the contract that must hold for any model: the
 * planner returns a spec that validates, or fails with a typed error — never an invalid spec.
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

describe('planner on node-llama-cpp with the test model', () => {
  it('returns only a spec that validates, built from a grammar-constrained draft', async () => {
    const planner = new Planner({
      client: fx.service.client('planner'),
      logger: silentLogger(),
      maxTokens: 900,
      contextLimits: { treeEntries: 10, relevant: 1, excerptChars: 200, readmeChars: 200 },
    });
    try {
      const result = await planner.plan({ taskId: 'tsk_llamaplan00', description: 'Add input validation', repoPath: fx.dir, riskTier: 3, budget: DEFAULT_POLICY.budgets[3] });
      const again = parseSpecYaml(result.yaml);
      expect(again.ok).toBe(true);
      expect(result.spec.risk_tier).toBe(3);
      expect(result.context.ranking).toBe('embedding');
    } catch (e) {
      // A noisy model may exhaust its attempts; that must surface as a clear, typed failure.
      expect(e instanceof PlanningFailed || (e instanceof AppFailure && e.code === 'unavailable')).toBe(true);
    }
    expect(fx.admission.requests.some((r) => r.label.startsWith('planner'))).toBe(true);
  }, 120_000);
});

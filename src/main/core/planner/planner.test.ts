import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedModel } from '../../../../test/fake-model';
import { tempDir } from '../../../../test/helpers';
import { DEFAULT_POLICY } from '../../../shared/domain/governance';
import { parseSpecYaml } from '../caws/yaml';
import { silentLogger } from '../observability/logger';
import { planDraftJsonSchema } from './draft-schema';
import { Planner, PlanningFailed } from './planner';

const draft = (over: Record<string, unknown> = {}) => ({
  id: 'FEAT-0042',
  title: 'Validate the signup form',
  mode: 'feature',
  blast_radius: { modules: ['signup'], data_migration: false },
  scope: { in: ['src/signup.js'], out: [], support: ['test/'] },
  invariants: ['Existing accounts can still sign in'],
  acceptance: [{ id: 'A1', given: 'an empty email', when: 'the form is submitted', then: 'an error is shown', test_command: 'npm test' }],
  non_functional: { security: ['validate on the server'], reliability: [], accessibility: [] },
  contracts: [{ name: 'signup-form', type: 'behavior', path: '' }],
  ...over,
});

describe('planner', () => {
  let repo: ReturnType<typeof tempDir>;
  beforeEach(() => {
    repo = tempDir('aa-plan-');
    const w = (p: string, t: string) => {
      mkdirSync(join(repo.dir, p, '..'), { recursive: true });
      writeFileSync(join(repo.dir, p), t);
    };
    w('README.md', '# Shop\nA tiny shop with a signup form and a cart.\n');
    // The repository's own test runner, which the plan's test commands must use.
    w('package.json', JSON.stringify({ name: 'shop', type: 'module', scripts: { test: 'node --test' } }));
    w('src/signup.js', 'export function signup(email, password) { /* signup form email password validation */ }\n');
    w('src/cart.js', 'export function addToCart(item) { /* cart items totals */ }\n');
    w('src/util/math.js', 'export const add = (a, b) => a + b;\n');
    w('node_modules/dep/index.js', 'ignored');
  });
  afterEach(() => repo.cleanup());

  const input = (over: Partial<Parameters<Planner['plan']>[0]> = {}) => ({
    taskId: 'tsk_abc0000000',
    description: 'Add email validation to the signup form',
    repoPath: repo.dir,
    riskTier: 2 as const,
    budget: DEFAULT_POLICY.budgets[2],
    ...over,
  });

  it('plans a valid spec from the description and the repository context', async () => {
    const model = new ScriptedModel([draft()]);
    const result = await new Planner({ client: model, logger: silentLogger() }).plan(input());
    expect(result.spec).toMatchObject({ id: 'FEAT-0042', risk_tier: 2, lifecycle_state: 'draft', mode: 'feature' });
    expect(result.attempts).toHaveLength(1);
    // The spec the planner returns is the YAML it stores.
    const reparsed = parseSpecYaml(result.yaml);
    expect(reparsed.ok && reparsed.spec).toEqual(result.spec);
    // Context: README, tree without node_modules, and the signup file ranked first by embeddings.
    expect(result.context.readme).toMatch(/tiny shop/);
    expect(result.context.tree).toContain('src/util/math.js');
    expect(result.context.tree.some((p) => p.includes('node_modules'))).toBe(false);
    expect(result.context.ranking).toBe('embedding');
    expect(result.context.relevant[0]!.path).toBe('src/signup.js');
    const prompt = model.calls[0]!.messages.map((m) => m.content).join('\n');
    expect(prompt).toMatch(/Add email validation to the signup form/);
    expect(prompt).toMatch(/at most 100 files and 10000 changed lines/);
    expect(prompt).toMatch(/Relevant file src\/signup.js/);
  });

  it('starts from the repository\'s own CAWS specs and policy: lists them, takes a free id, keeps to the stricter budget', async () => {
    mkdirSync(join(repo.dir, '.caws', 'specs'), { recursive: true });
    const fixture = readFileSync(join(__dirname, '../../../../test/fixtures/caws/valid/tier2-feature.yaml'), 'utf8');
    const existing = fixture.replace(/^title: .*$/m, 'title: Add the cart totals').replace(/^lifecycle_state: .*$/m, 'lifecycle_state: draft').replace(/^ {2}in: .*$/m, '  in: [src/cart.js]');
    writeFileSync(join(repo.dir, '.caws', 'specs', 'FEAT-0042.yaml'), existing);
    writeFileSync(join(repo.dir, '.caws', 'policy.yaml'), 'version: 1\nrisk_tiers:\n  2:\n    max_files: 4\n    max_loc: 120\n');
    const model = new ScriptedModel([draft()]);
    const result = await new Planner({ client: model, logger: silentLogger() }).plan(input());
    // The model reused an id the repository already has: the plan gets the next free one.
    expect(result.spec.id).toBe('FEAT-0043');
    expect(result.attempts[0]!.repairs).toContain('id FEAT-0042 is already a spec of this repository; renamed to FEAT-0043');
    const prompt = model.calls[0]!.messages.map((m) => m.content).join('\n');
    expect(prompt).toMatch(/FEAT-0042 \[draft, tier 2\] Add the cart totals \(scope: src\/cart.js\)/);
    // The repository's policy is stricter than the app's tier-2 budget (100 files, 10000 lines).
    expect(prompt).toMatch(/at most 4 files and 120 changed lines/);
  });

  it('repairs what can be repaired deterministically', async () => {
    const messy = draft({
      id: 'feat 42',
      mode: 'Docs',
      risk_tier: 3,
      change_budget: { max_files: 3 },
      reviewer: 'me',
      scope: { in: ['./src/signup.js', '/docs/'], out: ['src/**/*.snap', 'src/legacy'], support: [''] },
      acceptance: [
        { id: 'AC-1', given: 'an empty form', when: 'submitted', then: 'it is refused', test: '' },
        { id: 'x', given: 'a valid form', when: 'submitted', then: 'it is saved', test_command: ' ' },
      ],
      contracts: [{ name: 'users', type: 'openapi', path: './docs/users.yaml' }],
    });
    const result = await new Planner({ client: new ScriptedModel([messy]), logger: silentLogger() }).plan(input());
    expect(result.spec).toMatchObject({
      id: 'FEAT-42',
      mode: 'doc',
      risk_tier: 2,
      scope: { in: ['src/signup.js', 'docs/'], out: ['src/legacy'] },
      contracts: [{ name: 'users', type: 'api', path: 'docs/users.yaml' }],
    });
    expect(result.spec.acceptance.map((a) => a.id)).toEqual(['A1', 'A2']);
    expect(result.spec.acceptance[0]!.test_command).toBeUndefined();
    expect(result.attempts[0]!.repairs).toEqual(expect.arrayContaining(['removed retired field change_budget', 'removed unknown field reviewer', 'renamed acceptance[].test to test_command', "set risk_tier to the task's tier 2"]));
  });

  it('regenerates with the problems listed when the draft is still invalid', async () => {
    const model = new ScriptedModel([draft({ contracts: [], invariants: [] }), draft()]);
    const result = await new Planner({ client: model, logger: silentLogger() }).plan(input());
    expect(result.attempts.map((a) => a.problems.length > 0)).toEqual([true, false]);
    const retry = model.calls[1]!.messages.at(-1)!.content;
    expect(retry).toMatch(/contracts: must name at least one contract for risk tier 2/);
    expect(retry).toMatch(/invariants: must state at least one invariant/);
  });

  it('rejects and repairs a schema-valid plan that means nothing: a title of }}}}}, scope ]~, a test command ]~', async () => {
    const nonsense = draft({ title: '}}}}}', scope: { in: [']~'] }, acceptance: [{ id: 'A1', given: 'an empty email', when: 'submitted', then: 'an error is shown', test_command: ']~' }] });
    const model = new ScriptedModel([nonsense, draft()]);
    const result = await new Planner({ client: model, logger: silentLogger() }).plan(input());
    expect(result.attempts).toHaveLength(2);
    const problems = result.attempts[0]!.problems.join('\n');
    expect(problems).toMatch(/title: "}}}}}" is not words/);
    expect(problems).toMatch(/scope\.in\[0\]: "]~" (matches no file of the repository|is neither a file of the repository nor a path that can be created in it)/);
    expect(problems).toMatch(/acceptance\[0\]\.test: "]~" is not a command/);
    // The model is told exactly that on its next attempt.
    expect(model.calls[1]!.messages.at(-1)!.content).toMatch(/is not words/);
    expect(result.spec.title).toBe('Validate the signup form');
  });

  it('refuses a test command with a runner the repository does not have, and one that does not run in the probe', async () => {
    const model = new ScriptedModel([
      draft({ acceptance: [{ id: 'A1', given: 'an empty email', when: 'submitted', then: 'an error is shown', test_command: 'cargo test' }] }),
      draft({ acceptance: [{ id: 'A1', given: 'an empty email', when: 'submitted', then: 'an error is shown', test_command: 'node --test test/missing.test.js' }] }),
      draft(),
    ]);
    const probed: string[] = [];
    const planner = new Planner({
      client: model,
      logger: silentLogger(),
      testProbe: async (command) => {
        probed.push(command);
        return command.includes('missing') ? { ran: false, detail: 'Could not find test/missing.test.js' } : { ran: true, detail: 'runs and fails for now (exit 1)' };
      },
    });
    const result = await planner.plan(input());
    expect(result.attempts.map((a) => a.problems.join(' '))).toEqual([
      expect.stringMatching(/acceptance\[0\]\.test: "cargo test" uses no test runner this repository has/),
      expect.stringMatching(/acceptance\[0\]\.test: "node --test test\/missing.test.js" does not run in the repository: Could not find/),
      '',
    ]);
    // Only commands with a runner the repository has reach the sandbox.
    expect(probed).toEqual(['node --test test/missing.test.js', 'npm test']);
  });

  it('never passes an invalid spec on: it fails with a clear error after bounded attempts', async () => {
    const model = new ScriptedModel([draft({ contracts: [] }), 'not an object', new SyntaxError('Unexpected end of JSON input')]);
    const planner = new Planner({ client: model, logger: silentLogger(), maxAttempts: 3 });
    const error = await planner.plan(input()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanningFailed);
    expect((error as PlanningFailed).message).toMatch(/could not produce a valid working spec in 3 attempt\(s\)/);
    expect((error as PlanningFailed).message).toMatch(/not usable JSON/);
    expect((error as PlanningFailed).attempts).toHaveLength(3);
    expect(model.calls).toHaveLength(3);
  });

  it('requires the tier 1 operational fields in the schema it constrains the model to', () => {
    const t1 = planDraftJsonSchema(1) as { properties: Record<string, unknown> };
    const t3 = planDraftJsonSchema(3) as { properties: Record<string, unknown> };
    expect(Object.keys(t1.properties)).toEqual(expect.arrayContaining(['rollback', 'observability', 'operational_rollback_slo']));
    expect(Object.keys(t3.properties)).not.toContain('rollback');
    // Only constructs the grammar builder understands.
    const keys = new Set<string>();
    const visit = (n: unknown) => {
      if (Array.isArray(n)) n.forEach(visit);
      else if (n && typeof n === 'object') for (const [k, v] of Object.entries(n)) {
        keys.add(k);
        if (k === 'properties') Object.values(v as object).forEach(visit);
        else visit(v);
      }
    };
    visit(t1);
    for (const bad of ['anyOf', 'pattern', 'minimum', 'maximum', '$schema', 'format']) expect(keys.has(bad)).toBe(false);
  });

  it('falls back to lexical ranking when the model cannot embed, and stops on abort', async () => {
    const model = new ScriptedModel([draft()]);
    model.embedError = new Error('this model has no embeddings');
    const result = await new Planner({ client: model, logger: silentLogger() }).plan(input());
    expect(result.context.ranking).toBe('lexical');
    expect(result.context.relevant[0]!.path).toBe('src/signup.js');
    const controller = new AbortController();
    controller.abort();
    await expect(new Planner({ client: new ScriptedModel([draft()]), logger: silentLogger() }).plan(input({ signal: controller.signal }))).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('planner and an unreachable model', () => {
  it('hands a model that never answers back to the engine as retryable', async () => {
    const { AppFailure } = await import('../../../shared/errors');
    const repo = tempDir('aa-plan-down-');
    try {
      const down = () => new AppFailure('unavailable', 'the planner model is not loaded');
      const model = new ScriptedModel([down(), down()]);
      const planner = new Planner({ client: model, logger: silentLogger(), maxAttempts: 2 });
      await expect(
        planner.plan({ taskId: 'tsk_abc0000000', description: 'Add validation', repoPath: repo.dir, riskTier: 3, budget: DEFAULT_POLICY.budgets[3] }),
      ).rejects.toMatchObject({ code: 'unavailable', message: 'the planner model is not loaded' });
      expect(model.calls).toHaveLength(2);
    } finally {
      repo.cleanup();
    }
  });
});

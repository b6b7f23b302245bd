import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScriptedModel } from '../../../../test/fake-model';
import { tempDir } from '../../../../test/helpers';
import { DEFAULT_POLICY } from '../../../shared/domain/governance';
import { silentLogger } from '../observability/logger';
import { Planner } from '../planner/planner';
import { formatIssues } from './validate';
import { parse } from 'yaml';
import { parseSpecYaml, serializeSpec } from './yaml';

/**
 * Real CAWS specs from another project, read at run time and never committed here:
 *   CAWS_SPECS_DIR=/path/to/their/.caws/specs npx vitest run src/main/core/caws/real-specs.test.ts
 * Every `*.yaml` in the folder (and its `.caws/working-spec.yaml` when the folder is a repository)
 * must validate; the test is skipped when the variable is unset.
 */
const dir = process.env['CAWS_SPECS_DIR'];

function specFiles(root: string): string[] {
  const candidates = [root, join(root, '.caws', 'specs')].filter((d) => existsSync(d) && statSync(d).isDirectory());
  const files = candidates.flatMap((d) => readdirSync(d).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(d, f)));
  const working = join(root, '.caws', 'working-spec.yaml');
  return [...new Set(existsSync(working) ? [...files, working] : files)].sort();
}

describe.skipIf(!dir)('real CAWS specs from CAWS_SPECS_DIR', () => {
  const files = dir ? specFiles(dir) : [];
  it('finds specs to check', () => expect(files.length).toBeGreaterThan(0));
  it.each(files)('accepts %s', (file) => {
    const result = parseSpecYaml(readFileSync(file, 'utf8'));
    if (!result.ok) throw new Error(`${file}: ${formatIssues(result.issues)}`);
  });
});

/**
 * What the app writes must validate under CAWS's own JSON schema (spec.v1.json from their
 * repository, read at run time): CAWS_SPEC_SCHEMA=/path/to/spec.v1.json.
 */
const schemaPath = process.env['CAWS_SPEC_SCHEMA'];

describe.skipIf(!schemaPath)('specs the app writes, under the CAWS JSON schema from CAWS_SPEC_SCHEMA', () => {
  const fixtures = join(__dirname, '../../../../test/fixtures/caws/valid');
  const written = readdirSync(fixtures)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => {
      const parsed = parseSpecYaml(readFileSync(join(fixtures, f), 'utf8'));
      if (!parsed.ok) throw new Error(`${f}: ${formatIssues(parsed.issues)}`);
      return [f, serializeSpec(parsed.spec)] as const;
    });

  it.each(written)('serialized %s is valid under spec.v1', async (_name, yamlText) => {
    const validate = await casValidator(schemaPath!);
    const ok = validate(parse(yamlText));
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('a plan the planner writes (from a tier 1 answer in the old vocabulary) is valid under spec.v1', async () => {
    const repo = tempDir('aa-caws-plan-');
    try {
      // The plan must mean something in this repository: its scope exists and its test has a runner.
      mkdirSync(join(repo.dir, 'src'), { recursive: true });
      writeFileSync(join(repo.dir, 'src', 'signup.js'), 'export function signup(email) { return { email }; }\n');
      writeFileSync(join(repo.dir, 'package.json'), JSON.stringify({ name: 'signup', scripts: { test: 'node --test' } }));
      const answer = {
        id: 'FIX-0007',
        title: 'Reject empty emails at signup',
        mode: 'fix',
        blast_radius: { modules: ['signup'], data_migration: false },
        scope: { in: ['src/signup.js'], out: ['src'], support: ['test/'] },
        invariants: ['Existing accounts can still sign in'],
        acceptance: [{ id: 'A1', given: 'an empty email', when: 'the form is submitted', then: 'an error is shown', test: 'npm test' }],
        non_functional: { security: ['validate on the server'], a11y: ['the error is announced'], reliability: [] },
        contracts: [{ name: 'signup-form', type: 'behavior', path: '' }],
        operational_rollback_slo: '15 minutes',
        rollback: ['revert the commit'],
        observability: { logs: ['signup.rejected'], metrics: [], traces: [] },
      };
      const planner = new Planner({ client: new ScriptedModel([answer]), logger: silentLogger() });
      const plan = await planner.plan({ taskId: 'tsk_caws000001', description: 'reject empty emails', repoPath: repo.dir, riskTier: 1, budget: DEFAULT_POLICY.budgets[1] });
      const validate = await casValidator(schemaPath!);
      validate(parse(plan.yaml));
      expect(validate.errors ?? []).toEqual([]);
    } finally {
      repo.cleanup();
    }
  });
});

async function casValidator(path: string) {
  const { default: Ajv2020 } = await import('ajv/dist/2020');
  const { default: addFormats } = await import('ajv-formats');
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(path, 'utf8')) as object);
}

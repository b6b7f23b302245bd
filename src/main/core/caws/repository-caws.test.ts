import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { describeRepositoryCaws, readPolicyBudgets, readRepositoryCaws, stricterBudget } from './repository-caws';

let dirs: Array<ReturnType<typeof tempDir>> = [];
afterEach(() => {
  for (const d of dirs) d.cleanup();
  dirs = [];
});

function repo(files: Record<string, string>): string {
  const t = tempDir('aa-repo-caws-');
  dirs.push(t);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(t.dir, path, '..'), { recursive: true });
    writeFileSync(join(t.dir, path), text);
  }
  return t.dir;
}

describe("a repository's own CAWS policy", () => {
  it('reads budgets for tiers written as 1, T2 or tier3, skipping tiers without both limits', () => {
    const dir = repo({ '.caws/policy.yaml': 'version: 1\nrisk_tiers:\n  1: { max_files: 3, max_loc: 80 }\n  T2: { max_files: 10, max_loc: 300 }\n  tier3: { max_files: 40 }\ngates: { lint: true }\n' });
    expect(readPolicyBudgets(dir)).toEqual({ budgets: { 1: { maxFiles: 3, maxLines: 80 }, 2: { maxFiles: 10, maxLines: 300 } } });
  });

  it('names the field of a policy that is not a CAWS policy, and uses none of it', () => {
    const dir = repo({ '.caws/policy.yaml': 'risk_tiers:\n  1: { max_files: -2, max_loc: 80 }\n' });
    const read = readPolicyBudgets(dir);
    expect(read.budgets).toEqual({});
    expect(read.problem).toMatch(/policy\.yaml: risk_tiers\.1\.max_files/);
    expect(readPolicyBudgets(repo({ '.caws/policy.yaml': 'a: [1,\n' })).problem).toMatch(/policy\.yaml/);
  });

  it('takes the stricter limit field by field', () => {
    expect(stricterBudget({ maxFiles: 5, maxLines: 500 }, { maxFiles: 10, maxLines: 100 })).toEqual({ maxFiles: 5, maxLines: 100 });
    expect(stricterBudget({ maxFiles: 5, maxLines: 500 }, undefined)).toEqual({ maxFiles: 5, maxLines: 500 });
  });
});

describe("a repository's own CAWS specs", () => {
  const spec = (id: string) =>
    `id: ${id}\ntitle: Add a health endpoint\nrisk_tier: 2\nmode: feature\nblast_radius: { modules: [api], data_migration: false }\noperational_rollback_slo: 5m\nscope: { in: [src/api], out: [] }\ninvariants: [The API stays up]\nacceptance:\n  - id: A1\n    given: a running server\n    when: GET /health is called\n    then: it answers ok\nnon_functional: {}\ncontracts:\n  - name: health\n    type: api\n    path: docs/api.yaml\nlifecycle_state: active\n`;

  it('lists valid specs, names invalid ones, and describes both to the planner', () => {
    const dir = repo({ '.caws/specs/API-0001.yaml': spec('API-0001'), '.caws/specs/BAD-0002.yaml': 'id: 3\n', '.caws/policy.yaml': 'risk_tiers:\n  2: { max_files: 4, max_loc: 120 }\n' });
    const caws = readRepositoryCaws(dir);
    expect(caws.specs.map((s) => [s.id, s.riskTier, s.lifecycle])).toEqual([['API-0001', 2, 'active']]);
    expect(caws.invalid.map((i) => i.file)).toEqual([join('.caws', 'specs', 'BAD-0002.yaml')]);
    const text = describeRepositoryCaws(caws)!;
    expect(text).toContain('API-0001 [active, tier 2] Add a health endpoint (scope: src/api)');
    expect(text).toContain('tier 2: at most 4 files and 120 lines');
  });

  it('says nothing about a repository without .caws, and does not follow a specs folder linked out of it', () => {
    expect(describeRepositoryCaws(readRepositoryCaws(repo({ 'README.md': 'hi' })))).toBeUndefined();
    const outside = repo({ 'OUT-0001.yaml': spec('OUT-0001') });
    const dir = repo({ '.caws/keep': '' });
    symlinkSync(outside, join(dir, '.caws', 'specs'));
    expect(readRepositoryCaws(dir).specs.map((s) => s.id)).not.toContain('OUT-0001');
  });
});

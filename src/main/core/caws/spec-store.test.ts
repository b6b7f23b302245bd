import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { listSpecFiles, readSpecFile, writeSpecFile } from './spec-store';
import { parseSpecYaml } from './yaml';

const FIXTURE = readFileSync(join(__dirname, '../../../../test/fixtures/caws/valid/tier2-feature.yaml'), 'utf8');

describe('.caws/specs folder', () => {
  let repo: ReturnType<typeof tempDir>;
  let outside: ReturnType<typeof tempDir>;
  beforeEach(() => {
    repo = tempDir('aa-specs-');
    outside = tempDir('aa-outside-');
  });
  afterEach(() => {
    repo.cleanup();
    outside.cleanup();
  });
  const spec = () => {
    const parsed = parseSpecYaml(FIXTURE);
    if (!parsed.ok) throw new Error('fixture');
    return parsed.spec;
  };

  it('writes a spec as <id>.yaml and reads it back', () => {
    const file = writeSpecFile(repo.dir, spec());
    expect(file.endsWith(join('.caws', 'specs', 'FEAT-0042.yaml'))).toBe(true);
    const read = readSpecFile(repo.dir, 'FEAT-0042');
    expect(read.result.ok && read.result.spec).toEqual(spec());
    expect(listSpecFiles(repo.dir).map((s) => s.result.ok && s.result.spec.id)).toEqual(['FEAT-0042']);
  });

  it('lists invalid specs with their problems and ignores files that are not specs', () => {
    mkdirSync(join(repo.dir, '.caws', 'specs'), { recursive: true });
    writeFileSync(join(repo.dir, '.caws', 'specs', 'FIX-0001.yml'), 'id: FIX-0001\nchange_budget: 3\n');
    writeFileSync(join(repo.dir, '.caws', 'specs', 'notes.txt'), 'hello');
    writeFileSync(join(repo.dir, '.caws', 'specs', 'lowercase-1.yaml'), 'id: x');
    const listed = listSpecFiles(repo.dir);
    expect(listed).toHaveLength(1);
    expect(listed[0]!.result.ok).toBe(false);
    if (!listed[0]!.result.ok) expect(listed[0]!.result.issues.map((i) => i.path)).toContain('change_budget');
    expect(listSpecFiles(outside.dir)).toEqual([]);
  });

  it('refuses ids that could name another path', () => {
    for (const id of ['../../etc/passwd', 'FEAT-0042/../../x', 'feat-1', '']) {
      expect(() => readSpecFile(repo.dir, id)).toThrow(/is not a spec id/);
    }
    expect(() => writeSpecFile(repo.dir, { ...spec(), id: '../X-1' })).toThrow(/is not a spec id/);
  });

  it('refuses a .caws folder that links outside the repository', () => {
    mkdirSync(join(outside.dir, 'specs'), { recursive: true });
    symlinkSync(outside.dir, join(repo.dir, '.caws'));
    expect(() => writeSpecFile(repo.dir, spec())).toThrow(/resolves outside the repository/);
    expect(() => readSpecFile(repo.dir, 'FEAT-0042')).toThrow(/resolves outside the repository/);
  });

  it('refuses to write through a symbolic link or read a non-file', () => {
    mkdirSync(join(repo.dir, '.caws', 'specs'), { recursive: true });
    symlinkSync(join(outside.dir, 'target.yaml'), join(repo.dir, '.caws', 'specs', 'FEAT-0042.yaml'));
    expect(() => writeSpecFile(repo.dir, spec())).toThrow(/symbolic link/);
    mkdirSync(join(repo.dir, '.caws', 'specs', 'FIX-0002.yaml'));
    expect(() => readSpecFile(repo.dir, 'FIX-0002')).toThrow(/not a regular file/);
    expect(() => readSpecFile(repo.dir, 'FIX-0404')).toThrow(/no spec FIX-0404/);
  });
});

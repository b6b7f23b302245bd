import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { detectChecks } from './detect';

describe('detecting a project checks', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('aa-detect-');
  });
  afterEach(() => tmp.cleanup());
  const write = (name: string, text: string) => {
    mkdirSync(join(tmp.dir, name, '..'), { recursive: true });
    writeFileSync(join(tmp.dir, name), text);
  };

  it('finds package.json scripts with their pre/post hooks and ignores the npm placeholder', () => {
    write('package.json', JSON.stringify({ scripts: { pretest: 'node build.js', test: 'vitest run', 'type-check': 'tsc --noEmit', lint: 'eslint .' } }));
    expect(detectChecks(tmp.dir)).toEqual({
      tests: { command: '(node build.js) && (vitest run)', source: 'package.json scripts.test' },
      typecheck: { command: '(tsc --noEmit)', source: 'package.json scripts.type-check' },
      lint: { command: '(eslint .)', source: 'package.json scripts.lint' },
    });
    write('package.json', JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }));
    expect(detectChecks(tmp.dir)).toEqual({});
  });

  it('falls back per check to Makefile targets', () => {
    write('package.json', JSON.stringify({ scripts: { test: 'node --test' } }));
    write('Makefile', 'VAR := 1\nlint:\n\tshellcheck *.sh\ntypecheck: deps\n\tmypy .\n');
    const found = detectChecks(tmp.dir);
    expect(found.tests?.source).toBe('package.json scripts.test');
    expect(found.lint).toEqual({ command: 'make lint', source: 'Makefile target lint' });
    expect(found.typecheck).toEqual({ command: 'make typecheck', source: 'Makefile target typecheck' });
  });

  it('knows Cargo, Python and Go projects', () => {
    write('Cargo.toml', '[package]\nname = "x"\n');
    expect(detectChecks(tmp.dir).lint?.command).toBe('cargo clippy --quiet -- -D warnings');
    tmp.cleanup();
    tmp = tempDir('aa-detect-');
    write('pyproject.toml', '[tool.pytest.ini_options]\n[tool.mypy]\nstrict = true\n[tool.ruff]\n');
    expect(detectChecks(tmp.dir)).toMatchObject({
      tests: { command: 'python3 -m pytest -q' },
      typecheck: { command: 'python3 -m mypy .' },
      lint: { command: 'ruff check .' },
    });
    tmp.cleanup();
    tmp = tempDir('aa-detect-');
    write('go.mod', 'module example.com/x\n');
    expect(detectChecks(tmp.dir).tests?.command).toBe('go test ./...');
  });

  it('lets configured commands win and tolerates a broken package.json', () => {
    write('package.json', '{ not json');
    write('Makefile', 'test:\n\ttrue\n');
    expect(detectChecks(tmp.dir, { tests: 'npm run ci' })).toEqual({ tests: { command: 'npm run ci', source: 'configured' } });
  });
});

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CheckCommands } from '../../../shared/domain/governance';

export const CHECK_KINDS = ['tests', 'typecheck', 'lint'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export type DetectedCheck = { command: string; source: string };
export type DetectedChecks = Partial<Record<CheckKind, DetectedCheck>>;

/**
 * The project's own checks, found the way a developer would find them: configured commands first,
 * then package.json scripts, Makefile targets, Cargo, Python tooling, Go. Each kind is looked up
 * on its own, so a project may test with npm and lint with make.
 */
export function detectChecks(dir: string, configured: CheckCommands = {}): DetectedChecks {
  const found: DetectedChecks = {};
  for (const kind of CHECK_KINDS) {
    const command = configured[kind];
    if (command) found[kind] = { command, source: 'configured' };
  }
  for (const detector of [fromPackageJson, fromMakefile, fromCargo, fromPython, fromGo]) {
    const more = detector(dir);
    for (const kind of CHECK_KINDS) if (!found[kind] && more[kind]) found[kind] = more[kind];
  }
  return found;
}

const PackageJson = z.object({ scripts: z.record(z.string(), z.string()).optional() });
const NPM_PLACEHOLDER = /no test specified/;
const SCRIPT_NAMES: Record<CheckKind, string[]> = {
  tests: ['test'],
  typecheck: ['typecheck', 'type-check', 'check-types', 'types', 'tsc'],
  lint: ['lint'],
};

function fromPackageJson(dir: string): DetectedChecks {
  const text = readSmall(join(dir, 'package.json'));
  if (text === undefined) return {};
  let scripts: Record<string, string>;
  try {
    scripts = PackageJson.parse(JSON.parse(text)).scripts ?? {};
  } catch {
    return {};
  }
  const out: DetectedChecks = {};
  for (const kind of CHECK_KINDS) {
    const name = SCRIPT_NAMES[kind].find((n) => scripts[n] && !NPM_PLACEHOLDER.test(scripts[n]));
    if (!name) continue;
    // The script body runs directly (node_modules/.bin on PATH), with npm's pre/post hooks, so no
    // npm is needed on the machine.
    const parts = [scripts[`pre${name}`], scripts[name], scripts[`post${name}`]].filter((s): s is string => Boolean(s));
    out[kind] = { command: parts.map((p) => `(${p})`).join(' && '), source: `package.json scripts.${name}` };
  }
  return out;
}

function fromMakefile(dir: string): DetectedChecks {
  const file = ['Makefile', 'makefile', 'GNUmakefile'].find((f) => existsSync(join(dir, f)));
  if (!file) return {};
  const text = readSmall(join(dir, file)) ?? '';
  const targets = new Set([...text.matchAll(/^([A-Za-z0-9_.-]+)\s*:(?!=)/gm)].map((m) => m[1]!));
  const pick = (names: string[]) => names.find((n) => targets.has(n));
  const out: DetectedChecks = {};
  const t = pick(['test', 'tests', 'check-tests']);
  if (t) out.tests = { command: `make ${t}`, source: `${file} target ${t}` };
  const c = pick(['typecheck', 'type-check', 'types']);
  if (c) out.typecheck = { command: `make ${c}`, source: `${file} target ${c}` };
  const l = pick(['lint']);
  if (l) out.lint = { command: `make ${l}`, source: `${file} target ${l}` };
  return out;
}

function fromCargo(dir: string): DetectedChecks {
  if (!existsSync(join(dir, 'Cargo.toml'))) return {};
  return {
    tests: { command: 'cargo test --quiet', source: 'Cargo.toml' },
    typecheck: { command: 'cargo check --quiet', source: 'Cargo.toml' },
    lint: { command: 'cargo clippy --quiet -- -D warnings', source: 'Cargo.toml' },
  };
}

function fromPython(dir: string): DetectedChecks {
  const pyproject = readSmall(join(dir, 'pyproject.toml')) ?? '';
  const setupCfg = readSmall(join(dir, 'setup.cfg')) ?? '';
  const isPython = pyproject !== '' || setupCfg !== '' || existsSync(join(dir, 'setup.py')) || existsSync(join(dir, 'requirements.txt'));
  if (!isPython) return {};
  const out: DetectedChecks = {};
  const pytest = /\[tool\.pytest/.test(pyproject) || /\[tool:pytest\]/.test(setupCfg) || existsSync(join(dir, 'pytest.ini')) || isDir(join(dir, 'tests'));
  if (pytest) out.tests = { command: 'python3 -m pytest -q', source: 'pytest configuration' };
  if (/\[tool\.mypy\]/.test(pyproject) || existsSync(join(dir, 'mypy.ini'))) out.typecheck = { command: 'python3 -m mypy .', source: 'mypy configuration' };
  if (/\[tool\.ruff/.test(pyproject) || existsSync(join(dir, 'ruff.toml'))) out.lint = { command: 'ruff check .', source: 'ruff configuration' };
  else if (existsSync(join(dir, '.flake8')) || /\[flake8\]/.test(setupCfg)) out.lint = { command: 'python3 -m flake8', source: 'flake8 configuration' };
  return out;
}

function fromGo(dir: string): DetectedChecks {
  if (!existsSync(join(dir, 'go.mod'))) return {};
  return {
    tests: { command: 'go test ./...', source: 'go.mod' },
    typecheck: { command: 'go build ./...', source: 'go.mod' },
    lint: { command: 'go vet ./...', source: 'go.mod' },
  };
}

function readSmall(file: string): string | undefined {
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size > 1024 * 1024) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

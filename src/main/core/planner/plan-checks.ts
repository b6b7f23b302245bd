import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { WorkingSpec } from '../../../shared/domain/working-spec';
import { detectChecks } from '../gates/detect';
import { matchesGlob } from '../workspace/glob';

/**
 * A spec can be schema-valid and still nonsense: a title of `}}}}}`, scope `]~`, a test command of
 * `]~`. These checks find what the planner must repair (it is asked again with the problems listed)
 * before a plan goes to review.
 */

/** Text that says something: mostly letters and digits, with at least one real word. */
export function isWords(text: string): boolean {
  const t = text.trim();
  if (t.length === 0) return false;
  const visible = [...t.replace(/\s+/g, '')];
  const wordy = visible.filter((c) => /[\p{L}\p{N}]/u.test(c)).length;
  return wordy / visible.length >= 0.6 && /\p{L}{2,}/u.test(t);
}

export function wordProblems(spec: WorkingSpec): string[] {
  const out: string[] = [];
  if (!isWords(spec.title)) out.push(`title: ${JSON.stringify(spec.title)} is not words; say what the change does`);
  spec.acceptance.forEach((a, i) => {
    for (const key of ['given', 'when', 'then'] as const) {
      if (!isWords(a[key])) out.push(`acceptance[${i}].${key}: ${JSON.stringify(a[key])} is not words`);
    }
  });
  return out;
}

const SAFE_SEGMENT = /^[\p{L}\p{N}_.@+-][\p{L}\p{N} _.@+-]*$/u;
const GLOB = /[*?[\]{}]/;
const MAX_FILES = 20_000;

/** Files of the repository (relative, `/`-separated), skipping .git and node_modules; bounded. */
export function repoFiles(repoPath: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (out.length >= MAX_FILES) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name === '.git' || e.name === 'node_modules') continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(repoPath, p).split(sep).join('/'));
      if (out.length >= MAX_FILES) return;
    }
  };
  walk(repoPath);
  return out;
}

/**
 * Every scope.in entry must match an existing file (a glob, at least one) or name a path that can be
 * created inside the repository: plain path segments, no `..`, nothing outside.
 */
export function scopeProblems(spec: WorkingSpec, repoPath: string, files: readonly string[] = repoFiles(repoPath)): string[] {
  const out: string[] = [];
  const root = resolve(repoPath);
  spec.scope.in.forEach((entry, i) => {
    const p = entry.replace(/\/+$/, '');
    if (GLOB.test(p)) {
      if (!files.some((f) => matchesGlob(f, p) || matchesGlob(f, `${p}/**`))) out.push(`scope.in[${i}]: ${JSON.stringify(entry)} matches no file of the repository`);
      return;
    }
    const abs = resolve(root, p);
    if (abs !== root && !abs.startsWith(root + sep)) {
      out.push(`scope.in[${i}]: ${JSON.stringify(entry)} is outside the repository`);
      return;
    }
    if (existsSync(abs)) return;
    const segments = p.split('/');
    if (segments.some((s) => s === '' || s === '.' || s === '..' || !SAFE_SEGMENT.test(s))) {
      out.push(`scope.in[${i}]: ${JSON.stringify(entry)} is neither a file of the repository nor a path that can be created in it`);
    }
  });
  return out;
}

/** The test runners the repository has: its detected test command, and the tools it shows it uses. */
export function availableRunners(repoPath: string, files: readonly string[] = repoFiles(repoPath)): string[] {
  const runners = new Set<string>();
  const tests = detectChecks(repoPath).tests;
  if (tests) runners.add(tests.command);
  const pkgText = existsSync(join(repoPath, 'package.json')) ? safeRead(join(repoPath, 'package.json')) : undefined;
  if (pkgText !== undefined) {
    runners.add('npm test').add('npm run').add('node --test').add('node ');
    try {
      const pkg = JSON.parse(pkgText) as { devDependencies?: Record<string, string>; dependencies?: Record<string, string> };
      for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
        for (const tool of ['vitest', 'jest', 'mocha', 'ava', 'tap', 'playwright']) if (dep === tool || dep.startsWith(`@${tool}/`)) runners.add(tool);
      }
    } catch {
      // An unreadable package.json still says it is a Node project.
    }
  }
  if (files.some((f) => /\.(c|m)?(j|t)s$/.test(f))) runners.add('node --test').add('node ');
  if (files.some((f) => f.endsWith('.py'))) runners.add('python3 -m unittest').add('python -m unittest').add('python3 ').add('python ');
  if (files.some((f) => /(^|\/)(pytest\.ini|conftest\.py)$/.test(f)) || /\[tool\.pytest/.test(safeRead(join(repoPath, 'pyproject.toml')) ?? '')) runners.add('pytest').add('python3 -m pytest');
  if (existsSync(join(repoPath, 'Makefile'))) runners.add('make ');
  if (existsSync(join(repoPath, 'Cargo.toml'))) runners.add('cargo test');
  if (existsSync(join(repoPath, 'go.mod'))) runners.add('go test');
  return [...runners];
}

/** Acceptance test commands must use a runner the repository actually has. */
export function runnerProblems(spec: WorkingSpec, repoPath: string, runners: readonly string[] = availableRunners(repoPath)): string[] {
  const out: string[] = [];
  spec.acceptance.forEach((a, i) => {
    if (!a.test_command) return;
    const cmd = a.test_command.trim().replace(/^(npx|pnpm exec|yarn)\s+/, '');
    if (!isCommandLike(cmd)) {
      out.push(`acceptance[${i}].test: ${JSON.stringify(a.test_command)} is not a command`);
      return;
    }
    if (!runners.some((r) => cmd === r.trim() || cmd.startsWith(r) || a.test_command!.trim().startsWith(r))) {
      out.push(`acceptance[${i}].test: ${JSON.stringify(a.test_command)} uses no test runner this repository has (it has: ${runners.map((r) => r.trim()).join(', ') || 'none'})`);
    }
  });
  return out;
}

const isCommandLike = (cmd: string) => /^[\p{L}\p{N}_./-]+(\s|$)/u.test(cmd) && isWords(cmd.replace(/[-_/.]/g, ' '));

/** Every acceptance criterion lacks a test command: nothing can show the change is right. */
export function untestable(spec: WorkingSpec): string | null {
  if (spec.acceptance.length === 0 || spec.acceptance.some((a) => a.test_command && a.test_command.trim() !== '')) return null;
  return `every acceptance criterion is untestable: none of ${spec.acceptance.map((a) => a.id).join(', ')} has a test command, so nothing but the worker's word could show the change is right`;
}

function safeRead(file: string): string | undefined {
  try {
    return statSync(file).size < 1024 * 1024 ? readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

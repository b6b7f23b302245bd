import { builtinModules } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

export type Layer = 'shared' | 'core' | 'desktop' | 'server' | 'cli' | 'preload' | 'renderer' | 'test' | 'other';

/** Which layer a file (relative to the repository root) belongs to. */
export function layerOf(file: string): Layer {
  const p = file.split(sep).join('/');
  if (p.startsWith('src/shared/')) return 'shared';
  if (p.startsWith('src/main/core/')) return 'core';
  if (p.startsWith('src/main/desktop/')) return 'desktop';
  if (p.startsWith('src/main/server/')) return 'server';
  if (p.startsWith('src/cli/')) return 'cli';
  if (p.startsWith('src/preload/')) return 'preload';
  if (p.startsWith('src/renderer/')) return 'renderer';
  if (p.startsWith('test/')) return 'test';
  return 'other';
}

/** Arrows point one way (DESIGN.md): who may import whom inside the project. */
const ALLOWED: Record<Exclude<Layer, 'test' | 'other'>, Layer[]> = {
  shared: ['shared'],
  core: ['shared', 'core'],
  // The desktop app also serves the local API (issue 10), so it starts the server's host.
  desktop: ['shared', 'core', 'server', 'desktop'],
  server: ['shared', 'core', 'server'],
  cli: ['shared', 'core', 'server', 'cli'],
  preload: ['shared', 'preload'],
  renderer: ['shared', 'renderer'],
};

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Every module specifier a source file imports, re-exports, dynamically imports or requires. */
export function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?(?:\*|\{[^}]*\})(?:\s+as\s+\w+)?\s+from\s+['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"`]([^'"`$]+)['"`]\s*[,)]/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

/** Dynamic imports and requires whose target is computed: the rules cannot see where they lead (a method named require, with typed parameters, is not one). */
const UNREADABLE = [/\bimport\(\s*(?![\s'"`])/g, /\bimport\(\s*`[^`]*\$\{/g, /(?<![.\w])require\(\s*[^\s():'"`][^():'"`]*\)/g];

/** Files allowed a computed import, each with why; listed exactly so nothing else slips through. */
export const KNOWN_UNREADABLE_IMPORTS: readonly { file: string; why: string }[] = [
  { file: 'src/main/core/explorer/child-source.ts', why: 'the read-only query process loads the SQLite driver package its parent names (a package, never a project file)' },
];

export function unreadableImports(file: string, source: string): string[] {
  const f = file.split(sep).join('/');
  if (KNOWN_UNREADABLE_IMPORTS.some((k) => k.file === f)) return [];
  return UNREADABLE.flatMap((re) => [...source.matchAll(re)].map((m) => `${file}: imports a computed specifier (${m[0]}…); the import rules cannot check it — import a literal path`));
}

/*
 * Direction inside the core (DESIGN.md: "inside core the arrows point down"). Folders are the first
 * path segment under src/main/core/; `core.ts` (the assembled core's type) sits with the top.
 */
/** The bottom: they import only each other (and src/shared, packages, Node). */
const CORE_BOTTOM = new Set(['common', 'observability', 'db', 'journal']);
/** Orchestration: what runs the services. No service below imports them. */
const CORE_UPPER = new Set(['engine', 'agent', 'council', 'planner', 'composition']);
/** Folders that stand above the services and may use the orchestration (composition is checked on its own). */
const CORE_ORCHESTRATORS = new Set(['engine', 'agent', 'council', 'planner', 'governance-steps', 'api', 'composition', 'core.ts']);

/**
 * Known crossings, each to be removed by moving the shared vocabulary down (e.g. to src/shared).
 * Listed exactly (importing file -> imported file) so nothing else slips through; the test fails
 * when one no longer exists, so this list cannot go stale.
 */
export const KNOWN_CORE_EXCEPTIONS: readonly { from: string; to: string; why: string }[] = [];

function coreFolder(path: string): string | undefined {
  const p = path.split(sep).join('/');
  if (!p.startsWith('src/main/core/')) return undefined;
  const rest = p.slice('src/main/core/'.length);
  const i = rest.indexOf('/');
  return i === -1 ? rest.replace(/\.tsx?$/, '.ts').replace(/^core$/, 'core.ts') : rest.slice(0, i);
}

/** Direction problems of one import inside the core (test files and testing/ helpers are exempt). */
function checkCoreDirection(file: string, target: string, spec: string): string[] {
  const from = coreFolder(file);
  const to = coreFolder(target);
  if (!from || !to || from === to) return [];
  const f = file.split(sep).join('/');
  if (/\.test\.tsx?$/.test(f) || f.includes('/testing/') || /\/testing\.tsx?$/.test(f)) return [];
  const t = target.split(sep).join('/').replace(/\.tsx?$/, '');
  if (KNOWN_CORE_EXCEPTIONS.some((e) => e.from === f && e.to === t)) return [];
  if (CORE_BOTTOM.has(from) && !CORE_BOTTOM.has(to)) {
    return [`${file}: ${from} is at the bottom of the core and must not import ${to} (${spec})`];
  }
  if (to === 'composition') return [`${file}: only the composition root wires the core; ${from} must not import composition (${spec})`];
  if (CORE_UPPER.has(to) && !CORE_ORCHESTRATORS.has(from)) {
    return [`${file}: ${from} is below ${to} and must not import it (${spec})`];
  }
  return [];
}

/** Violations of the layer rules in one file; each names the file, the import and the rule. */
export function checkFile(file: string, source: string): string[] {
  const layer = layerOf(file);
  if (layer === 'other') return [];
  const isTest = /\.test\.tsx?$/.test(file);
  const problems: string[] = layer === 'test' || isTest ? [] : unreadableImports(file, source);
  for (const spec of specifiers(source)) {
    if (spec.startsWith('.')) {
      const target = relative('.', resolve(dirname(file), spec));
      const targetLayer = layerOf(target);
      if (layer === 'test' || (isTest && targetLayer === 'test')) continue;
      // Node-side code may read bundled data (the model catalogue, default configuration)...
      if (target.split(sep).join('/').startsWith('resources/') && ['core', 'desktop', 'server', 'cli'].includes(layer)) continue;
      // ...and the app's own version from package.json.
      if (target.split(sep).join('/') === 'package.json' && ['core', 'desktop', 'server', 'cli'].includes(layer)) continue;
      if (targetLayer === 'other' || targetLayer === 'test') {
        problems.push(`${file}: imports ${spec}, outside src/`);
        continue;
      }
      if (!ALLOWED[layer].includes(targetLayer)) {
        problems.push(`${file}: ${layer} must not import ${targetLayer} (${spec})`);
      }
      if (layer === 'core' && targetLayer === 'core') problems.push(...checkCoreDirection(file, target, spec));
      continue;
    }
    if (layer === 'test') continue;
    const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
    if (pkg === 'electron' && layer !== 'desktop' && layer !== 'preload') {
      problems.push(`${file}: only the desktop shell and preload may import electron`);
    }
    if (layer === 'shared' && pkg !== 'zod') problems.push(`${file}: shared may import only zod (${spec})`);
    if (layer === 'preload' && pkg !== 'electron') problems.push(`${file}: preload may import only electron and src/shared (${spec})`);
    if (layer === 'renderer' && NODE_BUILTINS.has(spec)) problems.push(`${file}: the renderer must not import Node built-ins (${spec})`);
  }
  return problems;
}

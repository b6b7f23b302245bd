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
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

/** Violations of the layer rules in one file; each names the file, the import and the rule. */
export function checkFile(file: string, source: string): string[] {
  const layer = layerOf(file);
  if (layer === 'other') return [];
  const isTest = /\.test\.tsx?$/.test(file);
  const problems: string[] = [];
  for (const spec of specifiers(source)) {
    if (spec.startsWith('.')) {
      const target = relative('.', resolve(dirname(file), spec));
      const targetLayer = layerOf(target);
      if (layer === 'test' || (isTest && targetLayer === 'test')) continue;
      // Node-side code may read bundled data (the model catalogue, default configuration).
      if (target.split(sep).join('/').startsWith('resources/') && ['core', 'desktop', 'server', 'cli'].includes(layer)) continue;
      if (targetLayer === 'other' || targetLayer === 'test') {
        problems.push(`${file}: imports ${spec}, outside src/`);
        continue;
      }
      if (!ALLOWED[layer].includes(targetLayer)) {
        problems.push(`${file}: ${layer} must not import ${targetLayer} (${spec})`);
      }
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

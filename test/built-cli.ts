import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(__dirname, '..');
/** The pinned Node (ADR 0001) and the command line as users run it. */
export const node = join(root, 'node_modules/.bin/node');
export const bin = join(root, 'bin/agent-agency.js');
const cliJs = join(root, 'out/main/cli.js');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.test.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Builds the bundle the CLI runs when a source is newer than it. Test files run in parallel, so the
 * build is guarded by a lock folder: one file builds, the others wait and then find it fresh.
 */
export function ensureBuiltCli(): void {
  const lock = join(tmpdir(), 'agent-agency-build.lock');
  const stale = () => !existsSync(cliJs) || newest(join(root, 'src')) > statSync(cliJs).mtimeMs;
  if (!stale()) return;
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`waited 5 minutes for ${lock}; remove it if no build runs`);
      spawnSync('sleep', ['0.5']);
    }
  }
  try {
    if (!stale()) return;
    const r = spawnSync(join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}

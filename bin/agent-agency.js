#!/usr/bin/env node
// The CLI needs Node 22 (better-sqlite3 13 is built for it). Under an older Node, hand over to the
// Node 22 that the project installs through the `node` npm package.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
const cli = join(root, 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('agent-agency: not built yet; run "npm run build" first\n');
  process.exit(1);
}
if (major < 22) {
  const pinned = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(pinned)) {
    process.stderr.write(`agent-agency: needs Node 22 or newer (this is ${process.version}); run "npm install"\n`);
    process.exit(1);
  }
  const r = spawnSync(pinned, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
await import(cli);

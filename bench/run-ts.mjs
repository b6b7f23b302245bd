/* global process, console */
// Runs a TypeScript benchmark through Vite's module runner (the same transform the app's build
// uses), so benchmarks import the core's sources directly: `node bench/run-ts.mjs bench/x.bench.ts`.
import { resolve } from 'node:path';
import { runnerImport } from 'vite';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/run-ts.mjs <file.ts> [args…]');
  process.exit(2);
}
const { module } = await runnerImport(resolve(file), { configFile: false, logLevel: 'error' });
if (typeof module.default !== 'function') {
  console.error(`${file} must export a default function`);
  process.exit(2);
}
await module.default(process.argv.slice(3));

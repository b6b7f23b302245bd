/* global process, console */
// Runs a TypeScript benchmark through Vite's module runner (the same transform the app's build
// uses), so benchmarks import the core's sources directly: `node bench/run-ts.mjs bench/x.bench.ts`.
// The runner stays open until the benchmark's main function returns: the core imports some
// packages on first use (node-llama-cpp), after the benchmark module itself has loaded. Vite's
// one-shot `runnerImport` closes the runner as soon as the module is imported, so it is set up
// here the way `runnerImport` does it, and closed at the end.
import { resolve } from 'node:path';
import { createRunnableDevEnvironment, mergeConfig, resolveConfig } from 'vite';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/run-ts.mjs <file.ts> [args…]');
  process.exit(2);
}
const moduleSync = process.features?.require_module === true;
const config = await resolveConfig(
  mergeConfig(
    { configFile: false, logLevel: 'error' },
    {
      configFile: false,
      envDir: false,
      cacheDir: process.cwd(),
      environments: {
        inline: {
          consumer: 'server',
          dev: { moduleRunnerTransform: true },
          resolve: { external: true, mainFields: [], conditions: ['node', ...(moduleSync ? ['module-sync'] : [])] },
        },
      },
    },
  ),
  'serve',
);
const environment = createRunnableDevEnvironment('inline', config, { runnerOptions: { hmr: { logger: false } }, hot: false });
await environment.init();
try {
  const module = await environment.runner.import(resolve(file));
  if (typeof module.default !== 'function') {
    console.error(`${file} must export a default function`);
    process.exitCode = 2;
  } else {
    await module.default(process.argv.slice(3));
  }
} finally {
  await environment.close();
}

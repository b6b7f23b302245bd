#!/usr/bin/env node
// Builds the native thermal helper (native/thermal/thermal.c) with the system C compiler into
// native/build/. Runs from the project's own "postinstall": it must never fail the install, so
// every problem is logged and the app falls back to its portable sensor readers.
//
//   node scripts/build-native.mjs [--out DIR] [--quiet]
//   AGENT_AGENCY_SKIP_NATIVE=1 skips the build; CC picks the compiler (default: cc).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'thermal', 'thermal.c');

function parseArgs(argv) {
  const args = { out: join(root, 'native', 'build'), quiet: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) args.out = resolve(argv[++i]);
    else if (argv[i] === '--quiet') args.quiet = true;
  }
  return args;
}

function build({ out, quiet }) {
  const log = (message) => {
    if (!quiet) console.log(`build-native: ${message}`);
  };
  if (process.env.AGENT_AGENCY_SKIP_NATIVE === '1') {
    log('skipped (AGENT_AGENCY_SKIP_NATIVE=1); the app reads sensors through its portable fallback');
    return { ok: false, reason: 'skipped' };
  }
  if (process.platform === 'win32') {
    log('no native sensor helper for Windows; the app reads load, memory and battery only');
    return { ok: false, reason: 'unsupported platform' };
  }
  if (!existsSync(source)) {
    log(`source missing at ${source}; skipped`);
    return { ok: false, reason: 'source missing' };
  }
  const cc = process.env.CC || 'cc';
  const binary = join(out, 'thermal');
  const partial = `${binary}.${process.pid}.tmp`;
  const flags = ['-O2', '-std=c11', '-Wall', '-o', partial, source];
  if (process.platform === 'darwin') flags.push('-framework', 'IOKit', '-framework', 'CoreFoundation');
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    log(`cannot create ${out}: ${e.message}; skipped`);
    return { ok: false, reason: 'output folder' };
  }
  const result = spawnSync(cc, flags, { encoding: 'utf8', timeout: 120_000 });
  if (result.error || result.status !== 0) {
    rmSync(partial, { force: true });
    const why = result.error ? result.error.message : (result.stderr || '').trim().split('\n').slice(-3).join(' | ');
    log(`could not compile the thermal helper with ${cc} (${why}); the app falls back to its portable readers`);
    return { ok: false, reason: 'compile failed' };
  }
  // Rename into place so a concurrent reader never runs a half-written binary.
  renameSync(partial, binary);
  const check = spawnSync(binary, [], { encoding: 'utf8', timeout: 5_000 });
  if (check.status !== 0 || !check.stdout.startsWith('{')) {
    log(`the built helper did not run cleanly (status ${check.status}); the app will fall back when it fails`);
    return { ok: true, path: binary, verified: false };
  }
  log(`built ${binary}`);
  return { ok: true, path: binary, verified: true };
}

try {
  const result = build(parseArgs(process.argv.slice(2)));
  if (process.argv.includes('--json')) console.log(JSON.stringify(result));
} catch (e) {
  console.log(`build-native: unexpected problem (${e instanceof Error ? e.message : String(e)}); skipped`);
}
process.exitCode = 0;

// Electron security review with @doyensec/electronegativity, run by `npm test`: scans the sources
// (shell, preload, renderer and what they import), prints every finding, and fails on any
// HIGH-severity one.
//
// It runs offline: the tool would fetch translations and Electron's release list from GitHub, so
// its HTTP client is replaced before it loads (every request fails at once), and the one check
// that needs the release list (known fixes in newer Electron versions) is left out; Electron's
// version is pinned in package.json and upgraded deliberately.
import Module, { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const runnerPath = require.resolve('@doyensec/electronegativity/dist/runner.js');

const offline = () => Promise.reject(new Error('network disabled for the security scan'));
offline.head = offline;
offline.get = offline;
for (const from of ['locales', 'finder/checks/GlobalChecks']) {
  const gotPath = require.resolve('got', { paths: [join(dirname(runnerPath), from)] });
  const stub = new Module(gotPath);
  stub.filename = gotPath;
  stub.loaded = true;
  stub.exports = Object.assign(offline, { default: offline });
  require.cache[gotPath] = stub;
}

const run = require(runnerPath);
const electronVersion = require('electron/package.json').version;
const HIGH = 3;
// One scan of the whole source tree: the global checks (navigation limits, permission handler,
// CSP) look for their guard anywhere in the application, as an app is judged as a whole.
const targets = ['src'];

let high = 0;
let total = 0;
let broken = 0;
for (const target of targets) {
  const result = await run(
    {
      input: join(root, target),
      isRelative: true,
      electronVersionOverride: electronVersion,
      excludeFromScan: ['AvailableSecurityFixesGlobalCheck'],
      severitySet: 'informational',
      confidenceSet: 'tentative',
    },
    false,
  );
  for (const e of result.errors.filter((x) => !x.tolerable)) {
    broken++;
    console.error(`  could not parse ${relative(root, e.file)}: ${e.message}`);
  }
  for (const issue of result.issues) {
    total++;
    if (issue.severity.value >= HIGH) high++;
    const where = `${target}/${issue.file}:${issue.location.line}:${issue.location.column}`;
    console.log(`  ${issue.severity.name.padEnd(13)} ${issue.confidence.name.padEnd(9)} ${issue.id}  ${where}\n      ${issue.description}`);
  }
}
console.log(`electronegativity (Electron ${electronVersion}): ${total} finding(s), ${high} high, ${broken} file(s) not parsed`);
process.exit(high > 0 || broken > 0 ? 1 : 0);

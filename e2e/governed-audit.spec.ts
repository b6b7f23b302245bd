import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from '@playwright/test';
import { makeGitFixture, type FixtureRepo } from './fixtures/fixture-repo';
import { auditFlow } from './fixtures/governed-flows';
import { startGovernedHost, type GovernedHost } from './fixtures/governed-host';

// A governed dry-run task's signed audit bundle, exported from its page (downloaded as a browser
// user would) and verified offline on the Audit page; a tampered copy is named.
let host: GovernedHost;
let repo: FixtureRepo;
let dir: string;

test.beforeAll(async () => {
  host = await startGovernedHost();
  repo = makeGitFixture();
  dir = mkdtempSync(join(tmpdir(), 'aa-bundles-'));
});
test.afterAll(async () => {
  await host?.close();
  repo?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('export a task bundle from its page, verify it on the Audit page, and see a tampered copy named', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(host.launchUrl);
  await auditFlow(
    page,
    repo,
    dir,
    async (exported) => {
      const [download] = await Promise.all([page.waitForEvent('download'), exported.getByRole('link', { name: /^Download / }).click()]);
      const file = join(dir, download.suggestedFilename());
      await download.saveAs(file);
      return file;
    },
    'audit',
  );
});

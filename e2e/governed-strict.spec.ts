import { test } from '@playwright/test';
import { fixtureRepos } from './fixtures/fixture-repo';
import { overrideFlow, strictApproveFlow, strictDenyFlow } from './fixtures/governed-flows';
import { startGovernedHost, type GovernedHost } from './fixtures/governed-host';

// Strict mode on the real engine and steps: the task stops for a human at the plan, the changeset
// and the apply; each stop shows what is being approved. Only the models' words are scripted.
let host: GovernedHost;
const repos = fixtureRepos();

test.beforeAll(async () => {
  host = await startGovernedHost();
});
test.afterAll(async () => {
  await host?.close();
  repos.cleanup();
});

test('strict: edit and approve the plan, approve the changeset, deny at apply; the task fails and nothing lands', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(host.launchUrl);
  await strictDenyFlow(page, repos.make(), 'strict');
});

test('strict: approved all the way, the change lands as a commit on the task branch with its trailers', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(host.launchUrl);
  await strictApproveFlow(page, repos.make(), 'strict');
});

test('strict: overriding the council at the plan, with a reason, fails the task and is on record', async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto(host.launchUrl);
  await overrideFlow(page, repos.make());
});

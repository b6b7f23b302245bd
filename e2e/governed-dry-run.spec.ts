import { expect, test } from '@playwright/test';
import { makeGitFixture, type FixtureRepo } from './fixtures/fixture-repo';
import { dryRunBook, dryRunFlow, waitingPlanFlow } from './fixtures/governed-flows';
import { startGovernedHost, type GovernedHost } from './fixtures/governed-host';

// The real engine, planner, council, gates, workspace and apply behind the real host and UI; only
// the models' words are scripted (fixtures/scripted-gateway.ts).
let host: GovernedHost;
let repo: FixtureRepo;

test.beforeAll(async () => {
  host = await startGovernedHost({ book: dryRunBook() });
  repo = makeGitFixture();
});
test.afterAll(async () => {
  await host?.close();
  repo?.cleanup();
});

test('a dry-run task: spec, gates, four votes, iterations and diff in the UI; the repository untouched', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(host.launchUrl);
  await dryRunFlow(page, repo, 'task-detail');
  // Every model call went through the scripted gateway, with the task named for journaling.
  const roles = new Set(host.gateway().calls.map((c) => c.role));
  expect([...roles].sort()).toEqual(['judge.constitutional', 'judge.integration', 'judge.quality', 'judge.technical', 'planner', 'worker']);
});

test('the phase timeline follows a strict task to its plan approval, and a cancel skips the rest', async ({ page }) => {
  test.setTimeout(60_000);
  await page.goto(host.launchUrl);
  await waitingPlanFlow(page, repo);
});

import { expect, test } from '@playwright/test';
import { startFakeOpenAi, type FakeOpenAi } from './fixtures/fake-openai';
import { makeGitFixture, type FixtureRepo } from './fixtures/fixture-repo';
import { dryRunBook, dryRunFlow } from './fixtures/governed-flows';
import { startBuiltHost, type RunningHost } from './fixtures/host';

// The built CLI's `serve` exactly as a user runs it (production steps, the real model service and
// inference pipeline), with its models behind an OpenAI-compatible endpoint on 127.0.0.1 that
// answers from the script. This is how the Electron specs drive the desktop app, checked here
// where no Electron binary is needed.
let host: RunningHost;
let openai: FakeOpenAi;
let repo: FixtureRepo;

test.beforeAll(async () => {
  openai = await startFakeOpenAi(dryRunBook());
  host = await startBuiltHost();
  repo = makeGitFixture();
  const added = await fetch(`${host.url}/api/v1/models/remote`, {
    method: 'POST',
    headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'scripted', baseUrl: openai.baseUrl, model: 'scripted' }),
  });
  expect(added.status).toBe(201);
});
test.afterAll(async () => {
  await host?.close();
  await openai?.close();
  repo?.cleanup();
});

test('production composition with a scripted OpenAI-compatible model: the dry-run flow in full', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(host.launchUrl);
  await dryRunFlow(page, repo, 'production-openai');
  expect(openai.requests).toBeGreaterThan(9);
});

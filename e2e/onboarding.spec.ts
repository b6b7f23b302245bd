import { expect, test } from '@playwright/test';
import { startFakeOpenAi, type FakeOpenAi } from './fixtures/fake-openai';
import { startInProcessHost } from './fixtures/host';
import { fixtureAnswers } from './fixtures/scripted-answers';

// First run against the real core: no model, so the Tasks page says so up front and offers the
// models the machine already has. A small OpenAI-compatible server the test starts on loopback is
// found (AGENT_AGENCY_MODEL_SERVERS names its port, as the default ports may be taken or empty here),
// one click adds it, and one more gives it every role.
let host: Awaited<ReturnType<typeof startInProcessHost>>;
let server: FakeOpenAi;

test.beforeAll(async () => {
  server = await startFakeOpenAi(fixtureAnswers());
  process.env['AGENT_AGENCY_MODEL_SERVERS'] = server.baseUrl.replace(/\/v1$/, '');
  host = await startInProcessHost({ scheduler: { autoStart: false } });
});

test.afterAll(async () => {
  delete process.env['AGENT_AGENCY_MODEL_SERVERS'];
  await host?.close();
  await server?.close();
});

test('onboarding: an endpoint that is not a URL is refused, naming the field', async ({ page }) => {
  await page.goto(host.launchUrl);
  const onboarding = page.getByRole('region', { name: 'No model yet' });
  await expect(onboarding).toBeVisible({ timeout: 30_000 }); // the snapshot reads the machine's memory first
  await onboarding.getByLabel('Base URL').fill('not a url');
  await onboarding.getByLabel('Model', { exact: true }).fill('anything');
  await onboarding.getByRole('button', { name: 'Add endpoint' }).click();
  await expect(onboarding.getByRole('alert')).toContainText('baseUrl');
});

test('onboarding: a detected local server is used in one click, then its roles are assigned in one step', async ({ page }) => {
  await page.goto(host.launchUrl);
  const onboarding = page.getByRole('region', { name: 'No model yet' });
  await expect(onboarding).toBeVisible({ timeout: 30_000 }); // the snapshot reads the machine's memory first
  await expect(page.locator('#no-model-warning')).toContainText('No model is assigned yet');
  // The three ways, in order.
  await expect(onboarding.getByRole('heading', { level: 3 })).toHaveText([
    '1. Use the models you already have',
    '2. Download a recommended model',
    '3. Add an OpenAI-compatible endpoint',
  ]);
  await expect(onboarding).toContainText(server.baseUrl);
  await page.screenshot({ path: 'e2e-artifacts/onboarding-detected.png', fullPage: true });
  await onboarding.getByRole('button', { name: 'Use scripted' }).click();

  // The first model serves every role at once; the card says so and offers to split roles.
  const ready = page.getByRole('region', { name: 'Ready to run tasks' });
  await expect(ready).toBeVisible();
  await expect(ready.getByRole('status').first()).toContainText('scripted serves every role');
  await expect(page.locator('#no-model-warning')).toHaveCount(0);
  await expect(ready.getByRole('checkbox')).toHaveCount(6);
  await page.screenshot({ path: 'e2e-artifacts/onboarding-ready.png', fullPage: true });
  // Roles in one step: one model, several roles ticked at once.
  for (const label of ['Planner', 'Worker', 'Judge: constitutional', 'Judge: technical', 'Judge: quality', 'Judge: integration']) {
    await ready.getByRole('checkbox', { name: new RegExp(`^${label}`) }).check();
  }
  await ready.getByRole('button', { name: 'Assign 6 role(s)' }).click();
  await expect(ready.getByRole('status').filter({ hasText: 'scripted now serves Planner, Worker' })).toBeVisible();
  await ready.getByRole('button', { name: 'Done' }).click();
  await expect(ready).toBeHidden();
  const snapshot = await host.core.models.views();
  expect(snapshot.map((m) => [m.entry.name, m.roles.length])).toEqual([['scripted', 6]]);
});

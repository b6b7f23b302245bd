import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { makeFixtureRepo, startInProcessHost } from './fixtures/host';

/** Objectives and alerts through the real UI: a burning objective fires, the badge shows it, a person acknowledges. */
let host: Awaited<ReturnType<typeof startInProcessHost>>;
const repos: string[] = [];

test.beforeAll(async () => {
  host = await startInProcessHost({ scheduler: { autoStart: false } });
  const repo = makeFixtureRepo();
  repos.push(repo);
  for (let i = 0; i < 4; i++) {
    const id = host.core.tasks.submit({ description: `failing task ${i}`, repoPath: repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 }).id;
    host.core.journal.append(id, { type: 'task.failed', payload: { reason: 'gates failed' } }, `fail-${i}`);
  }
  host.core.slo.evaluate();
});

test.afterAll(async () => {
  await host?.close();
  for (const r of repos) rmSync(r, { recursive: true, force: true });
});

test('alerts: a burning objective fires once, shows in the navigation, and a person acknowledges it', async ({ page }) => {
  await page.goto(host.launchUrl);
  await expect(page.getByTestId('alerts-badge')).toHaveText('2');
  await page.getByRole('link', { name: /^Alerts/ }).click();
  await expect(page.getByRole('heading', { name: 'Objectives and alerts' })).toBeVisible();
  const objectives = page.getByRole('table', { name: 'Objectives' });
  await expect(objectives.getByRole('row', { name: /Task success rate/ })).toContainText('burning');
  const alerts = page.getByRole('list', { name: 'Alerts' });
  await expect(alerts.locator('li[data-state="firing"]')).toHaveCount(2);
  await alerts.getByRole('button', { name: 'Acknowledge' }).first().click();
  await expect(alerts).toContainText('acknowledged by user');
  await expect(page.getByRole('list', { name: 'Alert history' })).toContainText('acknowledged');
  await page.screenshot({ path: 'e2e-artifacts/alerts.png', fullPage: true });
});

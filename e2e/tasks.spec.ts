import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startBuiltHost, type RunningHost } from './fixtures/host';

let host: RunningHost;
let repo: string;

test.beforeAll(async () => {
  host = await startBuiltHost();
  repo = mkdtempSync(join(tmpdir(), 'aa-target-'));
  // A task's target must be a git repository's root.
  execFileSync('git', ['init', '-q'], { cwd: repo, stdio: 'ignore' });
});

test.afterAll(async () => {
  await host?.close();
  rmSync(repo, { recursive: true, force: true });
});

test('submits a task through the form and watches it run live; without a model it fails saying why', async ({ page }) => {
  await page.goto(host.launchUrl);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(page.getByText('No tasks yet')).toBeVisible();

  await page.getByLabel('What should the agent do?').fill('Add input validation to the signup form');
  await page.getByLabel('Target repository (absolute path)').fill(repo);
  await page.getByLabel('Mode', { exact: true }).selectOption('strict');
  await page.getByLabel('Risk tier').selectOption('1');
  await page.getByRole('button', { name: 'Submit task' }).click();

  const row = page.getByRole('row', { name: /Add input validation to the signup form/ });
  await expect(row).toBeVisible();
  await expect(row).toContainText('strict');
  // The engine picks it up at once; this fresh data folder has no model, so planning cannot start.
  await expect(row.locator('[data-state]')).toHaveText('failed', { timeout: 30_000 });
  await page.screenshot({ path: 'e2e-artifacts/tasks.png', fullPage: true });

  await row.getByRole('link', { name: 'Add input validation to the signup form' }).click();
  await expect(page.getByRole('heading', { name: 'Add input validation to the signup form' })).toBeVisible();
  const stream = page.getByRole('list', { name: 'Event stream' });
  await expect(stream.locator('[data-event-type="task.created"]')).toContainText('queued in strict mode, tier 1');
  await expect(stream.locator('[data-event-type="phase.started"]').first()).toBeVisible();
  await expect(page.getByText(/no model is assigned to the planner role/).first()).toBeVisible();
  await page.screenshot({ path: 'e2e-artifacts/task-detail.png', fullPage: true });
});

test('a task submitted elsewhere appears live without reloading', async ({ page, request }) => {
  await page.goto(host.launchUrl);
  await expect(page.getByRole('table', { name: 'Task list' })).toBeVisible();
  // A second client (another window) submits over its own WebSocket connection.
  const other = await page.context().newPage();
  await other.goto(host.launchUrl);
  await other.getByLabel('What should the agent do?').fill('Refactor the logger setup');
  await other.getByLabel('Target repository (absolute path)').fill(repo);
  await other.getByRole('button', { name: 'Submit task' }).click();
  await expect(page.getByRole('row', { name: /Refactor the logger setup/ })).toBeVisible();
  void request;
});

test('shows field errors for bad input and keeps what was typed', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.getByLabel('What should the agent do?').fill('x');
  await page.getByLabel('Target repository (absolute path)').fill('relative/path');
  await page.getByRole('button', { name: 'Submit task' }).click();
  await expect(page.locator('#description-error')).toHaveText('must be at least 3 characters');
  await expect(page.getByLabel('What should the agent do?')).toHaveValue('x');

  await page.getByLabel('What should the agent do?').fill('Fix the flaky test');
  await page.getByRole('button', { name: 'Submit task' }).click();
  await expect(page.locator('#repoPath-error')).toHaveText(/^must be an absolute path/);
  await page.getByLabel('Target repository (absolute path)').fill(join(repo, 'does-not-exist'));
  await page.getByRole('button', { name: 'Submit task' }).click();
  await expect(page.locator('#repoPath-error')).toHaveText(`${join(repo, 'does-not-exist')} is not an existing folder`);
});

test('every page of the navigation renders and says what it holds', async ({ page }) => {
  await page.goto(host.launchUrl);
  for (const name of ['Models', 'Explorer', 'Metrics', 'Audit', 'Settings']) {
    await page.getByRole('link', { name, exact: true }).click();
    await expect(page.getByRole('link', { name, exact: true })).toHaveAttribute('aria-current', 'page');
    await expect(page.getByRole('heading', { level: 2 }).first()).toBeVisible();
  }
});

test('without the token the page cannot reach the app', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(host.url);
  // Not "Connecting…" forever: the page says what is wrong and how to get the current address.
  await expect(page.getByRole('heading', { name: 'This address has no access token' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Get the current address' })).toBeVisible();
  await context.close();
});

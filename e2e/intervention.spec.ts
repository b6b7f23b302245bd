import { rmSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { ScriptedSteps, sleep } from '../src/main/core/engine/testing/scripted-steps';
import { makeFixtureRepo, startInProcessHost, type RunningHost } from './fixtures/host';
import type { Core } from '../src/main/core/composition/app-core';

// The server, core, engine and renderer are the real ones; only the steps are scripted: tasks
// named "slow" take 5 s to plan and to execute, the others 0.15 s, and every step honours its abort
// signal. Five seconds leave room for a loaded machine between seeing a phase and acting in it.
const SLOW_MS = 5_000;
let host: RunningHost & { core: Core };
let repo: string;

test.beforeAll(async () => {
  const steps = new ScriptedSteps({
    script: {
      plan: (ctx) => sleep(ctx.task.description.includes('slow') ? SLOW_MS : 150, ctx.signal).then(() => ({ spec: 'id: E2E-1\n' })),
      reviewPlan: (ctx) => sleep(150, ctx.signal).then(() => ({ decision: 'accept' as const, summary: 'the plan is sound' })),
      execute: (ctx) => sleep(ctx.task.description.includes('slow') ? SLOW_MS : 150, ctx.signal).then(() => ({})),
      verify: (ctx) => sleep(150, ctx.signal).then(() => ({ passed: true, summary: 'gates pass' })),
      reviewChange: (ctx) => sleep(150, ctx.signal).then(() => ({ decision: 'accept' as const, summary: 'looks right' })),
      apply: (ctx) => sleep(150, ctx.signal).then(() => ({})),
    },
  });
  host = await startInProcessHost({ steps, engine: { concurrency: 2, watchdogIntervalMs: 0 } });
  repo = makeFixtureRepo();
});

test.afterAll(async () => {
  await host?.close();
  rmSync(repo, { recursive: true, force: true });
});

async function submit(page: Page, description: string, mode: 'auto' | 'strict' | 'dry-run' = 'auto') {
  await page.getByLabel('What should the agent do?').fill(description);
  await page.getByLabel('Target repository (absolute path)').fill(repo);
  await page.getByLabel('Mode', { exact: true }).selectOption(mode);
  await page.getByRole('button', { name: 'Submit task' }).click();
  return page.getByRole('row', { name: new RegExp(description) });
}

test('pause and resume a running task from its page, and watch it finish live', async ({ page }) => {
  await page.goto(host.launchUrl);
  const row = await submit(page, 'slow: add input validation');
  await expect(row.locator('[data-state]')).toHaveText('planning');
  await row.getByRole('link', { name: 'slow: add input validation' }).click();
  const badge = page.getByTestId('task-facts').locator('[data-state]');
  await expect(badge).toHaveText('planning');

  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect(badge).toHaveText('paused (in planning)');
  await expect(page.getByRole('list', { name: 'Event stream' }).locator('[data-event-type="task.paused"]')).toContainText('local user');
  await page.screenshot({ path: 'e2e-artifacts/intervention-paused.png', fullPage: true });
  // Paused means nothing runs: the state stays put.
  await page.waitForTimeout(2_000);
  await expect(badge).toHaveText('paused (in planning)');

  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect(badge).toHaveText('planning');
  await expect(badge).toHaveText('executing', { timeout: 3 * SLOW_MS });
  await expect(badge).toHaveText('completed', { timeout: 4 * SLOW_MS });
  await expect(page.getByRole('progressbar', { name: 'Task progress' })).toHaveAttribute('aria-valuenow', '100');
  await expect(page.getByRole('button', { name: 'Pause', exact: true })).toHaveCount(0);
});

test('cancel another task from the list, after confirming', async ({ page }) => {
  await page.goto(host.launchUrl);
  const row = await submit(page, 'slow: refactor the logger');
  await expect(row.locator('[data-state]')).toHaveText('planning');
  await row.getByRole('button', { name: 'Cancel slow: refactor the logger' }).click();
  // A modal dialog asks first (the list behind it is inert); nothing happens until it is confirmed.
  const confirm = page.getByRole('alertdialog', { name: 'Cancel this task?' });
  await expect(confirm).toContainText('slow: refactor the logger');
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await expect(confirm).toBeHidden();
  await expect(row.locator('[data-state]')).toHaveText('planning');
  await expect(row.getByRole('button', { name: 'Cancel slow: refactor the logger' })).toBeFocused();
  // Escape keeps the task too.
  await row.getByRole('button', { name: 'Cancel slow: refactor the logger' }).click();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  await row.getByRole('button', { name: 'Cancel slow: refactor the logger' }).click();
  await confirm.getByRole('button', { name: 'Yes, cancel task' }).click();
  await expect(row.locator('[data-state]')).toHaveText('cancelled');
  await expect(row.getByRole('group', { name: /Controls for/ })).toHaveCount(0);
  await page.screenshot({ path: 'e2e-artifacts/intervention-cancelled.png', fullPage: true });
});

test('a strict task waits for approval; approving from the page moves it on', async ({ page }) => {
  await page.goto(host.launchUrl);
  const row = await submit(page, 'quick strict change', 'strict');
  await expect(row.locator('[data-state]')).toHaveText('awaiting approval (plan)', { timeout: 10_000 });
  await row.getByRole('link', { name: 'quick strict change' }).click();
  const prompt = page.getByRole('region', { name: 'Approve the plan' });
  await expect(prompt).toContainText('council accepted the plan: the plan is sound');
  await page.screenshot({ path: 'e2e-artifacts/intervention-approval.png', fullPage: true });
  await prompt.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Approve the change' })).toBeVisible({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Deny…' }).click();
  await page.getByLabel('Why deny?').fill('not this week');
  await page.getByRole('button', { name: 'Deny', exact: true }).click();
  await expect(page.getByTestId('task-facts').locator('[data-state]')).toHaveText('failed');
  await expect(page.getByRole('list', { name: 'Event stream' }).locator('[data-event-type="approval.denied"]')).toContainText('not this week');
});

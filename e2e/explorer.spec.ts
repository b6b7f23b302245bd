import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { makeFixtureRepo, startInProcessHost } from './fixtures/host';

let host: Awaited<ReturnType<typeof startInProcessHost>>;
const repos: string[] = [];

test.beforeAll(async () => {
  host = await startInProcessHost({ scheduler: { autoStart: false } });
  const repo = makeFixtureRepo();
  repos.push(repo);
  for (let i = 0; i < 60; i++) {
    host.core.tasks.submit({
      description: `explore task ${String(i).padStart(2, '0')}`,
      repoPath: repo,
      mode: 'dry-run',
      riskTier: 2,
      priority: i % 2 === 0 ? 'high' : 'low',
      maxIterations: 5,
    });
  }
});

test.afterAll(async () => {
  await host?.close();
  for (const r of repos) rmSync(r, { recursive: true, force: true });
});

test('explorer: browse tables, page, sort and filter rows', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Explorer', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Explorer', level: 2 })).toBeVisible();

  const tables = page.getByRole('navigation', { name: 'Tables' });
  await expect(tables.locator('[data-table="tasks"]')).toContainText('60 rows');
  await expect(tables.locator('[data-table="events"]')).toBeVisible();

  // Tables are buttons: reachable and chosen from the keyboard.
  await tables.locator('[data-table="tasks"]').focus();
  await page.keyboard.press('Enter');
  await expect(tables.locator('[data-table="tasks"]')).toHaveAttribute('aria-current', 'true');
  const status = page.getByTestId('page-status');
  await expect(status).toHaveText('Rows 1–50 of 60');
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(status).toHaveText('Rows 51–60 of 60');
  await page.getByRole('button', { name: 'Previous page' }).click();
  await expect(status).toHaveText('Rows 1–50 of 60');

  const grid = page.getByRole('table', { name: 'Rows of tasks' });
  await grid.getByRole('button', { name: 'description' }).click();
  await expect(grid.getByRole('columnheader', { name: /description/ })).toHaveAttribute('aria-sort', 'ascending');
  await expect(grid.locator('tbody tr').first()).toContainText('explore task 00');
  await grid.getByRole('button', { name: 'description' }).click();
  await expect(grid.getByRole('columnheader', { name: /description/ })).toHaveAttribute('aria-sort', 'descending');
  await expect(grid.locator('tbody tr').first()).toContainText('explore task 59');

  await page.getByLabel('Filter column').selectOption('priority');
  await page.getByLabel('Filter operator').selectOption('eq');
  await page.getByLabel('Filter value').fill('high');
  await page.getByRole('button', { name: 'Add filter' }).click();
  await expect(status).toHaveText('Rows 1–30 of 30');
  await page.getByRole('button', { name: /Remove filter priority/ }).click();
  await expect(status).toHaveText('Rows 1–50 of 60');

  await page.getByText(/Schema \(\d+ columns\)/).click();
  await expect(page.getByRole('table', { name: 'Schema of tasks' })).toContainText('state_kind');
  await page.screenshot({ path: 'e2e-artifacts/explorer.png', fullPage: true });
});

test('explorer: the SQL box runs queries and refuses writes with a visible error', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Explorer', exact: true }).click();
  const box = page.getByLabel('Query', { exact: true });

  // From the keyboard: Ctrl+Enter in the box runs the query.
  await box.fill('SELECT priority, count(*) AS n FROM tasks GROUP BY priority ORDER BY priority');
  await box.press('Control+Enter');
  const result = page.getByRole('table', { name: 'Query result' });
  await expect(result.locator('tbody tr')).toHaveCount(2);
  await expect(result.locator('tbody tr').first()).toContainText('high');
  await expect(result.locator('tbody tr').first()).toContainText('30');

  await page.getByLabel('Row limit').fill('5');
  await box.fill('SELECT id FROM tasks');
  await page.getByRole('button', { name: 'Run query' }).click();
  await expect(page.getByTestId('query-status')).toContainText('5 rows');
  await expect(page.getByTestId('query-status')).toContainText('stopped at the row limit');

  await box.fill('DELETE FROM tasks');
  await page.getByRole('button', { name: 'Run query' }).click();
  const alert = page.locator('.query-error');
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('Refused');
  await expect(alert).toContainText('read-only');
  await page.screenshot({ path: 'e2e-artifacts/explorer-write-refused.png', fullPage: true });

  await box.fill('DELETE FROM tasks RETURNING id');
  await page.getByRole('button', { name: 'Run query' }).click();
  await expect(alert).toContainText('attempt to write a readonly database');

  await page.getByLabel('Time limit (seconds)').fill('0.5');
  await box.fill('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c');
  await page.getByRole('button', { name: 'Run query' }).click();
  await expect(alert).toContainText('ran longer than its time limit');

  // Nothing changed.
  await box.fill('SELECT count(*) AS n FROM tasks');
  await page.getByRole('button', { name: 'Run query' }).click();
  await expect(result.locator('tbody td').first()).toHaveText('60');
  expect(host.core.tasks.list({ limit: 500 })).toHaveLength(60);
});

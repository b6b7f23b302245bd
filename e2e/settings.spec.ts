import { expect, test, type Page } from '@playwright/test';
import { startBuiltHost, type RunningHost } from './fixtures/host';

let host: RunningHost;

test.beforeAll(async () => {
  host = await startBuiltHost();
});
test.afterAll(async () => {
  await host?.close();
});

type PageGlobals = { getComputedStyle(e: unknown): { backgroundColor: string }; document: { body: unknown } };
const background = (page: Page) =>
  page.evaluate(() => {
    const g = globalThis as unknown as PageGlobals;
    return g.getComputedStyle(g.document.body).backgroundColor;
  });

test('settings: thread count and theme are saved and survive a reload', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Settings', level: 2 })).toBeVisible();
  await expect(page.getByTestId('data-dir')).toHaveText(host.dataDir);
  const lightBackground = await background(page);

  const threads = page.getByLabel('Inference threads');
  await expect(threads).toBeVisible();
  const max = Number(await threads.getAttribute('max'));
  const next = max > 1 ? max : 1;
  await threads.fill(String(next));
  await page.getByLabel('Dark').check();
  await page.getByLabel('Tests', { exact: true }).fill('npm test -- --run');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await background(page)).not.toBe(lightBackground);
  await page.screenshot({ path: 'e2e-artifacts/settings-dark.png', fullPage: true });

  await page.reload();
  await expect(page.getByLabel('Inference threads')).toHaveValue(String(next));
  await expect(page.getByLabel('Dark')).toBeChecked();
  await expect(page.getByLabel('Tests', { exact: true })).toHaveValue('npm test -- --run');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  // Back to following the system, which is light here.
  await page.getByLabel('Follow the system').check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'system');
  await expect.poll(() => background(page)).toBe(lightBackground);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(() => background(page)).not.toBe(lightBackground);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: 'e2e-artifacts/settings.png', fullPage: true });
});

test('settings: the embedding model is chosen among the installed models and survives a reload', async ({ page }) => {
  // A model registered as a client would (an OpenAI-compatible endpoint; nothing is called here).
  const res = await fetch(`${host.url}/api/v1/models/remote`, {
    method: 'POST',
    headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'embedder', baseUrl: 'http://127.0.0.1:9/v1', model: 'nomic-embed-text' }),
  });
  expect(res.status).toBe(201);
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const field = page.getByLabel('Embedding model');
  await expect(field).toHaveValue('');
  await expect(field.locator('option')).toHaveText(['None: keyword search only', 'embedder']);
  await field.selectOption('embedder');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Embedding model')).toHaveValue('embedder');
  await page.getByLabel('Embedding model').selectOption('');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();
});

test('settings: invalid values are refused with the field named', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const threads = page.getByLabel('Inference threads');
  await threads.fill('999');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('#threads-help')).toContainText('must be at most');
  await expect(threads).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Models folder').fill('relative/models');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'absolute path' })).toBeVisible();
});

test('settings: scheduler thresholds are editable and every section has its channel', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const fairTemp = page.locator('#temp-fair');
  await expect(fairTemp).toBeVisible();
  await fairTemp.fill('75');
  await page.getByRole('button', { name: 'Save thresholds' }).click();
  await expect(page.getByText('Scheduler thresholds saved.')).toBeVisible();
  await page.reload();
  await expect(page.locator('#temp-fair')).toHaveValue('75');
  await expect(page.locator('[data-unavailable]')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Governance policy' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Waivers', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Tool servers (MCP)' })).toBeVisible();
});

test('settings: tier budgets and gate modes are saved; a waiver is proposed, approved and revoked', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const files = page.getByLabel('Tier 2 files');
  await expect(files).toHaveValue('100');
  await files.fill('40');
  await page.getByLabel('Tier 3 Lint mode').selectOption('warn');
  await page.getByRole('button', { name: 'Save policy' }).click();
  await expect(page.getByText('Policy saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Tier 2 files')).toHaveValue('40');
  await expect(page.getByLabel('Tier 3 Lint mode')).toHaveValue('warn');

  const waivers = page.getByRole('region', { name: 'Waivers' });
  await page.getByLabel('Title', { exact: true }).fill('Large generated fixture');
  await page.getByLabel('Reason', { exact: true }).fill('The fixture file is generated and reviewed separately.');
  await page.getByLabel('Extra files').fill('5');
  await page.getByLabel('Extra lines').fill('2000');
  // An unscoped waiver must be chosen explicitly.
  await page.getByRole('button', { name: 'Propose waiver' }).click();
  await expect(page.getByText(/choose allSpecs/)).toBeVisible();
  await page.getByLabel('All specs (no spec id)').check();
  await page.getByRole('button', { name: 'Propose waiver' }).click();
  await expect(page.getByText('Waiver proposed; it needs an approval before it counts.')).toBeVisible();
  const row = waivers.locator('tr[data-waiver]').first();
  await expect(row).toHaveAttribute('data-status', 'pending');
  await expect(row).toContainText('all specs');
  // Its creator cannot approve it: another person must (e.g. `agent-agency waiver approve --by`).
  await row.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(page.getByText(/created this waiver and cannot approve it/)).toBeVisible();
  await expect(row).toHaveAttribute('data-status', 'pending');
  await page.screenshot({ path: 'e2e-artifacts/settings-governance.png', fullPage: true });
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toHaveAttribute('data-status', 'revoked');
  await expect(row).toContainText('revoked by local user');
});

test('settings: rotating the API token locks out the old one and the page keeps working', async ({ page, request }) => {
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const field = page.locator('input#api-token');
  await expect(field).toHaveValue(host.token);
  const before = await request.get(`${host.url}/api/v1/tasks`, { headers: { authorization: `Bearer ${host.token}` } });
  expect(before.status()).toBe(200);

  await page.getByRole('button', { name: 'Rotate token…' }).click();
  await page.getByRole('button', { name: 'Rotate now' }).click();
  await expect(page.getByText('Token rotated.')).toBeVisible();
  const rotated = await field.inputValue();
  expect(rotated).not.toBe(host.token);

  const old = await request.get(`${host.url}/api/v1/tasks`, { headers: { authorization: `Bearer ${host.token}` } });
  expect(old.status()).toBe(401);
  const fresh = await request.get(`${host.url}/api/v1/tasks`, { headers: { authorization: `Bearer ${rotated}` } });
  expect(fresh.status()).toBe(200);
  // The CLI finds the new token in the data folder.
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  expect(JSON.parse(readFileSync(join(host.dataDir, 'instance.json'), 'utf8')).token).toBe(rotated);

  // A reload reconnects with the token this tab now holds.
  await page.reload();
  await page.getByRole('link', { name: 'Tasks', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'New task' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Connecting to the app' })).toHaveCount(0);
});

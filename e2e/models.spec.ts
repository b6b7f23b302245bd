import { copyFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { fixedMemoryProbe } from '../src/main/core/models/memory-probe';
import { ensureTestModel, testModelBytes } from '../src/main/core/models/testing/test-model';
import { startInProcessHost } from './fixtures/host';

let host: Awaited<ReturnType<typeof startInProcessHost>>;
let files: Server;
let filesUrl = '';
const model = testModelBytes();

test.beforeAll(async () => {
  host = await startInProcessHost({
    scheduler: { autoStart: false },
    // A 16 GB machine, so the catalogue badges are the same wherever this runs.
    models: { threads: 1, gpu: false, idleUnloadMs: 0, memory: fixedMemoryProbe({ totalBytes: 16 * 1024 ** 3, availableBytes: 10 * 1024 ** 3, gpu: 'metal' }) },
  });
  await host.core.models.addByPath({ path: await ensureTestModel(), name: 'tiny-a' });
  // A local file server that sends the test model slowly, so the progress bar can be seen moving.
  files = createServer(async (_req, res) => {
    res.writeHead(200, { 'content-length': model.bytes.length });
    for (let i = 0; i < model.bytes.length; i += 8 * 1024) {
      res.write(model.bytes.subarray(i, i + 8 * 1024));
      await new Promise((r) => setTimeout(r, 40));
    }
    res.end();
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  files?.closeAllConnections();
  await new Promise<void>((r) => (files ? files.close(() => r()) : r()));
  await host?.close();
});

test('models: installed, load, add by path, download with progress, swap a role, catalogue fit', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Models', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Models', level: 2 })).toBeVisible();

  const installed = page.getByRole('table', { name: 'Installed models' });
  const rowA = installed.getByRole('row').filter({ hasText: 'tiny-a' });
  await expect(rowA).toContainText('F16');
  await expect(rowA).toContainText('243 KB');
  await expect(rowA.locator('.badge.fit-fits')).toHaveText('fits');
  await expect(rowA.locator('.model-state-unloaded')).toBeVisible();
  await rowA.getByRole('button', { name: 'Load' }).click();
  await expect(rowA.locator('.model-state-loaded')).toBeVisible();

  // A bad path is a clear message, not a crash.
  const missing = join(host.dataDir, 'nope.gguf');
  await page.getByLabel('GGUF file (absolute path)').fill(missing);
  await page.getByRole('button', { name: 'Add file' }).click();
  await expect(page.getByRole('alert')).toHaveText(`no model file at ${missing}`);
  const notModel = join(host.dataDir, 'notes.gguf');
  writeFileSync(notModel, 'plain text');
  await page.getByLabel('GGUF file (absolute path)').fill(notModel);
  await page.getByRole('button', { name: 'Add file' }).click();
  await expect(page.getByRole('alert')).toContainText('is not a GGUF model file');
  await expect(page.getByRole('list', { name: 'Model activity' })).toContainText(`Could not add ${notModel}`);

  // Add a copy by path.
  const copy = join(host.dataDir, 'tiny-b.gguf');
  copyFileSync(await ensureTestModel(), copy);
  await page.getByLabel('GGUF file (absolute path)').fill(copy);
  await page.getByRole('button', { name: 'Add file' }).click();
  const rowB = installed.getByRole('row').filter({ has: page.getByText('agent-agency-tiny-llama', { exact: true }) });
  await expect(rowB).toBeVisible();

  // Download by URL: the progress bar moves, the checksum is checked, the model appears.
  await page.getByLabel('Download by URL').fill(`${filesUrl}/downloaded.gguf`);
  await page.getByLabel(/^sha256/).fill(model.sha256);
  await page.getByRole('button', { name: 'Download', exact: true }).first().click();
  const bar = page.getByRole('progressbar', { name: 'Download of downloaded.gguf' });
  await expect(bar).toBeVisible();
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 15_000 }).toBeGreaterThan(0);
  await expect(page.locator('.download-row')).toContainText('completed', { timeout: 20_000 });
  // Named from the file's header, made unique.
  await expect(installed.getByRole('row').filter({ has: page.getByText('agent-agency-tiny-llama-2', { exact: true }) })).toBeVisible();

  // Swap the worker role to the copy.
  await page.getByLabel('worker', { exact: true }).selectOption('agent-agency-tiny-llama');
  await page.locator('.role-grid').getByRole('button', { name: 'Swap' }).nth(1).click();
  await expect(page.getByRole('list', { name: 'Model activity' })).toContainText('Swapped worker: tiny-a → agent-agency-tiny-llama');
  await expect(rowB).toContainText('worker');

  // Catalogue with fit badges for this (16 GB) machine.
  const catalogue = page.getByRole('list', { name: 'Model catalogue' });
  await expect(catalogue.getByRole('listitem').filter({ hasText: 'Phi-3 mini' }).locator('.badge').first()).toHaveText('fits');
  await expect(catalogue.getByRole('listitem').filter({ hasText: 'Phi-4' }).locator('.badge').first()).toHaveText('tight');
  await page.screenshot({ path: 'e2e-artifacts/models.png', fullPage: true });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { startGovernedHost, type GovernedHost } from './fixtures/governed-host';

// The real host, core and UI with the production steps; only the models' words are scripted. The
// knowledge base reads real files (a real PDF, Markdown).
let host: GovernedHost;
let files: string;

test.beforeAll(async () => {
  host = await startGovernedHost();
  files = mkdtempSync(join(tmpdir(), 'aa-kb-e2e-'));
  writeFileSync(join(files, 'ports.md'), '# Ports\n\nThe telemetry collector listens on port 4318 for OTLP over HTTP.\n');
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  pdf.addPage([600, 400]).drawText('Release checklist. Nothing about retries here.', { x: 40, y: 300, size: 14, font });
  pdf.addPage([600, 400]).drawText('Failed uploads are retried three times with backoff.', { x: 40, y: 300, size: 14, font });
  writeFileSync(join(files, 'runbook.pdf'), await pdf.save());
  writeFileSync(join(files, 'data.xyz'), 'unknown');
});
test.afterAll(async () => {
  await host?.close();
  rmSync(files, { recursive: true, force: true });
});

test('the Knowledge page: add files by path (one refused with its reason), search ranked chunks with source and location, remove an entry', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Knowledge' }).click();
  await expect(page.getByRole('heading', { name: 'Knowledge', level: 1 })).toBeVisible();

  // Bad input is refused with the field named: nothing to add, a relative path, an empty query.
  const alert = page.locator('.knowledge-page > .form-error[role="alert"]');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(alert).toHaveText('paths: name at least one file (an absolute path per line)');
  await page.getByLabel('Absolute paths on this machine, one per line').fill('docs/ports.md');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(alert).toContainText('paths[0]: must be an absolute path');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(alert).toContainText('query: must not be empty');

  await page.getByLabel('Absolute paths on this machine, one per line').fill([join(files, 'ports.md'), join(files, 'runbook.pdf'), join(files, 'data.xyz')].join('\n'));
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(alert).toHaveCount(0);
  const added = page.getByTestId('knowledge-added');
  await expect(added).toContainText(`${join(files, 'ports.md')}: added (text, 1 chunks)`);
  await expect(added).toContainText(`${join(files, 'runbook.pdf')}: added (pdf, 2 chunks)`);
  await expect(added).toContainText(`${join(files, 'data.xyz')}: refused — unknown type ".xyz"`);
  const entries = page.getByRole('table', { name: 'Knowledge entries' });
  await expect(entries.getByRole('row')).toHaveCount(3);

  await page.getByLabel('Query').fill('how often are failed uploads retried');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const first = page.getByRole('list', { name: 'Ranked chunks' }).getByRole('listitem').first();
  await expect(first).toContainText('runbook.pdf');
  await expect(first.getByTestId('hit-location')).toHaveText('page 2');
  await expect(first).toContainText(/score \d/);
  await expect(first).toContainText(join(files, 'runbook.pdf'));
  await expect(first).toContainText('Failed uploads are retried three times with backoff.');
  await page.screenshot({ path: 'e2e-artifacts/knowledge.png', fullPage: true });

  await entries.getByRole('button', { name: 'Remove runbook.pdf' }).click();
  await expect(entries.getByRole('row')).toHaveCount(2);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'No chunk matches.' })).toBeVisible();
});


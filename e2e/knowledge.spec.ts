import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { makeGitFixture, type FixtureRepo } from './fixtures/fixture-repo';
import { startGovernedHost, type GovernedHost } from './fixtures/governed-host';
import { stateBadge } from './fixtures/task-ui';

// The real host, core and UI with the production steps; only the models' words are scripted. The
// knowledge base reads real files (a real PDF, Markdown), and an attached image is read by real OCR.
let host: GovernedHost;
let repo: FixtureRepo;
let files: string;

test.beforeAll(async () => {
  host = await startGovernedHost();
  repo = makeGitFixture();
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
  repo?.cleanup();
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

test('a task submitted with attachments: they are read for planning (the image by OCR), the one that could not be read is named with why; the task page shows its estimate and the claim table of checked claims', async ({ page }) => {
  test.setTimeout(120_000);
  // An image whose text exists nowhere else, rendered by the browser itself.
  const shot = await page.context().newPage();
  await shot.setContent('<body style="margin:0;background:#fff"><p style="font:48px sans-serif;color:#000;padding:30px;margin:0">SUM MUST RETURN FIVE</p></body>');
  await shot.setViewportSize({ width: 1000, height: 140 });
  const png = await shot.screenshot();
  await shot.close();

  await page.goto(host.launchUrl);
  const description = 'sum(2, 3) returns -1; make it add (see the attachments)';
  await page.getByLabel('What should the agent do?').fill(description);
  await page.getByLabel('Target repository (absolute path)').fill(repo.dir);
  // Before any task has finished, the form's estimate says so rather than inventing a figure.
  await expect(page.getByTestId('submit-estimate').getByTestId('estimate-basis')).toHaveText('No history: no task has finished yet, so there is nothing to estimate from.');
  await page.getByTestId('attachments-input').setInputFiles([
    { name: 'bug.md', mimeType: 'text/markdown', buffer: Buffer.from('# Bug\n\nsum(2, 3) returns -1 instead of 5.\n') },
    { name: 'screenshot.png', mimeType: 'image/png', buffer: png },
    { name: 'broken.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\nnot really a PDF\n') },
  ]);
  const attached = page.getByRole('list', { name: 'Attached files' });
  await expect(attached.getByRole('listitem')).toHaveCount(3);

  // A file of an unknown type is refused by name before anything is sent, and can be removed.
  await page.getByTestId('attachments-input').setInputFiles([{ name: 'tool.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') }]);
  await page.getByRole('button', { name: 'Submit task' }).click();
  await expect(page.locator('.attachments .field-error')).toContainText('"tool.exe" has a type that is not accepted (.exe)');
  await attached.getByRole('button', { name: 'Remove tool.exe' }).click();

  await page.getByRole('button', { name: 'Submit task' }).click();
  const row = page.getByRole('row', { name: new RegExp(description.replace(/[()]/g, '\\$&').slice(0, 30)) });
  await row.getByRole('link').first().click();
  // The three files the form read reached the core with the task, in the order picked.
  await expect(page).toHaveURL(/#\/tasks\/[^/]+$/);
  const taskId = decodeURIComponent(new URL(page.url()).hash.split('/')[2]!);
  expect(host.core.attachments.list(taskId).map((a) => [a.name, a.kind, a.bytes])).toEqual([
    ['bug.md', 'markdown', 42],
    ['screenshot.png', 'image', png.length],
    ['broken.pdf', 'pdf', 26],
  ]);
  await expect(stateBadge(page)).toHaveText('completed', { timeout: 90_000 });

  // The estimate beside what the task used: now from its own history, said to be rough.
  const estimate = page.getByTestId('task-estimate');
  await expect(estimate.getByTestId('task-estimate-progress')).toHaveText(/^Used: \d+ s active, \d+ tokens/);
  await expect(estimate.getByTestId('estimate-basis')).toContainText('From 1 finished task at tier 2, dry-run');
  await expect(estimate.getByTestId('estimate-figures')).toContainText('Active time');

  const attachments = page.getByTestId('task-attachments');
  await expect(attachments.getByTestId('attachment-bug.md')).toContainText('read as text');
  await expect(attachments.getByTestId('attachment-screenshot.png')).toContainText('image, read by OCR');
  await expect(attachments.getByTestId('attachment-screenshot.png')).toContainText('the model is given the OCR text, not the image');
  await expect(attachments.getByTestId('attachment-broken.pdf').locator('.badge')).toHaveText('not read');
  await expect(page.getByTestId('attachments-not-read')).toContainText('broken.pdf (the PDF could not be read');

  // The planner was given the chunks, each cited by file and location, the OCR text said to be OCR.
  const plannerCall = host.gateway().calls.find((c) => c.role === 'planner');
  const prompt = plannerCall!.messages.map((m) => m.content).join('\n');
  expect(prompt).toMatch(/\[screenshot\.png, image \(OCR\)\] \(OCR text of an image; characters may be misread\):\nSUM MUST RETURN FIVE/);
  expect(prompt).toContain('[bug.md, lines 1-4]:\n# Bug');

  // The claim table: the worker's claim and the judges', each checked; A1 met by its passing test.
  const claims = page.getByTestId('task-claims');
  await expect(claims.getByTestId('criterion-A1').locator('.badge')).toHaveText('met');
  await expect(claims.getByTestId('criterion-A1')).toContainText('passed');
  await expect(claims.getByRole('row').filter({ hasText: 'criterion_met A1' }).first().locator('.badge')).toHaveText('verified');
  await expect(claims.getByRole('row').filter({ hasText: 'constitutional' }).filter({ hasText: 'file_changed sum.js' }).locator('.badge')).toHaveText('verified');
  await expect(claims).toContainText(/\d+ claim\(s\)/);
  await page.screenshot({ path: 'e2e-artifacts/task-attachments-claims.png', fullPage: true });
});

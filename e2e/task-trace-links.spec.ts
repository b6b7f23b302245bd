import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { makeGitFixture, type FixtureRepo } from './fixtures/fixture-repo';
import { startGovernedHost, type GovernedHost } from './fixtures/governed-host';
import { stateBadge, submitAndOpen } from './fixtures/task-ui';

// A governed task's trace through the real UI: its phases link to the trace viewer named in
// Settings, and its audit bundle, exported with the trace, carries the spans and verifies.
let host: GovernedHost;
let repo: FixtureRepo;
let dir: string;

test.beforeAll(async () => {
  host = await startGovernedHost();
  repo = makeGitFixture();
  dir = mkdtempSync(join(tmpdir(), 'aa-trace-e2e-'));
});
test.afterAll(async () => {
  await host?.close();
  repo?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('trace: phases link to the configured viewer, and the bundle carries the trace and verifies', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(host.launchUrl);

  // Name a trace viewer in Settings; a template without {traceId} is refused, naming the field.
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const viewer = page.getByLabel('Trace viewer address');
  await viewer.fill('http://127.0.0.1:16686/search');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('#traceViewerUrl-help')).toHaveText('must contain {traceId} where the trace id goes');
  await expect(viewer).toHaveAttribute('aria-invalid', 'true');
  await viewer.fill('http://127.0.0.1:16686/trace/{traceId}?uiFind={spanId}');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();

  const id = await submitAndOpen(page, { description: 'make sum add, and follow its trace', repo: repo.dir, mode: 'dry-run' });
  await expect(stateBadge(page)).toHaveText('completed', { timeout: 60_000 });
  const trace = page.getByTestId('task-trace');
  await trace.locator('summary').click();
  const traceId = (await page.getByTestId('task-trace-id').textContent())!.trim();
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  await expect(page.getByTestId('trace-viewer-link')).toHaveAttribute('href', `http://127.0.0.1:16686/trace/${traceId}`);
  const planning = trace.locator('li[data-phase="planning"]');
  const spanId = (await planning.getAttribute('data-span-id'))!;
  await expect(planning.getByRole('link', { name: /Open the span of .* in the trace viewer/ })).toHaveAttribute('href', `http://127.0.0.1:16686/trace/${traceId}?uiFind=${spanId}`);
  // The linked span is one the app kept: the planning phase of this task's trace.
  const kept = host.core.db.prepare('SELECT name FROM task_spans WHERE trace_id = ? AND span_id = ?').get(traceId, spanId) as { name: string } | undefined;
  expect(kept?.name).toBe('phase planning');
  await page.screenshot({ path: 'e2e-artifacts/task-trace-links.png', fullPage: true });

  // Export with the trace, download it as a browser user would, and verify it on the Audit page.
  await page.getByLabel(/Include the task’s trace/).check();
  await page.getByRole('button', { name: 'Export audit bundle' }).click();
  const exported = page.getByTestId('task-export-result');
  await expect(exported).toContainText(/Saved to .*\.json/);
  const [download] = await Promise.all([page.waitForEvent('download'), exported.getByRole('link', { name: /^Download / }).click()]);
  const file = join(dir, download.suggestedFilename());
  await download.saveAs(file);
  const bundle = JSON.parse(readFileSync(file, 'utf8')) as { manifest: { entries: { path: string }[] }; content: { trace: Array<{ name: string; spanId: string; traceId: string }> } };
  expect(bundle.content.trace.find((s) => s.spanId === spanId)?.name).toBe('phase planning');
  expect(bundle.content.trace.find((s) => s.name === `task ${id}`)?.traceId).toBe(traceId);
  expect(bundle.manifest.entries.filter((e) => e.path.startsWith('trace/'))).toHaveLength(bundle.content.trace.length);

  await page.getByRole('link', { name: 'Audit', exact: true }).click();
  await page.getByLabel('Bundle file to verify').setInputFiles(file);
  const result = page.getByTestId('verify-result');
  await expect(result).toHaveAttribute('data-ok', 'true');
  await expect(result).toContainText(`is the intact audit bundle of ${id}`);
});

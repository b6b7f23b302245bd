import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { machineId } from '../src/main/core/models/tuner/store';
import { ensureTestModel } from '../src/main/core/models/testing/test-model';
import { startInProcessHost } from './fixtures/host';

let host: Awaited<ReturnType<typeof startInProcessHost>>;

test.beforeAll(async () => {
  // The real runtime (CPU, one thread) and the tiny GGUF: each trial loads and measures it for real.
  host = await startInProcessHost({ scheduler: { autoStart: false }, models: { threads: 1, gpu: false, idleUnloadMs: 0 } });
  await host.core.models.addByPath({ path: await ensureTestModel(), name: 'tiny-a' });
  await host.core.models.addRemote({ name: 'far', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' });
  const copy = join(host.dataDir, 'tiny-b.gguf');
  copyFileSync(await ensureTestModel(), copy);
  await host.core.models.addByPath({ path: copy, name: 'tiny-b' });
});

test.afterAll(async () => {
  await host?.core.tuning.close();
  await host?.close();
});

test('models: tune a local model, watch the trials chart, see the best setting and its gain', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Models', exact: true }).click();
  const installed = page.getByRole('table', { name: 'Installed models' });
  const rowA = installed.getByRole('row').filter({ hasText: 'tiny-a' });
  const far = installed.getByRole('row').filter({ hasText: 'far' });

  // A remote endpoint cannot be tuned, and says why.
  await expect(far.getByRole('button', { name: 'Tune' })).toBeDisabled();
  await expect(far.getByRole('button', { name: 'Tune' })).toHaveAttribute('title', /Only local GGUF models are tuned/);

  await rowA.getByRole('button', { name: 'Tune' }).click();
  const panel = page.getByRole('region', { name: 'Tuning tiny-a' });
  await expect(panel).toContainText('Not tuned on this machine yet.');

  // A budget outside 3..60 is refused by the core, naming the field.
  await panel.getByLabel('Budget (trials)').fill('2');
  await panel.getByRole('button', { name: 'Start tuning' }).click();
  await expect(panel.getByRole('alert')).toContainText('budget');

  await panel.getByLabel('Budget (trials)').fill('4');
  await panel.getByRole('button', { name: 'Start tuning' }).click();
  const status = panel.getByTestId('tune-status');
  await expect(status).toContainText('Tuned tiny-a over 4 trials.', { timeout: 30_000 });

  // The chart drew each trial that was measured (skipped ones have no point) and the best-so-far line.
  const chart = panel.getByTestId('tune-chart');
  await expect(chart.locator('.recharts-scatter-symbol').first()).toBeVisible();
  // The best-so-far line is drawn (flat when the defaults stay best, so it has no height to be "visible").
  await expect(chart.locator('.recharts-line path.recharts-line-curve')).toHaveAttribute('d', /^M[\d.]+,[\d.]+L/);
  await expect(chart).toContainText('best so far');
  const run = await host.core.tuning.run('tiny-a');
  expect(run?.state).toBe('completed');
  const measured = run!.trials.filter((t) => t.status === 'counted').length;
  await expect(chart.locator('.recharts-scatter-symbol')).toHaveCount(measured);

  // The best setting and its gain over the default, as the core measured them.
  await expect(panel.getByTestId('tune-gain')).toHaveText(`Best ${run!.bestTps!.toFixed(1)} tok/s against the default ${run!.defaultTps!.toFixed(1)} tok/s: ${run!.gain!.toFixed(2)}× the default.`);
  const best = panel.getByRole('definition');
  await expect(best.nth(0)).toHaveText(String(run!.best!.batchSize));
  await expect(best.nth(1)).toHaveText('1');
  await expect(panel).toContainText('the next load of tiny-a uses it');
  const { gpu } = await host.core.models.machine();
  expect(host.core.models.settingsStore.tuned('tiny-a', machineId(gpu))).toMatchObject({ batchSize: run!.best!.batchSize, threads: 1 });
  await panel.screenshot({ path: 'e2e-artifacts/models-tune.png' });

  // The chart survives a reload: the last run is read back.
  await page.reload();
  await page.getByRole('table', { name: 'Installed models' }).getByRole('row').filter({ hasText: 'tiny-a' }).getByRole('button', { name: 'Tune' }).click();
  await expect(page.getByTestId('tune-status')).toContainText('Tuned tiny-a over 4 trials.');
  await expect(page.getByTestId('tune-chart').locator('.recharts-scatter-symbol')).toHaveCount(measured);
});

test('models: one tune at a time, and Cancel stops it without storing anything', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Models', exact: true }).click();
  const installed = page.getByRole('table', { name: 'Installed models' });
  await installed.getByRole('row').filter({ hasText: 'tiny-b' }).getByRole('button', { name: 'Tune' }).click();
  const panel = page.getByRole('region', { name: 'Tuning tiny-b' });
  await panel.getByLabel('Budget (trials)').fill('60');
  await panel.getByRole('button', { name: 'Start tuning' }).click();
  // While tiny-b is tuned, the other local model's Tune says why it waits.
  const tuneA = installed.getByRole('row').filter({ hasText: 'tiny-a' }).getByRole('button', { name: 'Tune' });
  await expect(tuneA).toBeDisabled();
  await expect(tuneA).toHaveAttribute('title', 'tiny-b is being tuned; one run goes at a time');
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await expect(panel.getByTestId('tune-status')).toContainText(/Tuning tiny-b was cancelled after \d+ trials; nothing was stored\./);
  await expect(tuneA).toBeEnabled();
  const { gpu } = await host.core.models.machine();
  expect(host.core.models.settingsStore.tuned('tiny-b', machineId(gpu))).toBeUndefined();
});

import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { NewEvent } from '../src/shared/domain/events';
import { makeFixtureRepo, startInProcessHost } from './fixtures/host';

let host: Awaited<ReturnType<typeof startInProcessHost>>;
const repos: string[] = [];

test.beforeAll(async () => {
  host = await startInProcessHost({ scheduler: { autoStart: false } });
  const repo = makeFixtureRepo();
  repos.push(repo);
  const { core } = host;
  let k = 0;
  const append = (taskId: string, e: NewEvent) => core.journal.append(taskId, e, `seed-${k++}`);
  for (let i = 0; i < 4; i++) {
    const id = core.tasks.submit({ description: `measured task ${i}`, repoPath: repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 }).id;
    append(id, { type: 'phase.completed', payload: { phase: 'planning', durationMs: 1_200 + i * 300 } });
    append(id, { type: 'phase.completed', payload: { phase: 'executing', durationMs: 4_000 + i * 900 } });
    append(id, { type: 'model.tokens', payload: { model: 'qwen-7b', role: 'worker', text: 'a', count: 10 } });
    await new Promise((r) => setTimeout(r, 120));
    append(id, { type: 'model.tokens', payload: { model: 'qwen-7b', role: 'worker', text: 'b', count: 30 } });
    append(id, { type: 'council.verdict', payload: { decision: i === 3 ? 'reject' : 'accept', score: i === 3 ? 0.3 : 0.9 } });
    if (i < 3) append(id, { type: 'task.completed', payload: {} });
    else append(id, { type: 'task.failed', payload: { reason: 'gates failed' } });
  }
  core.tasks.submit({ description: 'still waiting', repoPath: repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
});

test.afterAll(async () => {
  await host?.close();
  for (const r of repos) rmSync(r, { recursive: true, force: true });
});

test('metrics: every chart renders from the journal', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Metrics', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Metrics', level: 2 })).toBeVisible();
  await expect(page.locator('[data-total="Completed"]')).toHaveText('3');
  await expect(page.locator('[data-total="Failed"]')).toHaveText('1');
  await expect(page.locator('[data-total="Submitted"]')).toHaveText('5');
  for (const chart of ['outcomes', 'phases', 'throughput', 'council', 'queue']) {
    const figure = page.locator(`[data-chart="${chart}"]`);
    await expect(figure.locator('svg.recharts-surface').first(), chart).toBeVisible();
  }
  // Bars are drawn, not just axes.
  await expect(page.locator('[data-chart="outcomes"] .recharts-bar-rectangle').first()).toBeVisible();
  await expect(page.locator('[data-chart="phases"] .recharts-bar-rectangle')).toHaveCount(4);
  // The numbers behind the charts are there as tables too.
  await page.locator('[data-chart="council"] summary').click();
  await expect(page.getByRole('table', { name: 'Council outcomes data' })).toContainText('accept');
  await expect(page.getByRole('heading', { name: 'Thermal and memory pressure' })).toBeVisible();
  await page.screenshot({ path: 'e2e-artifacts/metrics.png', fullPage: true });
});

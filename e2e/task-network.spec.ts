import { rmSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { makeFixtureRepo, startInProcessHost } from './fixtures/host';

/** A task's network grant asked for on the submit form: warned about, journaled, shown on the task page. */
let host: Awaited<ReturnType<typeof startInProcessHost>>;
let repo: string;

test.beforeAll(async () => {
  host = await startInProcessHost({ scheduler: { autoStart: false }, slo: { evaluateEveryMs: 0 } });
  repo = makeFixtureRepo();
});
test.afterAll(async () => {
  await host?.close();
  if (repo) rmSync(repo, { recursive: true, force: true });
});

test('network grant: the box warns, the task records and shows the grant, the next task starts without one', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Tasks', exact: true }).click();
  const form = page.getByRole('form', { name: 'Submit a task' });
  await expect(form.getByTestId('network-warning')).toHaveCount(0);
  await form.getByLabel('What should the agent do?').fill('fetch the fixtures from the registry');
  await form.getByLabel('Target repository (absolute path)').fill(repo);
  await form.getByLabel(/Allow network access/).check();
  const warning = form.getByTestId('network-warning');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText('can reach your local network, services on this machine (localhost) and the internet');
  await page.screenshot({ path: 'e2e-artifacts/task-network-warning.png', fullPage: true });
  await form.getByRole('button', { name: 'Submit task' }).click();
  await expect(form.locator('.form-ok')).toContainText('Queued');
  // The grant is for one task: the box is clear again.
  await expect(form.getByLabel(/Allow network access/)).not.toBeChecked();
  await expect(form.getByTestId('network-warning')).toHaveCount(0);

  await form.getByLabel('What should the agent do?').fill('stay offline please');
  await form.getByRole('button', { name: 'Submit task' }).click();
  await expect(page.getByRole('row', { name: /stay offline please/ })).toBeVisible();

  await page.getByRole('row', { name: /fetch the fixtures/ }).getByRole('link', { name: 'fetch the fixtures from the registry' }).click();
  await expect(page.getByTestId('task-network')).toContainText('Allowed — granted on submit');
  // Journaled beside the task's creation.
  await expect(page.locator('li[data-event-type="sandbox.network_granted"]')).toContainText('every command this task causes');
  await page.screenshot({ path: 'e2e-artifacts/task-network-granted.png', fullPage: true });

  const [granted, plain] = [host.core.tasks.list({ search: 'fetch the fixtures', limit: 1 })[0]!, host.core.tasks.list({ search: 'stay offline', limit: 1 })[0]!];
  expect(host.core.tasks.networkGranted(granted.id)).toBe(true);
  expect(host.core.tasks.networkGranted(plain.id)).toBe(false);

  await page.getByRole('link', { name: '← Tasks' }).click();
  await page.getByRole('link', { name: 'stay offline please' }).click();
  await expect(page.getByTestId('task-network')).toHaveText('None — sandboxed commands have no network');
});

import { expect, test } from '@playwright/test';
import { startInProcessHost } from './fixtures/host';

/** Objectives edited in Settings through the real UI: refusals name the field, a save is applied and listed with who made it. */
let host: Awaited<ReturnType<typeof startInProcessHost>>;

test.beforeAll(async () => {
  host = await startInProcessHost({ scheduler: { autoStart: false }, slo: { evaluateEveryMs: 0 } });
});
test.afterAll(async () => {
  await host?.close();
});

test('objectives: edit one in Settings, see each bad field named, save, and find it on the Alerts page', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Objectives' }).click();
  const section = page.locator('#settings-objectives');
  await page.getByLabel('Objective', { exact: true }).selectOption({ label: 'Approval wait time' });
  const form = page.getByRole('form', { name: 'Objective: Approval wait time' });
  await expect(form.getByLabel('Threshold (seconds)')).toHaveValue('3600');

  // Checked in the form's own units before anything is sent.
  await form.getByLabel('Target (% of events good)').fill('150');
  await form.getByLabel('Threshold (seconds)').fill('');
  await form.getByRole('button', { name: 'Save objective' }).click();
  const alert = form.getByRole('alert');
  await expect(alert).toContainText('target: must be below 100%');
  await expect(alert).toContainText('threshold: the threshold is required');
  await expect(form.getByLabel('Target (% of events good)')).toHaveAttribute('aria-invalid', 'true');

  // What only the core can judge comes back with the field named: a rule's long window must fit in the window.
  await form.getByLabel('Target (% of events good)').fill('95');
  await form.getByLabel('Threshold (seconds)').fill('900');
  await form.getByLabel('Window (hours)').fill('2');
  await form.getByRole('button', { name: 'Save objective' }).click();
  await expect(alert).toContainText("definition.rules[1].longWindowMs: must fit in the objective's window");
  await expect(form.getByLabel('Long window of slow-burn')).toHaveAttribute('aria-invalid', 'true');

  await form.getByLabel('Window (hours)').fill('168');
  await form.getByLabel('Factor of fast-burn').fill('8');
  await form.getByRole('button', { name: 'Save objective' }).click();
  await expect(form.getByRole('status')).toHaveText('Approval wait time saved.');
  const changes = section.getByRole('list', { name: 'Objective changes' });
  await expect(changes).toContainText('Approval wait time: changed from the shipped default (target 95%, window 168 h) by local user');

  // A second save is described by what moved.
  await form.getByLabel('Target (% of events good)').fill('97.5');
  await form.getByRole('button', { name: 'Save objective' }).click();
  await expect(changes.locator('li').first()).toContainText('target 95% → 97.5% by local user');
  await page.screenshot({ path: 'e2e-artifacts/slo-settings.png', fullPage: true });

  // Applied at once: the Alerts page measures against the new target; the core has the new rule factor.
  await page.getByRole('link', { name: /^Alerts/ }).click();
  await expect(page.getByRole('table', { name: 'Objectives' }).getByRole('row', { name: /Approval wait time/ })).toContainText('97.5%');
  const saved = host.core.slo.definitions().find((d) => d.id === 'approval_wait')!;
  expect(saved).toMatchObject({ target: 0.975, threshold: 900, windowMs: 168 * 3600_000 });
  expect(saved.rules[0]!.factor).toBe(8);
});

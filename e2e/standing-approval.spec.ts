import { expect, test, type Page } from '@playwright/test';
import { fixtureRepos } from './fixtures/fixture-repo';
import { startGovernedHost, type GovernedHost } from './fixtures/governed-host';
import { phase, stateBadge, submitAndOpen } from './fixtures/task-ui';

// Standing approvals in strict mode on the real engine and steps (only the models' words are
// scripted): approving "for the rest of this task" lets the task finish without asking again, and
// every gate it passed that way names the standing approval; a standing approval is listed on the
// task's page and can be revoked there from the keyboard.
let host: GovernedHost;
const repos = fixtureRepos();

test.beforeAll(async () => {
  host = await startGovernedHost();
});
test.afterAll(async () => {
  await host?.close();
  repos.cleanup();
});

const prompt = (page: Page, title: string) => page.getByRole('region', { name: title });
const standingTable = (page: Page) => page.getByRole('table', { name: 'Standing approvals' });

test('strict: approving the plan for the rest of the task runs it to completion without another prompt', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(host.launchUrl);
  const repo = repos.make();
  const id = await submitAndOpen(page, { description: 'strict: make sum add, approved for the whole task', repo: repo.dir, mode: 'strict' });

  const plan = prompt(page, 'Approve the plan');
  await expect(plan).toBeVisible({ timeout: 30_000 });
  await expect(plan.getByRole('button', { name: 'Approve for this phase' })).toBeVisible();
  await plan.getByRole('button', { name: 'Approve for the rest of this task' }).click();

  await expect(stateBadge(page)).toHaveText('completed', { timeout: 60_000 });
  for (const p of ['executing', 'verifying', 'reviewing_change', 'applying']) await expect(phase(page, p)).toHaveAttribute('data-status', 'done');

  // Three approvals on record: the human's, then two that the standing approval gave, each naming it.
  const decisions = page.getByRole('list', { name: 'Decisions on this task' });
  await expect(decisions.locator('[data-kind="granted"]')).toHaveCount(3);
  await expect(decisions.locator('[data-gate="plan"]')).toContainText('local user (window) approved: for the rest of this task');
  const row = standingTable(page).locator('[data-scope="task"]');
  await expect(row).toContainText('plan, changeset, apply');
  const standingId = await row.getAttribute('data-standing');
  for (const gate of ['changeset', 'apply']) {
    const auto = decisions.locator(`[data-gate="${gate}"]`);
    await expect(auto).toHaveAttribute('data-standing', standingId!);
    await expect(auto).toContainText(`automatically, by standing approval #${standingId} (for the rest of this task)`);
  }
  await page.screenshot({ path: 'e2e-artifacts/standing-approval-task.png', fullPage: true });

  // Nothing asked for a human after the plan: the journal holds one request answered by a human.
  const res = await page.request.get(`${host.url}/api/v1/tasks/${id}`, { headers: { authorization: `Bearer ${host.token}` } });
  const events = ((await res.json()) as { value: { events: { type: string; payload: { standing?: unknown } }[] } }).value.events;
  expect(events.filter((e) => e.type === 'approval.standing')).toHaveLength(1);
  const granted = events.filter((e) => e.type === 'approval.granted');
  expect(granted).toHaveLength(3);
  expect(granted.filter((e) => e.payload.standing !== undefined)).toHaveLength(2);
  // The change landed as a commit on the task branch.
  expect(repo.git(['branch', '--list', `agent-agency/${id}`])).toContain(`agent-agency/${id}`);
});

test('strict: a standing approval is listed on a second task and revoked from the keyboard; the next gate asks again', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(host.launchUrl);
  const id = await submitAndOpen(page, { description: 'strict: make sum add, approval revoked', repo: repos.make().dir, mode: 'strict' });

  const plan = prompt(page, 'Approve the plan');
  await expect(plan).toBeVisible({ timeout: 30_000 });
  await plan.getByRole('button', { name: 'Approve for this phase' }).click();

  // The plan-phase standing approval is listed with who gave it, and revocable.
  const row = standingTable(page).locator('[data-scope="phase"]');
  await expect(row).toContainText('for this phase');
  await expect(row).toContainText('local user (window) at the plan approval');
  await expect(row).toHaveAttribute('data-revoked', 'false');
  const revoke = row.getByRole('button', { name: /Revoke standing approval #\d+ \(for this phase\)/ });
  await revoke.focus();
  await expect(revoke).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(row).toHaveAttribute('data-revoked', 'true');
  await expect(row).toContainText('revoked by local user (window)');

  // The change still stops for a human, with all three choices.
  const change = prompt(page, 'Approve the change');
  await expect(change).toBeVisible({ timeout: 30_000 });
  await expect(change.getByRole('button', { name: 'Approve for the rest of this task' })).toBeVisible();
  await page.screenshot({ path: 'e2e-artifacts/standing-approval-revoked.png', fullPage: true });
  const res = await page.request.get(`${host.url}/api/v1/tasks/${id}`, { headers: { authorization: `Bearer ${host.token}` } });
  const events = ((await res.json()) as { value: { events: { type: string; payload: { actor?: { who: string } } }[] } }).value.events;
  expect(events.find((e) => e.type === 'approval.revoked')?.payload.actor?.who).toBe('local user');
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await page.getByRole('button', { name: 'Yes, cancel task' }).click();
  await expect(stateBadge(page)).toHaveText('cancelled');
});

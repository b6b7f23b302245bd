import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { finishedDryRunOn } from '../src/main/core/apply/testing/dry-run-fixture';
import { StepFailure } from '../src/main/core/engine/errors';
import { ScriptedSteps, sleep } from '../src/main/core/engine/testing/scripted-steps';
import { gitSync, initRepo, writeFiles } from '../src/main/core/workspace/testing/git-fixture';
import { startInProcessHost } from './fixtures/host';

// The second-pass desktop flows through the real UI against the real core in this process: promote a
// dry-run (and its refusal with a re-run), retry a failed task, a stale token, the command palette and
// the approvals badge. Steps are scripted (the engine, journal, API and browser are real).
let host: Awaited<ReturnType<typeof startInProcessHost>>;
/** No task engine: the dry-runs made by the fixture stay as they are made (completed). */
let still: Awaited<ReturnType<typeof startInProcessHost>>;
let scratch: string;

test.beforeAll(async () => {
  // Fixture repositories live under the temp folder: let tasks target it (the default is the home folder).
  process.env['AGENT_AGENCY_ALLOWED_ROOTS'] = realpathSync(tmpdir());
  const steps = new ScriptedSteps({
    script: {
      plan: (ctx) => sleep(100, ctx.signal).then(() => ({ spec: 'id: E2E-UX\n' })),
      reviewPlan: (ctx) => sleep(100, ctx.signal).then(() => ({ decision: 'accept' as const, summary: 'the plan is sound' })),
      execute: async (ctx) => {
        await sleep(100, ctx.signal);
        if (ctx.task.description.includes('always fails')) throw new StepFailure('internal', 'the model server went away', { retryable: false });
        return {};
      },
      verify: (ctx) => sleep(100, ctx.signal).then(() => ({ passed: true, summary: 'gates pass' })),
      reviewChange: (ctx) => sleep(100, ctx.signal).then(() => ({ decision: 'accept' as const, summary: 'looks right' })),
      apply: (ctx) => sleep(100, ctx.signal).then(() => ({})),
    },
  });
  host = await startInProcessHost({ steps, engine: { concurrency: 2, watchdogIntervalMs: 0 }, scheduler: { autoStart: false } });
  still = await startInProcessHost({ scheduler: { autoStart: false } });
  scratch = mkdtempSync(join(tmpdir(), 'aa-e2e-ux-'));
});

test.afterAll(async () => {
  await host?.close();
  await still?.close();
  rmSync(scratch, { recursive: true, force: true });
});

const repoDir = (name: string) => {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  return join(dir, 'repo');
};

test('promote: a finished dry-run is promoted onto a new branch from the window', async ({ page }) => {
  const repo = repoDir('promote-ok');
  const { taskId, sha256 } = await finishedDryRunOn(still.core, repo);
  await page.goto(still.launchUrl);
  await page.goto(`${still.url}/#/tasks/${taskId}`);
  const result = page.getByRole('region', { name: 'Result' });
  await expect(result.getByRole('heading', { name: 'Promote this dry-run' })).toBeVisible();
  await expect(result).toContainText(sha256.slice(0, 16));
  // Onto the checked-out branch asks first (an accessible alert dialog); cancelling changes nothing.
  await result.getByRole('radio', { name: 'the checked-out branch' }).check();
  await result.getByRole('button', { name: 'Promote', exact: true }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Commit on the checked-out branch?' });
  await expect(confirm).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  expect(gitSync(repo, ['log', '--oneline']).trim().split('\n')).toHaveLength(1);
  await result.getByRole('radio', { name: /^new branch/ }).check();
  await result.getByRole('button', { name: 'Promote', exact: true }).click();
  await expect(result.getByRole('status').filter({ hasText: 'Promoted: commit' })).toContainText(`agent-agency/${taskId}`);
  expect(gitSync(repo, ['show', `agent-agency/${taskId}:a.js`])).toBe('export const a = 2;\n');
  await page.screenshot({ path: 'e2e-artifacts/promote-done.png', fullPage: true });
});

test('promote: a repository that moved is refused with the reason, and the re-run is offered and linked', async ({ page }) => {
  const repo = repoDir('promote-moved');
  const { taskId } = await finishedDryRunOn(still.core, repo);
  writeFiles(repo, { 'a.js': 'export const a = 42;\n' });
  gitSync(repo, ['commit', '--quiet', '-am', 'someone else changed a.js']);
  await page.goto(still.launchUrl);
  await page.goto(`${still.url}/#/tasks/${taskId}`);
  const refusal = page.getByRole('region', { name: 'Result' }).getByRole('alert');
  await expect(refusal).toContainText('the repository moved since the dry-run');
  await expect(refusal).toContainText('no longer applies cleanly');
  await page.screenshot({ path: 'e2e-artifacts/promote-refused.png', fullPage: true });
  await refusal.getByRole('button', { name: 'Re-run against the new head' }).click();
  const link = refusal.getByRole('link', { name: /^tsk_/ });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page.getByRole('region', { name: 'Result' }).getByRole('link', { name: taskId })).toBeVisible();
  expect(gitSync(repo, ['branch', '--list', 'agent-agency/*']).trim()).toBe('');
});

test('retry: a failed task is retried with the same inputs, linked both ways from the page', async ({ page }) => {
  const repo = repoDir('retry');
  initRepo(repo, { 'x.txt': 'x\n' });
  await page.goto(host.launchUrl);
  await page.getByLabel('What should the agent do?').fill('this step always fails');
  await page.getByLabel('Target repository (absolute path)').fill(repo);
  await page.getByRole('button', { name: 'Submit task' }).click();
  await page.getByRole('status').getByRole('link', { name: 'this step always fails' }).click();
  await expect(page.locator('.task-detail .badge').first()).toHaveText('failed', { timeout: 20_000 });
  const original = decodeURIComponent(page.url().split('/tasks/')[1]!);
  const result = page.getByRole('region', { name: 'Result' });
  await result.getByRole('button', { name: 'Retry', exact: true }).click();
  const retried = result.getByRole('status').getByRole('link', { name: /^tsk_/ });
  await expect(retried).toBeVisible();
  await retried.click();
  await expect(page.getByRole('heading', { name: 'this step always fails', level: 2 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Result' }).getByRole('link', { name: original })).toBeVisible();

  // Edit and resubmit: the form comes back filled in, and says what it resubmits.
  await page.getByRole('region', { name: 'Result' }).getByRole('button', { name: 'Edit and resubmit' }).click();
  await expect(page.getByLabel('What should the agent do?')).toHaveValue('this step always fails');
  await expect(page.getByLabel('Target repository (absolute path)')).toHaveValue(repo);
  await expect(page.getByText(/^Resubmitting tsk_/)).toBeVisible();
});

test('submit form: the repository is checked before submit', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.getByLabel('Target repository (absolute path)').fill(join(scratch, 'does-not-exist'));
  await expect(page.locator('#repoPath-error')).toContainText('is not an existing folder');
  const plain = join(scratch, 'plain-folder');
  mkdirSync(plain, { recursive: true });
  await page.getByLabel('Target repository (absolute path)').fill(plain);
  await expect(page.locator('#repoPath-error')).toContainText('not the root of a git repository');
  const repo = repoDir('checked');
  initRepo(repo, { 'x.txt': 'x\n' });
  await page.getByLabel('Target repository (absolute path)').fill(repo);
  await expect(page.locator('#repoPath-check')).toContainText('git repository');
});

test('stale token: the page says what happened and how to get the current address', async ({ page }) => {
  await page.goto(`${host.url}/#token=stale0token0from0an0earlier0launch`);
  await expect(page.getByRole('heading', { name: 'This page’s access token is no longer valid', level: 1 })).toBeVisible({ timeout: 15_000 });
  await expect(page.getByText('agent-agency open', { exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'New task' })).toHaveCount(0);
  await page.screenshot({ path: 'e2e-artifacts/stale-token.png', fullPage: true });
});

test('palette: Ctrl+K lists pages and actions with their shortcuts and runs them; J/K step through tasks', async ({ page }) => {
  await page.goto(host.launchUrl);
  await expect(page.getByRole('heading', { name: 'New task' })).toBeVisible();
  await page.keyboard.press('Control+k');
  const dialog = page.getByRole('dialog', { name: 'Command palette' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('option', { name: /^Search tasks/ })).toContainText('/');
  await expect(dialog.getByRole('option', { name: /^Next task/ })).toContainText('J');
  await page.screenshot({ path: 'e2e-artifacts/palette.png' });
  await page.keyboard.type('notifications');
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(/#\/settings\/notifications$/);
  await expect(page.getByRole('heading', { name: 'Notifications', level: 3 })).toBeFocused();

  // Single-key shortcuts outside text fields: "/" focuses the task search.
  await page.keyboard.press('/');
  await expect(page.getByRole('searchbox', { name: 'Search tasks' })).toBeFocused();
});

test('navigation: a skip link, and the page heading takes the focus', async ({ page }) => {
  await page.goto(host.launchUrl);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.getByRole('link', { name: 'Metrics', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Metrics', level: 2 })).toBeFocused();
});

test('badge: a task waiting for approval shows in the nav and the tab title; approving with A clears it', async ({ page }) => {
  await page.goto(host.launchUrl);
  await expect(page.getByRole('heading', { name: 'New task' })).toBeVisible();
  const repo = repoDir('badge');
  initRepo(repo, { 'x.txt': 'x\n' });
  const task = host.core.tasks.submit({ description: 'strict change for the badge', repoPath: repo, mode: 'strict', riskTier: 2, priority: 'normal', maxIterations: 3 });
  const badge = page.getByTestId('approvals-badge');
  await expect(badge).toHaveText('1', { timeout: 20_000 });
  await expect(page).toHaveTitle('(1) Agent Agency');
  await expect(page.getByRole('link', { name: 'Tasks', exact: true })).toHaveAccessibleDescription('1 task waits for your approval');
  await page.screenshot({ path: 'e2e-artifacts/approvals-badge.png' });
  await page.keyboard.press('a');
  await expect(page.getByRole('status').filter({ hasText: 'Approved plan' })).toBeVisible();
  // The plan approval is recorded (strict mode then asks again at the next phase boundary).
  await expect
    .poll(() => host.core.tasks.get(task.id).events.some((e) => e.type === 'approval.granted' && e.payload.gate === 'plan'), { timeout: 20_000 })
    .toBe(true);
});

test('catalogue: names this machine, searches and filters, says which checksums are verified, takes any Hugging Face GGUF', async ({ page }) => {
  await page.goto(still.launchUrl);
  await page.getByRole('link', { name: 'Models', exact: true }).click();
  const section = page.getByRole('region', { name: 'Recommended for this machine' });
  await expect(section).toBeVisible({ timeout: 30_000 });
  const machine = section.locator('#catalogue-machine');
  await expect(machine).toContainText(/memory/);
  if (process.platform === 'linux') await expect(machine).not.toContainText('Apple Silicon');
  const list = section.getByRole('list', { name: 'Model catalogue' });
  await section.getByRole('searchbox', { name: 'Search the catalogue' }).fill('coder');
  await expect(list.getByRole('listitem').first()).toContainText('Coder');
  for (const item of await list.getByRole('listitem').all()) await expect(item).toContainText(/coder/i);
  await expect(list.getByRole('listitem').filter({ hasText: 'Qwen3-Coder 30B-A3B' })).toContainText('checksum not verified');
  await section.getByRole('searchbox', { name: 'Search the catalogue' }).fill('phi-3');
  await expect(list.getByRole('listitem').filter({ hasText: 'Phi-3 mini' })).toContainText('checksum verified');
  await section.getByLabel('Repository').fill('not a repo');
  await section.getByLabel('File').fill('model.gguf');
  await section.getByRole('button', { name: 'Download from Hugging Face' }).click();
  await expect(section.getByRole('alert')).toContainText('repository: use owner/name');
  await page.screenshot({ path: 'e2e-artifacts/catalogue.png', fullPage: true });
});


import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { finishedDryRunOn } from '../src/main/core/apply/testing/dry-run-fixture';
import { updateTaskState } from '../src/main/core/db/queries/tasks';
import { initRepo } from '../src/main/core/workspace/testing/git-fixture';
import { startFakeOpenAi, type FakeOpenAi } from './fixtures/fake-openai';
import { startInProcessHost } from './fixtures/host';
import { fixtureAnswers } from './fixtures/scripted-answers';

// Every page, empty and populated, light and dark, at 1440×900 and at the desktop minimum 900×600,
// saved under e2e-artifacts/screens/ (the README shows some). At each size the page must not scroll
// sideways.
type Host = Awaited<ReturnType<typeof startInProcessHost>>;
let empty: Host;
let full: Host;
let server: FakeOpenAi;
let scratch: string;
let taskId = '';

const SIZES = [
  { width: 1440, height: 900 },
  { width: 900, height: 600 },
] as const;
const THEMES = ['light', 'dark'] as const;
const PAGES = ['tasks', 'models', 'knowledge', 'explorer', 'metrics', 'alerts', 'audit', 'settings'] as const;

test.beforeAll(async () => {
  // Fixture repositories live under the temp folder: let tasks target it (the default is the home folder).
  process.env['AGENT_AGENCY_ALLOWED_ROOTS'] = realpathSync(tmpdir());
  scratch = mkdtempSync(join(tmpdir(), 'aa-e2e-shots-'));
  empty = await startInProcessHost({ scheduler: { autoStart: false } });
  full = await startInProcessHost({ scheduler: { autoStart: false } });
  server = await startFakeOpenAi(fixtureAnswers());
  await full.core.models.addRemote({ name: 'qwen2.5-coder-7b', baseUrl: server.baseUrl, model: 'scripted' });
  full.core.models.assignRole('planner', 'qwen2.5-coder-7b');
  full.core.models.assignRole('worker', 'qwen2.5-coder-7b');
  // Two finished dry-runs with kept patches (the fixture's task is "Bump a").
  for (const i of [0, 1]) {
    const made = await finishedDryRunOn(full.core, join(scratch, `repo-${i}`));
    if (i === 0) taskId = made.taskId;
  }
  const failedRepo = join(scratch, 'other');
  initRepo(failedRepo, { 'README.md': '# other\n' });
  const failed = full.core.tasks.submit({ description: 'rename the config loader and update its callers', repoPath: failedRepo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 5 });
  updateTaskState(full.core.db, failed.id, { kind: 'failed', reason: 'the council rejected the change twice' }, 70, full.core.clock.now());
  full.core.tasks.submit({ description: 'document the retry policy in the README', repoPath: failedRepo, mode: 'strict', riskTier: 1, priority: 'high', maxIterations: 3 });
  // The knowledge base holds a document of its own (the page lists it beside nothing else).
  const doc = join(scratch, 'retry-policy.md');
  writeFileSync(doc, '# Retry policy\n\nFailed uploads are retried three times with exponential backoff, then reported.\n');
  await full.core.knowledge.add([doc]);
});

test.afterAll(async () => {
  await empty?.close();
  await full?.close();
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function shoot(page: Page, name: string) {
  await page.waitForTimeout(400);
  // The page's globals, typed here: e2e code is compiled without the DOM library.
  type PageWidth = { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
  const overflow = await page.evaluate(() => {
    const w = globalThis as unknown as PageWidth;
    return w.document.documentElement.scrollWidth - w.innerWidth;
  });
  expect.soft(overflow, `${name} scrolls sideways by ${overflow}px`).toBeLessThanOrEqual(0);
  await page.screenshot({ path: `e2e-artifacts/screens/${name}.png`, fullPage: true });
}

for (const size of SIZES) {
  for (const theme of THEMES) {
    test(`every page, empty and populated, ${theme}, ${size.width}×${size.height}`, async ({ page }) => {
      test.setTimeout(180_000);
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: theme });
      const suffix = `${theme}-${size.width}x${size.height}`;
      for (const [state, host] of [
        ['empty', empty],
        ['populated', full],
      ] as const) {
        await page.goto(host.launchUrl);
        await expect(page.getByRole('heading', { name: 'New task' })).toBeVisible();
        for (const p of PAGES) {
          await page.goto(`${host.url}/#/${p}`);
          await expect(page.locator('#main h2').first()).toBeVisible({ timeout: 30_000 });
          await shoot(page, `${state}-${p}-${suffix}`);
        }
        if (state === 'populated') {
          await page.goto(`${host.url}/#/tasks/${taskId}`);
          await expect(page.getByRole('heading', { name: 'Promote this dry-run' })).toBeVisible({ timeout: 30_000 });
          await shoot(page, `populated-task-${suffix}`);
        }
      }
    });
  }
}

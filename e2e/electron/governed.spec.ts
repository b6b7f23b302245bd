import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { electronBinary, hasDisplay } from '../../scripts/electron-binary.mjs';
import type { AgentAgencyApi } from '../../src/shared/contract';
import { startFakeOpenAi, type FakeOpenAi } from '../fixtures/fake-openai';
import { fixtureRepos } from '../fixtures/fixture-repo';
import { auditFlow, dryRunBook, dryRunFlow, overrideFlow, savedBundlePath, strictApproveFlow, strictDenyFlow, waitingPlanFlow } from '../fixtures/governed-flows';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const binary = electronBinary();

// Only machines with an Electron binary (and a display) can run the desktop app.
test.skip(!binary || !hasDisplay(), 'no Electron binary or no display on this machine');

// The desktop app as a user runs it: its own composition root, model service and steps. Its models
// sit behind an OpenAI-compatible endpoint on 127.0.0.1 that answers from the same script as the
// browser specs' scripted gateway, registered through the page's own contract object.
let dataDir: string;
let openai: FakeOpenAi;
const repos = fixtureRepos();

test.beforeAll(async () => {
  openai = await startFakeOpenAi(dryRunBook());
});
test.afterAll(async () => {
  await openai?.close();
  repos.cleanup();
});
test.beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'aa-electron-'));
});
test.afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

async function launch(): Promise<{ app: ElectronApplication; window: Page }> {
  const app = await electron.launch({ executablePath: binary!, args: [root], env: { ...process.env, AGENT_AGENCY_DATA_DIR: dataDir } });
  const window = await app.firstWindow();
  await expect(window.getByRole('navigation', { name: 'Main' })).toBeVisible();
  // A model added while roles are unassigned takes them all (planner, worker, each judge).
  const added = await window.evaluate(
    (baseUrl) => (globalThis as unknown as { agentAgency: AgentAgencyApi }).agentAgency.addRemoteModel({ name: 'scripted', baseUrl, model: 'scripted' }),
    openai.baseUrl,
  );
  expect(added.ok).toBe(true);
  return { app, window };
}

async function withApp(run: (window: Page) => Promise<void>): Promise<void> {
  const { app, window } = await launch();
  try {
    await run(window);
  } finally {
    await app.close();
  }
}

test('desktop: a dry-run task shows its spec, gates, four votes, iterations and diff; the repository untouched', async () => {
  test.setTimeout(180_000);
  await withApp((window) => dryRunFlow(window, repos.make(), 'electron-task-detail'));
});

test('desktop: the phase timeline follows a strict task to its plan approval', async () => {
  test.setTimeout(120_000);
  await withApp((window) => waitingPlanFlow(window, repos.make()));
});

test('desktop: strict approvals, denial at apply', async () => {
  test.setTimeout(180_000);
  await withApp((window) => strictDenyFlow(window, repos.make(), 'electron-strict'));
});

test('desktop: strict approved all the way lands a commit on the task branch', async () => {
  test.setTimeout(180_000);
  await withApp((window) => strictApproveFlow(window, repos.make(), 'electron-strict'));
});

test('desktop: overriding the council at the plan', async () => {
  test.setTimeout(120_000);
  await withApp((window) => overrideFlow(window, repos.make()));
});

test('desktop: export a bundle from the task page and verify it on the Audit page', async () => {
  test.setTimeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'aa-bundles-'));
  try {
    await withApp((window) => auditFlow(window, repos.make(), dir, savedBundlePath, 'electron-audit'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

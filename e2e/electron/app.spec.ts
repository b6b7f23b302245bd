import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';
import { electronBinary, hasDisplay } from '../../scripts/electron-binary.mjs';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const binary = electronBinary();

// Only machines with an Electron binary (and a display) can run the desktop app.
test.skip(!binary || !hasDisplay(), 'no Electron binary or no display on this machine');

test('desktop app: submit a task and see it queued with its events', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aa-electron-'));
  const repo = mkdtempSync(join(tmpdir(), 'aa-target-'));
  const app = await electron.launch({
    executablePath: binary!,
    args: [root],
    env: { ...process.env, AGENT_AGENCY_DATA_DIR: dataDir },
  });
  try {
    const window = await app.firstWindow();
    // The page sees the named contract methods and nothing of Node or Electron.
    const exposed = await window.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      api: Object.keys((globalThis as unknown as { agentAgency: object }).agentAgency).sort(),
    }));
    expect(exposed.require).toBe('undefined');
    expect(exposed.process).toBe('undefined');
    expect(exposed.api).toContain('submitTask');
    expect(exposed.api).not.toContain('invoke');

    await window.getByLabel('What should the agent do?').fill('Add input validation to the signup form');
    await window.getByLabel('Target repository (absolute path)').fill(repo);
    await window.getByRole('button', { name: 'Submit task' }).click();
    const row = window.getByRole('row', { name: /Add input validation/ });
    await expect(row.locator('[data-state]')).toHaveText('queued');
    await row.getByRole('link').click();
    await expect(window.locator('[data-event-type="task.created"]')).toBeVisible();
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  }
});

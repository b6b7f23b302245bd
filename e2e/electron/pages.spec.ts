import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { electronBinary, hasDisplay } from '../../scripts/electron-binary.mjs';

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const binary = electronBinary();

// Only machines with an Electron binary (and a display) can run the desktop app.
test.skip(!binary || !hasDisplay(), 'no Electron binary or no display on this machine');

let dataDir: string;
let repo: string;

test.beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'aa-electron-'));
  repo = mkdtempSync(join(tmpdir(), 'aa-target-'));
});
test.afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(repo, { recursive: true, force: true });
});

async function launch(): Promise<{ app: ElectronApplication; window: Page }> {
  const app = await electron.launch({ executablePath: binary!, args: [root], env: { ...process.env, AGENT_AGENCY_DATA_DIR: dataDir } });
  const window = await app.firstWindow();
  await expect(window.getByRole('navigation', { name: 'Main' })).toBeVisible();
  return { app, window };
}

async function submit(window: Page, description: string) {
  await window.getByRole('link', { name: 'Tasks', exact: true }).click();
  await window.getByLabel('What should the agent do?').fill(description);
  await window.getByLabel('Target repository (absolute path)').fill(repo);
  await window.getByRole('button', { name: 'Submit task' }).click();
  await expect(window.getByRole('row', { name: new RegExp(description) })).toBeVisible();
}

test('desktop: explorer browses tables, queries, and refuses a write', async () => {
  const { app, window } = await launch();
  try {
    await submit(window, 'Explore me from the desktop');
    await window.getByRole('link', { name: 'Explorer', exact: true }).click();
    await expect(window.locator('[data-table="tasks"]')).toContainText('1 row');
    await window.locator('[data-table="tasks"]').click();
    await expect(window.getByTestId('page-status')).toHaveText('Rows 1–1 of 1');
    await window.getByLabel('Query', { exact: true }).fill('SELECT description FROM tasks');
    await window.getByRole('button', { name: 'Run query' }).click();
    await expect(window.getByRole('table', { name: 'Query result' })).toContainText('Explore me from the desktop');
    await window.getByLabel('Query', { exact: true }).fill('DROP TABLE tasks');
    await window.getByRole('button', { name: 'Run query' }).click();
    await expect(window.locator('.query-error')).toContainText('Refused');
    await window.screenshot({ path: 'e2e-artifacts/electron-explorer.png' });
  } finally {
    await app.close();
  }
});

test('desktop: metrics render and settings persist across a reload', async () => {
  const { app, window } = await launch();
  try {
    await window.getByRole('link', { name: 'Metrics', exact: true }).click();
    await expect(window.getByRole('heading', { name: 'Metrics', level: 2 })).toBeVisible();
    await expect(window.locator('[data-total="Submitted"]')).toHaveText('0');
    await window.screenshot({ path: 'e2e-artifacts/electron-metrics.png' });

    await window.getByRole('link', { name: 'Settings', exact: true }).click();
    await window.getByLabel('Inference threads').fill('1');
    await window.getByLabel('Dark').check();
    await window.getByRole('button', { name: 'Save settings' }).click();
    await expect(window.getByText('Settings saved.')).toBeVisible();
    expect(await app.evaluate(({ nativeTheme }) => nativeTheme.themeSource)).toBe('dark');
    await window.reload();
    await expect(window.getByLabel('Inference threads')).toHaveValue('1');
    await expect(window.getByLabel('Dark')).toBeChecked();
    await window.screenshot({ path: 'e2e-artifacts/electron-settings.png' });
  } finally {
    await app.close();
  }
});

test('desktop: the window is locked down and remembers its size', async () => {
  const first = await launch();
  try {
    const prefs = await first.app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0]!;
      // Undocumented but long-standing (Electron's own tests use it); typed here because it is not in the d.ts.
      const p = (w.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> | null }).getLastWebPreferences();
      return { contextIsolation: p?.contextIsolation, sandbox: p?.sandbox, nodeIntegration: p?.nodeIntegration, webviewTag: p?.webviewTag };
    });
    expect(prefs).toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    // Nothing of Node reaches the page.
    expect(await first.window.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process])).toEqual(['undefined', 'undefined']);
    // A page cannot navigate the window away or open another one.
    const before = first.window.url();
    await first.window.evaluate(() => {
      (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
    });
    await first.window.waitForTimeout(500);
    expect(first.window.url()).toBe(before);
    expect(await first.window.evaluate(() => (globalThis as unknown as { open(u: string): unknown }).open('https://example.com/') === null)).toBe(true);
    expect(await first.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);

    await first.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.setBounds({ x: 40, y: 60, width: 1000, height: 700 }));
  } finally {
    await first.app.close();
  }
  const file = join(dataDir, 'window-state.json');
  expect(existsSync(file)).toBe(true);
  expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ width: 1000, height: 700 });
  const second = await launch();
  try {
    const bounds = await second.app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.getBounds());
    expect(bounds).toMatchObject({ width: 1000, height: 700 });
  } finally {
    await second.app.close();
  }
});

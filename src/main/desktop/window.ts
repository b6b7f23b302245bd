import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { screen, session, shell, type BrowserWindow } from 'electron';
import { RENDERER_CSP } from './secure-preferences';
import { createSecureWindow } from './secure-window';
import { loadWindowState, placeWindow, saveWindowState } from './window-state';

export type WindowUrls = { rendererUrl: string | undefined; rendererFile: string; preload: string };

const DEFAULT_SIZE = { width: 1280, height: 820 };
const SAVE_DELAY_MS = 500;

/** Opens the main window where it was last left (from `stateFile`, in the data folder), and keeps that file current. */
export function createMainWindow(urls: WindowUrls, stateFile?: string): BrowserWindow {
  const saved = stateFile ? loadWindowState(stateFile) : undefined;
  const primary = screen.getPrimaryDisplay();
  const areas = [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea);
  const win = createSecureWindow(
    { ...placeWindow(saved, areas, DEFAULT_SIZE), minWidth: 900, minHeight: 600, title: 'Agent Agency', show: false },
    urls.preload,
  );
  if (saved?.maximized) win.maximize();
  if (saved?.fullScreen) win.setFullScreen(true);
  if (stateFile) rememberWindowState(win, stateFile);
  win.once('ready-to-show', () => win.show());
  // Our pages never navigate away or open windows; links to the web open in the browser.
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  if (urls.rendererUrl) void win.loadURL(urls.rendererUrl);
  else void win.loadFile(urls.rendererFile);
  return win;
}

/** Shows a page of the app (`tasks/<id>`, `settings`…): a change of the URL's fragment, so the page is not reloaded. */
export function showRoute(win: BrowserWindow, urls: WindowUrls, route: string): void {
  const base = urls.rendererUrl ?? pathToFileURL(urls.rendererFile).href;
  void win.loadURL(`${base.replace(/#.*$/, '')}#/${route}`);
}

function rememberWindowState(win: BrowserWindow, file: string): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    timer = undefined;
    if (win.isDestroyed()) return;
    // The normal bounds, so a maximised window comes back maximised over the size it had before.
    const b = win.getNormalBounds();
    try {
      saveWindowState(file, { ...b, maximized: win.isMaximized(), fullScreen: win.isFullScreen() });
    } catch {
      // A read-only data folder costs the remembered position, nothing more.
    }
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, SAVE_DELAY_MS);
  };
  for (const e of ['resize', 'move', 'maximize', 'unmaximize', 'enter-full-screen', 'leave-full-screen'] as const) win.on(e as 'resize', later);
  win.on('close', () => {
    if (timer) clearTimeout(timer);
    save();
  });
}

/** Applies the CSP to every response and denies every permission request. */
export function hardenSession(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}

export const rendererPaths = (mainDir: string): WindowUrls => ({
  rendererUrl: process.env['ELECTRON_RENDERER_URL'],
  rendererFile: join(mainDir, '../renderer/index.html'),
  preload: join(mainDir, '../preload/index.cjs'),
});

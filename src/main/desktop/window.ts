import { join } from 'node:path';
import { BrowserWindow, session, shell } from 'electron';
import { RENDERER_CSP, secureWebPreferences } from './secure-window';

export type WindowUrls = { rendererUrl: string | undefined; rendererFile: string; preload: string };

export function createMainWindow(urls: WindowUrls): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Agent Agency',
    show: false,
    webPreferences: secureWebPreferences(urls.preload),
  });
  win.once('ready-to-show', () => win.show());
  // Our pages never navigate away or open windows; links to the web open in the browser.
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  if (urls.rendererUrl) void win.loadURL(urls.rendererUrl);
  else void win.loadFile(urls.rendererFile);
  return win;
}

/** Applies the CSP to every response and denies every permission request. */
export function hardenSession(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
}

export const rendererPaths = (mainDir: string): WindowUrls => ({
  rendererUrl: process.env['ELECTRON_RENDERER_URL'],
  rendererFile: join(mainDir, '../renderer/index.html'),
  preload: join(mainDir, '../preload/index.cjs'),
});

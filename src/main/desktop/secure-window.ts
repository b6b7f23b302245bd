import { BrowserWindow, type BrowserWindowConstructorOptions } from 'electron';

export { RENDERER_CSP, secureWebPreferences } from './secure-preferences';

/**
 * The only way this app makes a window. Its web preferences are written out here, in the
 * constructor call itself, so the static security scan (scripts/electronegativity.mjs) reads the
 * values the window really gets; secure-window.test.ts checks they equal secureWebPreferences and
 * that nothing else in the shell constructs a window.
 */
export function createSecureWindow(options: Omit<BrowserWindowConstructorOptions, 'webPreferences'>, preload: string): BrowserWindow {
  return new BrowserWindow({
    ...options,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
      spellcheck: false,
    },
  });
}

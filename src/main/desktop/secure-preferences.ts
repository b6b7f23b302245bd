import type { BrowserWindowConstructorOptions } from 'electron';

type WebPreferences = NonNullable<BrowserWindowConstructorOptions['webPreferences']>;

/**
 * The web preferences of every window of this app. createSecureWindow (secure-window.ts) writes
 * the same values out literally; secure-window.test.ts fails if the two ever differ.
 */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
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
    // Middle-click would otherwise open links in new windows, around the window-open handler.
    disableBlinkFeatures: 'Auxclick',
    spellcheck: false,
  };
}

export const RENDERER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

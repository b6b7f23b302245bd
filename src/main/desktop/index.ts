import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow } from 'electron';
import { createCore, type Core } from '../core/app-core';
import { createLogger } from '../core/observability/logger';
import { bindContract } from './ipc';
import { createMainWindow, hardenSession, rendererPaths } from './window';

const mainDir = dirname(fileURLToPath(import.meta.url));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let core: Core | undefined;
  let unbind: (() => void) | undefined;
  const paths = rendererPaths(mainDir);
  const rendererBase = paths.rendererUrl ?? pathToFileURL(paths.rendererFile).href;
  const isTrustedUrl = (url: string) => url.startsWith(paths.rendererUrl ?? rendererBase);

  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  void app.whenReady().then(() => {
    const dataDir = process.env['AGENT_AGENCY_DATA_DIR'] ?? app.getPath('userData');
    core = createCore({ dataDir, logger: createLogger() });
    hardenSession();
    unbind = bindContract(core, isTrustedUrl);
    createMainWindow(paths);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow(paths);
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    unbind?.();
    core?.close();
  });
}

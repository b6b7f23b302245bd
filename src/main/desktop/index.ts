import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, powerMonitor } from 'electron';
import { startHeadlessHost, type HeadlessHost } from '../server/host';
import { productionSteps } from '../core/composition/production-steps';
import { createCore, type Core } from '../core/composition/app-core';
import { createLogger } from '../core/observability/logger';
import { readDataDirPointer } from '../core/settings/data-dir-pointer';
import { bindContract } from './ipc';
import { createPowerProbe } from './power-probe';
import { startShell } from './shell';
import { createMainWindow, hardenSession, rendererPaths } from './window';
import { windowStateFile } from './window-state';

const mainDir = dirname(fileURLToPath(import.meta.url));

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let core: Core | undefined;
  let unbind: (() => void) | undefined;
  let stopShell: (() => void) | undefined;
  let apiHost: HeadlessHost | undefined;
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
    // The environment fixes the data folder; otherwise Settings may have chosen one for this start.
    const fixedDataDir = process.env['AGENT_AGENCY_DATA_DIR'];
    const dataDirPointer = fixedDataDir ? undefined : join(app.getPath('userData'), 'data-folder.json');
    const dataDir = fixedDataDir ?? (dataDirPointer && readDataDirPointer(dataDirPointer)) ?? app.getPath('userData');
    core = createCore({
      dataDir,
      dataDirPointer,
      logger: createLogger(),
      scheduler: { platformProbes: [createPowerProbe(powerMonitor)] },
      steps: productionSteps,
      tools: { autoStart: true },
    });
    hardenSession();
    unbind = bindContract(core, isTrustedUrl);
    stopShell = startShell(core, paths);
    // The REST API, the OpenAI-compatible endpoint and MCP on 127.0.0.1, advertised in the data
    // folder so the CLI drives this window's engine instead of starting a second one.
    const logger = core.logger;
    startHeadlessHost({ core, rendererDir: join(mainDir, '../renderer'), port: 0, advertise: true })
      .then((h) => (apiHost = h))
      .catch((e: unknown) => logger.warn({ err: e }, 'local API not started; the CLI will not find this window'));
    const stateFile = windowStateFile(dataDir);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow(paths, stateFile);
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    void apiHost?.close();
    stopShell?.();
    unbind?.();
    core?.close();
  });
}

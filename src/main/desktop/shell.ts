import { app, BrowserWindow, Menu, nativeTheme, Notification } from 'electron';
import type { Core } from '../core/composition/app-core';
import { startAlertNotifications, type AlertTrayLine } from './alert-notifier';
import { ElectronAlertNotifier } from './alert-notifications';
import { appMenu } from './menu';
import { startNotifications } from './notifications';
import { performShellAction } from './shell-actions';
import { startTray } from './tray';
import type { ShellAction } from './tray-model';
import { createMainWindow, showRoute, type WindowUrls } from './window';
import { windowStateFile } from './window-state';

/**
 * Everything native around the window: the app menu, the menu-bar control, notifications, the
 * window's remembered state and the theme. Each part talks to the core only.
 */
export function startShell(core: Core, urls: WindowUrls): () => void {
  const stateFile = windowStateFile(core.dataDir);
  const mainWindow = (): BrowserWindow => {
    const [existing] = BrowserWindow.getAllWindows();
    return existing ?? createMainWindow(urls, stateFile);
  };
  const showWindow = (route?: string) => {
    const win = mainWindow();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    if (route) showRoute(win, urls, route);
  };
  const act = (via: 'menu-bar' | 'notification') => (action: ShellAction) => {
    const result = performShellAction({ tasks: core.tasks, engine: core.engine, logger: core.logger, showWindow, quit: () => app.quit() }, action, via);
    // A refusal is shown where the person acted, never only logged.
    if (result.refusals.length > 0 && Notification.isSupported()) {
      new Notification({ title: 'Agent Agency could not do that', body: result.refusals.join('\n').slice(0, 500) }).show();
    }
  };

  nativeTheme.themeSource = core.settings.get().theme;
  const offTheme = core.settings.onChange((s) => (nativeTheme.themeSource = s.theme));
  Menu.setApplicationMenu(appMenu({ navigate: (route) => showWindow(route), onAction: act('menu-bar'), developer: !app.isPackaged }));
  let alertLine: AlertTrayLine = null;
  const tray = startTray(core, act('menu-bar'), { alertLine: () => alertLine });
  const stopNotifications = startNotifications(core, {
    windowFocused: () => BrowserWindow.getFocusedWindow() !== null,
    onAction: act('notification'),
  });
  // Alerts of the objectives: a native notification when one fires or resolves, a line in the menu bar while any fires.
  const alertNotifier = new ElectronAlertNotifier({
    openAlerts: () => showWindow('alerts'),
    onTrayLine: (line) => {
      alertLine = line;
      tray.refresh();
    },
  });
  const stopAlerts = startAlertNotifications(core.slo, alertNotifier, core.clock);
  createMainWindow(urls, stateFile);

  return () => {
    offTheme();
    stopAlerts();
    alertNotifier.close();
    stopNotifications();
    tray.stop();
  };
}

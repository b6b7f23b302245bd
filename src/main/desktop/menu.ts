import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { ShellAction } from './tray-model';

export type AppMenuDeps = {
  navigate(route: string): void;
  onAction(action: ShellAction): void;
  /** Reload and developer tools only in development builds. */
  developer: boolean;
};

const PAGES: [route: string, label: string][] = [
  ['tasks', 'Tasks'],
  ['models', 'Models'],
  ['explorer', 'Explorer'],
  ['metrics', 'Metrics'],
  ['audit', 'Audit'],
  ['settings', 'Settings'],
];

/** The application menu; every page is reachable from the keyboard (⌘1…⌘6). */
export function appMenu(deps: AppMenuDeps, platform: NodeJS.Platform = process.platform): Menu {
  const mac = platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(mac
      ? [
          {
            label: 'Agent Agency',
            submenu: [
              { role: 'about' },
              { type: 'separator' },
              { label: 'Settings…', accelerator: 'CmdOrCtrl+,', click: () => deps.navigate('settings') },
              { type: 'separator' },
              { role: 'services' },
              { type: 'separator' },
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              { type: 'separator' },
              { role: 'quit' },
            ],
          } satisfies MenuItemConstructorOptions,
        ]
      : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Task', accelerator: 'CmdOrCtrl+N', click: () => deps.navigate('tasks') },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'Tasks',
      submenu: [
        { label: 'Pause All at the Next Safe Point', accelerator: 'CmdOrCtrl+Shift+P', click: () => deps.onAction({ kind: 'pause-all' }) },
        { label: 'Resume All', accelerator: 'CmdOrCtrl+Shift+R', click: () => deps.onAction({ kind: 'resume-all' }) },
      ],
    },
    {
      label: 'View',
      submenu: [
        ...PAGES.map(([route, label], i): MenuItemConstructorOptions => ({ label, accelerator: `CmdOrCtrl+${i + 1}`, click: () => deps.navigate(route) })),
        { type: 'separator' },
        ...(deps.developer ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] satisfies MenuItemConstructorOptions[]) : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  return Menu.buildFromTemplate(template);
}

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Db } from '../db/open';
import { getWorkspace } from '../db/queries/workspaces';

/** Shows a folder in the platform's file manager; false when there is none to ask (no display). */
export type FolderOpener = (path: string) => Promise<boolean>;

/** The desktop passes Electron's shell.openPath; headless, a file manager is asked only where a display is. */
export const platformOpener: FolderOpener = (path) => {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(command, [path], { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
};

/** A task's workspace folder (while it exists), shown in a file manager when asked and possible. */
export async function taskFolder(db: Db, taskId: string, open: boolean, opener: FolderOpener): Promise<{ taskId: string; path: string | null; opened: boolean }> {
  const record = getWorkspace(db, taskId);
  const path = record && record.state !== 'removed' && existsSync(record.path) ? record.path : null;
  if (!path || !open) return { taskId, path, opened: false };
  return { taskId, path, opened: await opener(path) };
}

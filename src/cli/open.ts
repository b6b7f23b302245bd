import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { defaultDataDir } from '../main/core/paths';
import { findInstance, isAlive } from './client/connect';
import { EXIT, type ExitCode } from './exit-codes';
import { processIo, type Io } from './io';

export type OpenOptions = { dataDir?: string; json?: boolean; print?: boolean };

/** Whether a browser can be started here: a Mac, Windows, or a Linux session with a display. */
function canOpenBrowser(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY']);
}

function openBrowser(url: string): Promise<boolean> {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  return new Promise((done) => {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.once('error', () => done(false));
    child.once('spawn', () => {
      child.unref();
      done(true);
    });
  });
}

/**
 * `agent-agency open`: the running instance's current address with its token (every launch mints a new
 * one, so an old tab or bookmark stops working), printed and opened in the browser where there is one.
 */
export async function openCommand(options: OpenOptions, io: Io = processIo): Promise<ExitCode> {
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  const instance = findInstance(dataDir);
  if (!instance || !(await isAlive(instance))) {
    io.err(`agent-agency: no running Agent Agency found for ${dataDir}; start it with "npm start" or "agent-agency serve"\n`);
    return EXIT.unavailable;
  }
  const url = `${instance.url.replace(/\/$/, '')}/#token=${instance.token}`;
  const browser = !options.print && canOpenBrowser() ? await openBrowser(url) : false;
  if (options.json) io.out(`${JSON.stringify({ url, opened: browser })}\n`);
  else io.out(`${url}\n${browser ? 'Opened in your browser.' : 'Open this address in your browser (it carries this launch\'s access token).'}\n`);
  return EXIT.ok;
}

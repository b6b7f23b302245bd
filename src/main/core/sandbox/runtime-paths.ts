import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What a sandboxed command needs to see of the app itself, read-only: the folder of the runtime
 * that runs the app (the pinned Node that `node_modules/.bin/node` points at, or Electron) and the
 * app's own `node_modules` (tool servers such as the MCP filesystem server live there). When the
 * app is installed under a masked folder (a checkout in /tmp or in the home folder) these would
 * otherwise vanish inside the sandbox and a command would fall back to another `node`, or fail.
 * Neither holds secrets; hidden paths inside them are masked again by the backends.
 */
export function runtimeReadOnly(): string[] {
  const out = new Set<string>();
  try {
    out.add(dirname(realpathSync(process.execPath)));
  } catch {
    // An exec path that cannot be resolved adds nothing.
  }
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 10; i++) {
    const candidate = join(dir, 'node_modules');
    if (existsSync(candidate)) {
      out.add(candidate);
      break;
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return [...out];
}

import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Where the app keeps its data unless told otherwise: AGENT_AGENCY_DATA_DIR, then the platform's
 * usual place (the same folder Electron's `userData` uses for this app name).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const override = env['AGENT_AGENCY_DATA_DIR'];
  if (override) return override;
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Agent Agency');
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Agent Agency');
  return join(env['XDG_CONFIG_HOME'] ?? join(homedir(), '.config'), 'agent-agency');
}

export const dataFiles = (dataDir: string) => ({
  database: join(dataDir, 'agent-agency.db'),
  /** Port and token of a running instance, for the CLI to find it. */
  instance: join(dataDir, 'instance.json'),
});

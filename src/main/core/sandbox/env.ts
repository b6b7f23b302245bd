import { delimiter, join } from 'node:path';

/**
 * The environment a sandboxed command sees: nothing from the host but PATH and locale (API keys,
 * tokens and agent sockets in the app's own environment stay out), HOME and TMPDIR in the private
 * temp folder, the workspace's `node_modules/.bin` first on PATH as under npm, and test runners
 * out of watch mode and colour.
 */
export function sandboxEnv(workspaceDir: string, extra: Record<string, string> = {}, host: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const base: Record<string, string> = {
    PATH: [join(workspaceDir, 'node_modules', '.bin'), host['PATH'] ?? '/usr/local/bin:/usr/bin:/bin'].join(delimiter),
    HOME: '/tmp',
    TMPDIR: '/tmp',
    LANG: host['LANG'] ?? 'C.UTF-8',
    CI: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    // The workspace belongs to the app's user, the command may run as another; git must still read it.
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'safe.directory',
    GIT_CONFIG_VALUE_0: '*',
  };
  return { ...base, ...extra };
}

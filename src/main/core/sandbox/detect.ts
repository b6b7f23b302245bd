import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BwrapBackend } from './bwrap-backend';
import { SeatbeltBackend } from './seatbelt-backend';
import type { SandboxBackend } from './types';

export type SandboxDetection =
  | { available: true; backend: SandboxBackend }
  | { available: false; reason: string; installHint: string };

export const INSTALL_HINT: Record<string, string> = {
  linux: 'install bubblewrap and util-linux (Debian/Ubuntu: `sudo apt-get install bubblewrap util-linux`; Fedora: `sudo dnf install bubblewrap`), then run `agent-agency sandbox check`',
  darwin: '`/usr/bin/sandbox-exec` ships with macOS; if it is missing the system is damaged — reinstall the command line tools or macOS',
  other: 'this platform has no supported sandbox (bubblewrap on Linux, sandbox-exec on macOS)',
};

export function findExecutable(name: string, path = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of [...path.split(delimiter), '/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/bin']) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const exec = (file: string, args: string[]) =>
  new Promise<{ ok: boolean; out: string }>((resolve) => {
    execFile(file, args, { timeout: 10_000 }, (error, stdout, stderr) => resolve({ ok: !error, out: `${stdout}${stderr}`.trim() }));
  });

/**
 * Which sandbox this machine has, proven by running `true` inside it (bubblewrap can be installed
 * yet unusable, e.g. in a container without user namespaces).
 */
export async function detectSandbox(platform: NodeJS.Platform = process.platform): Promise<SandboxDetection> {
  if (platform === 'linux') {
    const bwrap = findExecutable('bwrap');
    const prlimit = findExecutable('prlimit');
    const setpriv = findExecutable('setpriv');
    if (!bwrap) return { available: false, reason: 'bubblewrap (bwrap) is not installed', installHint: INSTALL_HINT['linux']! };
    if (!prlimit) return { available: false, reason: 'prlimit (util-linux) is not installed', installHint: INSTALL_HINT['linux']! };
    const root = process.getuid?.() === 0;
    if (root && !setpriv) return { available: false, reason: 'running as root needs setpriv (util-linux) to drop privileges', installHint: INSTALL_HINT['linux']! };
    const version = await exec(bwrap, ['--version']);
    const probeArgs = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-net', '--unshare-pid', '--die-with-parent'];
    if (!root) probeArgs.push('--unshare-user');
    const probe = await exec(bwrap, [...probeArgs, '--', 'true']);
    if (!probe.ok) return { available: false, reason: `bubblewrap is installed but cannot create a sandbox here: ${probe.out || 'unknown error'}`, installHint: 'enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, or on Ubuntu 24.04+ an AppArmor profile for bwrap)' };
    return { available: true, backend: new BwrapBackend({ bwrap, prlimit, setpriv, version: version.out || 'bubblewrap' }) };
  }
  if (platform === 'darwin') {
    const sandboxExec = '/usr/bin/sandbox-exec';
    try {
      accessSync(sandboxExec, constants.X_OK);
    } catch {
      return { available: false, reason: 'sandbox-exec is missing', installHint: INSTALL_HINT['darwin']! };
    }
    const probe = await exec(sandboxExec, ['-p', '(version 1)(allow default)', '/usr/bin/true']);
    if (!probe.ok) return { available: false, reason: `sandbox-exec cannot run a profile: ${probe.out}`, installHint: INSTALL_HINT['darwin']! };
    return { available: true, backend: new SeatbeltBackend(sandboxExec) };
  }
  return { available: false, reason: `no sandbox for ${platform}`, installHint: INSTALL_HINT['other']! };
}

import { join } from 'node:path';
import { isWithin } from './bwrap-args';
import type { SandboxPolicy } from './policy';

/** An SBPL string literal. */
export const sbplString = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

const subpath = (p: string) => `(subpath ${sbplString(p)})`;

/**
 * The macOS Seatbelt profile for one run, generated from the same policy object as the bubblewrap
 * argv. Everything is denied by default; every allow names what it keeps out with `require-not`,
 * so the profile's meaning does not depend on rule order.
 */
export function seatbeltProfile(policy: SandboxPolicy, privateTmp: string): string {
  const ws = policy.workspaceDir;
  const hiddenOutside = policy.hidden.filter((h) => !isWithin(h, ws));
  const hiddenInside = policy.hidden.filter((h) => isWithin(h, ws) && h !== ws);
  const readOnlyInside = policy.readOnlyInWorkspace.map((e) => join(ws, e));
  const not = (paths: string[]) => paths.map((p) => `(require-not ${subpath(p)})`).join(' ');
  const lines = [
    '(version 1)',
    '(deny default)',
    ';; processes: run and fork, signal only what runs inside this sandbox',
    '(allow process-exec)',
    '(allow process-fork)',
    '(allow signal (target same-sandbox))',
    '(allow process-info* (target same-sandbox))',
    '(allow sysctl-read)',
    '(allow iokit-open (iokit-user-client-class "RootDomainUserClient"))',
    '(allow mach-lookup (global-name "com.apple.system.opendirectoryd.libinfo") (global-name "com.apple.system.logger") (global-name "com.apple.system.notification_center") (global-name "com.apple.coreservices.launchservicesd"))',
    '(allow ipc-posix-sem)',
    '(allow ipc-posix-shm-read-data ipc-posix-shm-read-metadata (ipc-posix-name "apple.shm.notification_center"))',
    '(allow pseudo-tty)',
    '(allow file-read* file-write* file-ioctl (literal "/dev/null") (literal "/dev/zero") (literal "/dev/tty") (literal "/dev/ptmx") (regex #"^/dev/ttys[0-9]+$"))',
    '(allow file-read* (literal "/dev/random") (literal "/dev/urandom"))',
    ';; read-only view of the system, without the hidden paths (home, credentials, app data)',
    `(allow file-read* (require-all (subpath "/") ${not(hiddenOutside)}))`,
    ...policy.extraReadOnly.map((p) => `(allow file-read* ${subpath(p)})`),
    ';; the workspace: readable and writable, except what stays read-only or hidden inside it',
    `(allow file-read* (require-all ${subpath(ws)} ${not(hiddenInside)}))`,
    `(allow file-write* (require-all ${subpath(ws)} ${not([...readOnlyInside, ...hiddenInside])}))`,
    ';; the private temp folder',
    `(allow file-read* file-write* ${subpath(privateTmp)})`,
  ];
  if (policy.network) {
    lines.push(';; network: granted for this task', '(allow network*)', '(allow system-socket)', '(allow mach-lookup (global-name "com.apple.dnssd.service") (global-name "com.apple.SystemConfiguration.configd"))');
  } else {
    lines.push(';; network: none (denied by default)');
  }
  return `${lines.join('\n')}\n`;
}

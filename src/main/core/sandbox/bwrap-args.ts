import { isAbsolute, join, relative } from 'node:path';
import type { SandboxPolicy } from './policy';

export type PathKind = 'dir' | 'file' | 'missing';

export type BwrapPlan = {
  policy: SandboxPolicy;
  cwd: string;
  argv: readonly string[];
  /** What each policy path is on the host (folders get an empty tmpfs, files /dev/null). */
  kindOf: (path: string) => PathKind;
  /**
   * The host runs as root: RLIMIT_NPROC does not bind uid 0, so after the privileged mount setup the
   * command drops to `dropToUid` (nobody), where the process limit does hold.
   */
  dropToUid?: number | undefined;
  prlimitPath: string;
  setprivPath?: string | undefined;
};

/** `a` is `b` or lies inside it. */
export const isWithin = (a: string, b: string): boolean => {
  const rel = relative(b, a);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * The bubblewrap argv for one run, built from the policy alone (pure, unit-tested). Mount order
 * matters: the whole system read-only, private /tmp, the hidden paths masked, then the workspace
 * bound writable on top, its `.git` read-only again, and secrets inside the workspace masked last.
 */
export function bwrapArgs(plan: BwrapPlan): string[] {
  const { policy } = plan;
  const ws = policy.workspaceDir;
  const args: string[] = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  args.push('--perms', '1777', '--tmpfs', '/tmp', '--perms', '1777', '--tmpfs', '/var/tmp');

  const hidden = [...new Set(policy.hidden)].sort((a, b) => a.length - b.length);
  const masked: string[] = ['/tmp', '/var/tmp'];
  const mask = (p: string) => {
    const kind = plan.kindOf(p);
    if (kind === 'missing') return;
    if (kind === 'dir') args.push('--tmpfs', p);
    else args.push('--ro-bind', '/dev/null', p);
    masked.push(p);
  };
  // Folders bound back on top of a mask (the workspace, extra read-only folders): hidden paths
  // inside them are masked again after the bind, so a secret never reappears.
  const exposed = [ws, ...policy.extraReadOnly];
  const reMasked = hidden.filter((p) => exposed.some((e) => isWithin(p, e) && p !== e));
  for (const p of hidden) {
    if (reMasked.includes(p) || exposed.includes(p)) continue;
    // Under an already masked folder it is not there to see.
    if (masked.some((m) => isWithin(p, m))) continue;
    mask(p);
  }

  // bwrap gives the folders it creates on a mask the host folder's mode (often 0700); a command that
  // runs as another user (root hosts) must still walk down to what is bound below.
  const openWay = (target: string) => {
    const parts = target.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const ancestor = `/${parts.slice(0, i).join('/')}`;
      if (masked.some((m) => isWithin(ancestor, m) && ancestor !== m)) args.push('--perms', '0755', '--dir', ancestor);
    }
  };
  for (const p of policy.extraReadOnly) {
    if (plan.kindOf(p) === 'missing') continue;
    openWay(p);
    args.push('--ro-bind', p, p);
  }
  openWay(ws);
  args.push('--bind', ws, ws);
  for (const entry of policy.readOnlyInWorkspace) {
    const p = join(ws, entry);
    if (plan.kindOf(p) !== 'missing') args.push('--ro-bind', p, p);
  }
  for (const p of reMasked) mask(p);

  args.push('--chdir', plan.cwd);
  args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--hostname', 'sandbox');
  if (!policy.network) args.push('--unshare-net');
  if (plan.dropToUid === undefined) {
    // Unprivileged: a user namespace of our own, and no nested one to regain capabilities in.
    args.push('--unshare-user', '--disable-userns');
  } else {
    // Privileged setup, then only what setpriv needs to drop to the unprivileged user.
    args.push('--cap-drop', 'ALL', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_SETPCAP');
  }
  args.push('--die-with-parent', '--new-session');

  const l = policy.limits;
  args.push(
    '--',
    plan.prlimitPath,
    // Soft limit first (SIGXCPU, a nameable exit), the hard one two seconds later (SIGKILL).
    `--cpu=${l.cpuSeconds}:${l.cpuSeconds + 2}`,
    `--data=${l.memoryBytes}`,
    `--nproc=${l.maxProcesses}`,
    `--fsize=${l.maxFileBytes}`,
    '--core=0',
    '--',
  );
  if (plan.dropToUid !== undefined) {
    if (!plan.setprivPath) throw new Error('running as root needs setpriv to drop privileges');
    const id = String(plan.dropToUid);
    args.push(plan.setprivPath, `--reuid=${id}`, `--regid=${id}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--');
  }
  args.push(...plan.argv);
  return args;
}

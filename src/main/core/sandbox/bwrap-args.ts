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

type MountOp = { path: string; kind: 'mask' | 'ro' | 'rw' };

const depth = (p: string): number => p.split('/').filter(Boolean).length;

/**
 * The bubblewrap argv for one run, built from the policy alone (pure, unit-tested). Mounts go
 * outermost first, so a deeper one always lands on top: the whole system read-only, a private
 * /tmp, then the hidden paths masked, the read-only folders and the writable workspace bound, its
 * `.git` read-only again, each in order of depth. A secret inside a bound folder is masked after
 * the bind; a folder bound inside a hidden one (a workspace in the home folder) after the mask.
 */
export function bwrapArgs(plan: BwrapPlan): string[] {
  const { policy } = plan;
  const ws = policy.workspaceDir;
  const args: string[] = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  args.push('--perms', '1777', '--tmpfs', '/tmp', '--perms', '1777', '--tmpfs', '/var/tmp');
  const applied: MountOp[] = [
    { path: '/', kind: 'ro' },
    { path: '/tmp', kind: 'mask' },
    { path: '/var/tmp', kind: 'mask' },
  ];
  /** The mount that decides what is seen at `p`: the deepest one applied so far that holds it. */
  const coverOf = (p: string): MountOp =>
    applied.filter((op) => isWithin(p, op.path)).reduce((a, b) => (depth(b.path) >= depth(a.path) ? b : a));

  const exposed = new Set([ws, ...policy.extraReadOnly]);
  const ops: MountOp[] = [
    // A path both hidden and bound on purpose (the workspace itself) is bound.
    ...[...new Set(policy.hidden)].filter((p) => !exposed.has(p)).map((path) => ({ path, kind: 'mask' as const })),
    ...policy.extraReadOnly.filter((p) => p !== ws).map((path) => ({ path, kind: 'ro' as const })),
    { path: ws, kind: 'rw' },
    ...policy.readOnlyInWorkspace.map((entry) => ({ path: join(ws, entry), kind: 'ro' as const })),
  ];
  // Stable: equal depths never hold one another, so their order does not matter.
  ops.sort((a, b) => depth(a.path) - depth(b.path));

  for (const op of ops) {
    const kind = plan.kindOf(op.path);
    if (kind === 'missing' && op.path !== ws) continue;
    if (op.kind === 'mask') {
      // Under a mask already: it is not there to see, and masking it would leave an empty entry.
      if (coverOf(op.path).kind === 'mask') continue;
      if (kind === 'dir') args.push('--tmpfs', op.path);
      else args.push('--ro-bind', '/dev/null', op.path);
    } else {
      // bwrap gives the folders it creates on a mask the host folder's mode (often 0700); a command
      // that runs as another user (root hosts) must still walk down to what is bound below.
      const parts = op.path.split('/').filter(Boolean);
      for (let i = 1; i < parts.length; i++) {
        const ancestor = `/${parts.slice(0, i).join('/')}`;
        const cover = coverOf(ancestor);
        if (cover.kind === 'mask' && cover.path !== ancestor) args.push('--perms', '0755', '--dir', ancestor);
      }
      args.push(op.kind === 'rw' ? '--bind' : '--ro-bind', op.path, op.path);
    }
    applied.push(op);
  }

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

import { realpathSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { bwrapArgs, type PathKind } from './bwrap-args';
import { buildPolicy, describePolicy } from './policy';
import { SeatbeltBackend } from './seatbelt-backend';
import { sbplString, seatbeltProfile } from './seatbelt-profile';

const home = '/Users/ana';
const policy = (network = false) =>
  buildPolicy({ workspaceDir: `${home}/Library/Application Support/Agent Agency/workspaces/t1`, homeDir: home, dataDir: `${home}/Library/Application Support/Agent Agency`, network });

describe('seatbelt profile generated from the policy', () => {
  it('denies by default and allows writes only to the workspace (minus .git) and the private temp folder', () => {
    const p = policy();
    const text = seatbeltProfile(p, '/private/var/folders/xy/T/aa-sandbox-1');
    expect(text.startsWith('(version 1)\n(deny default)\n')).toBe(true);
    const writes = text.split('\n').filter((l) => l.includes('file-write*'));
    expect(writes).toEqual([
      '(allow file-read* file-write* file-ioctl (literal "/dev/null") (literal "/dev/zero") (literal "/dev/tty") (literal "/dev/ptmx") (regex #"^/dev/ttys[0-9]+$"))',
      `(allow file-write* (require-all (subpath "${p.workspaceDir}") (require-not (subpath "${p.workspaceDir}/.git"))))`,
      '(allow file-read* file-write* (subpath "/private/var/folders/xy/T/aa-sandbox-1"))',
    ]);
  });

  it('hides the home folder, credential folders and the app data folder from reads', () => {
    const text = seatbeltProfile(policy(), '/tmp/x');
    const systemRead = text.split('\n').find((l) => l.startsWith('(allow file-read* (require-all (subpath "/")'))!;
    for (const hidden of [home, `${home}/.ssh`, `${home}/.aws`, `${home}/Library/Keychains`, `${home}/Library/Application Support/Agent Agency`]) {
      expect(systemRead).toContain(`(require-not (subpath "${hidden}"))`);
    }
    // The workspace (inside home) is readable again on its own rule.
    expect(text).toContain(`(allow file-read* (require-all (subpath "${policy().workspaceDir}")`);
  });

  it('allows network only when the policy grants it', () => {
    expect(seatbeltProfile(policy(false), '/tmp/x')).not.toMatch(/\(allow network/);
    expect(seatbeltProfile(policy(false), '/tmp/x')).toContain(';; network: none');
    expect(seatbeltProfile(policy(true), '/tmp/x')).toContain('(allow network*)');
  });

  it('escapes quotes and backslashes in paths', () => {
    expect(sbplString('/a "b"\\c')).toBe('"/a \\"b\\"\\\\c"');
    const p = buildPolicy({ workspaceDir: '/w/x") (allow default', homeDir: '/h' });
    const text = seatbeltProfile(p, '/t');
    expect(text).toContain('(subpath "/w/x\\") (allow default")');
    expect(text.split('\n').some((l) => l.startsWith('(allow default'))).toBe(false);
  });
});

describe('bubblewrap argv generated from the policy', () => {
  const kinds: Record<string, PathKind> = { [home]: 'dir', [`${home}/.ssh`]: 'dir', [`${home}/.netrc`]: 'file' };
  const kindOf = (p: string): PathKind => kinds[p] ?? (p.endsWith('/.git') ? 'dir' : 'missing');

  it('binds the system read-only, masks home, binds the workspace writable and its .git read-only, in that order', () => {
    const p = buildPolicy({ workspaceDir: '/srv/ws', homeDir: home });
    const args = bwrapArgs({ policy: p, cwd: '/srv/ws', argv: ['npm', 'test'], kindOf, prlimitPath: '/usr/bin/prlimit' });
    const at = (...seq: string[]) => args.findIndex((_, i) => seq.every((s, j) => args[i + j] === s));
    expect(at('--ro-bind', '/', '/')).toBe(0);
    expect(at('--tmpfs', home)).toBeGreaterThan(0);
    // ~/.ssh lies under the masked home: nothing more to do.
    expect(at('--tmpfs', `${home}/.ssh`)).toBe(-1);
    expect(at('--bind', '/srv/ws', '/srv/ws')).toBeGreaterThan(at('--tmpfs', home));
    expect(at('--ro-bind', '/srv/ws/.git', '/srv/ws/.git')).toBeGreaterThan(at('--bind', '/srv/ws', '/srv/ws'));
    expect(args).toContain('--unshare-net');
    expect(args).toContain('--die-with-parent');
    expect(args.slice(-2)).toEqual(['npm', 'test']);
  });

  it('masks secrets again when the workspace lies inside the home folder', () => {
    const p = buildPolicy({ workspaceDir: home, homeDir: '/elsewhere', extraHidden: [`${home}/.ssh`, `${home}/.netrc`] });
    const args = bwrapArgs({ policy: p, cwd: home, argv: ['true'], kindOf, prlimitPath: 'prlimit' });
    const bind = args.indexOf('--bind');
    expect(args.indexOf(`${home}/.ssh`)).toBeGreaterThan(bind);
    expect(args.slice(args.indexOf(`${home}/.netrc`) - 2, args.indexOf(`${home}/.netrc`) + 1)).toEqual(['--ro-bind', '/dev/null', `${home}/.netrc`]);
  });

  it('shows the app runtime read-only when the app lives under /tmp, with the workspace and a hidden home inside it on top', () => {
    const app = '/tmp/clone/node_modules';
    const fakeHome = `${app}/.cache/fx/home`;
    const ws = `${app}/.cache/fx/ws`;
    const kinds2: Record<string, PathKind> = { [app]: 'dir', [fakeHome]: 'dir', [`${fakeHome}/.ssh`]: 'dir' };
    const p = buildPolicy({ workspaceDir: ws, homeDir: fakeHome, runtimeReadOnly: [app] });
    expect(p.extraReadOnly).toContain(app);
    const args = bwrapArgs({ policy: p, cwd: ws, argv: ['node', '-v'], kindOf: (x) => kinds2[x] ?? 'missing', prlimitPath: 'prlimit' });
    const at = (...seq: string[]) => args.findIndex((_, i) => seq.every((s, j) => args[i + j] === s));
    // /tmp is private, so the way down to the app is made walkable, then the app bound read-only…
    expect(at('--perms', '0755', '--dir', '/tmp/clone')).toBeGreaterThan(at('--tmpfs', '/tmp'));
    expect(at('--ro-bind', app, app)).toBeGreaterThan(at('--dir', '/tmp/clone'));
    // …the home inside it masked after that bind, its ~/.ssh left alone under the mask (no empty entry)…
    expect(at('--tmpfs', fakeHome)).toBeGreaterThan(at('--ro-bind', app, app));
    expect(at('--tmpfs', `${fakeHome}/.ssh`)).toBe(-1);
    // …and the workspace bound writable last, so no mask covers it.
    expect(at('--bind', ws, ws)).toBeGreaterThan(at('--tmpfs', fakeHome));
  });

  it('by default lets a sandboxed command see the Node that runs the app and the app modules', () => {
    const p = buildPolicy({ workspaceDir: '/srv/ws', homeDir: home });
    expect(p.extraReadOnly).toContain(dirname(realpathSync(process.execPath)));
    expect(p.extraReadOnly).toContain(resolve('node_modules'));
  });

  it('keeps the network namespace only when granted, and drops root to nobody with setpriv', () => {
    const p = buildPolicy({ workspaceDir: '/srv/ws', homeDir: home, network: true });
    const args = bwrapArgs({ policy: p, cwd: '/srv/ws', argv: ['true'], kindOf, prlimitPath: 'prlimit', dropToUid: 65534, setprivPath: '/usr/bin/setpriv' });
    expect(args).not.toContain('--unshare-net');
    expect(args).toContain('--reuid=65534');
    expect(args).toContain('--no-new-privs');
    expect(args).not.toContain('--unshare-user');
  });

  it('describes the policy in one line for the journal', () => {
    expect(describePolicy(buildPolicy({ workspaceDir: '/srv/ws', homeDir: home }))).toContain('network: none');
  });
});

describe('seatbelt wrap for long-lived servers', () => {
  it('runs the server under the same profile and limits, with home and temp in its private folder', async () => {
    const ws = tempDir('aa-seatbelt-ws-');
    try {
      const policy = buildPolicy({ workspaceDir: ws.dir, network: false });
      const backend = new SeatbeltBackend('/usr/bin/sandbox-exec');
      const wrapped = await backend.wrap(['node', 'server.js', '--stdio'], { cwd: ws.dir, policy });
      expect(wrapped.command).toBe('/usr/bin/sandbox-exec');
      expect(wrapped.args[0]).toBe('-p');
      const profile = wrapped.args[1]!;
      expect(profile).toContain(`(deny default)`);
      expect(profile).toContain(sbplString(realpathSync(ws.dir)));
      expect(wrapped.args.slice(2, 4)).toEqual(['/bin/sh', '-c']);
      expect(wrapped.args[4]).toMatch(/^ulimit -t \d+ && ulimit -u \d+ && ulimit -d \d+ .* && exec "\$@"$/);
      expect(wrapped.args.slice(5)).toEqual(['sh', 'node', 'server.js', '--stdio']);
      expect(wrapped.env['HOME']).toBe(wrapped.env['TMPDIR']);
      expect(profile).toContain(sbplString(wrapped.env['TMPDIR']!));
      rmSync(wrapped.env['TMPDIR']!, { recursive: true, force: true });
      await expect(backend.wrap(['node'], { cwd: '/', policy })).rejects.toThrow(/outside the workspace/);
    } finally {
      ws.cleanup();
    }
  });
});

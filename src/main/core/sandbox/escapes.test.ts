import { spawn } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxService } from './sandbox-service';
import { hostProcessesWith, makeEscapeFixture, realSandbox, until, type EscapeFixture } from './testing/fixture';

// Every test here runs the REAL sandbox of this machine (bubblewrap) — no mocks. Each escape must
// fail; where it matters a positive control shows the same command works when allowed.
describe.runIf(process.platform === 'linux')('sandbox escapes (real bubblewrap)', () => {
  let fx: EscapeFixture;
  let sandbox: SandboxService;
  beforeAll(async () => {
    fx = makeEscapeFixture();
    sandbox = await realSandbox();
  });
  afterAll(() => fx.cleanup());

  const bash = (script: string, over: Parameters<EscapeFixture['policy']>[0] = {}, signal?: AbortSignal) =>
    sandbox.run(['bash', '-c', script], { cwd: fx.workspace, policy: fx.policy(over), ...(signal ? { signal } : {}) });

  it('writes inside the workspace and its private /tmp (positive control)', async () => {
    const r = await bash('echo ok > made.txt && echo t > /tmp/t && cat /tmp/t');
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(fx.workspace, 'made.txt'), 'utf8')).toBe('ok\n');
    expect(r.sandbox).toBe('bubblewrap');
  });

  it('cannot write outside the workspace', async () => {
    const r = await bash(`echo evil > ${fx.outside}/evil.txt; echo evil > /usr/local/aa-evil; echo evil > ${fx.root}/evil.txt; exit 3`);
    expect(existsSync(join(fx.outside, 'evil.txt'))).toBe(false);
    expect(existsSync('/usr/local/aa-evil')).toBe(false);
    expect(existsSync(join(fx.root, 'evil.txt'))).toBe(false);
    expect(r.stderr).toMatch(/Read-only file system/);
    expect(r.denial?.kind).toBe('filesystem');
    expect(r.denial?.message).toContain(fx.workspace);
  });

  it('cannot write outside through a symbolic link in the workspace', async () => {
    symlinkSync(fx.outside, join(fx.workspace, 'link-out'));
    symlinkSync(join(fx.outside, 'keep.txt'), join(fx.workspace, 'link-file'));
    const r = await bash('echo evil > link-out/evil.txt; echo evil >> link-file; exit 0');
    expect(existsSync(join(fx.outside, 'evil.txt'))).toBe(false);
    expect(readFileSync(join(fx.outside, 'keep.txt'), 'utf8')).toBe('outside\n');
    expect(r.stderr).toMatch(/Read-only file system/);
  });

  it("cannot write into the user's repository's .git, nor the workspace's own .git", async () => {
    const r = await bash(`echo evil > ${fx.repo}/.git/hooks/post-commit; echo evil > .git/hooks/pre-commit; git config core.hooksPath /tmp; exit 0`);
    expect(existsSync(join(fx.repo, '.git', 'hooks', 'post-commit'))).toBe(false);
    expect(existsSync(join(fx.workspace, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(readFileSync(join(fx.workspace, '.git', 'config'), 'utf8')).not.toContain('hooksPath');
    expect(r.stderr).toMatch(/Read-only file system/);
  });

  it('cannot read ~/.ssh, ~/.aws, the rest of the home folder or the app data folder', async () => {
    const r = await bash(`cat ${fx.home}/.ssh/id_ed25519 ${fx.home}/.aws/credentials ${fx.home}/notes.txt ${fx.dataDir}/signing-key.json; ls -a ${fx.home}`);
    expect(r.output).not.toContain('FAKE');
    expect(r.output).not.toContain('private notes');
    expect(r.stderr).toMatch(/No such file or directory/);
    expect(r.stdout).not.toContain('.ssh');
  });

  it('keeps ~/.ssh hidden when the workspace lies inside the home folder', async () => {
    const r = await sandbox.run(['bash', '-c', `cat ${fx.home}/.ssh/id_ed25519; ls -a ${fx.home}; pwd`], {
      cwd: fx.workspace,
      // The fixture root plays the home folder here: the workspace lies inside it.
      policy: fx.policy({ homeDir: fx.root, extraHidden: [join(fx.home, '.ssh')] }),
    });
    expect(r.output).not.toContain('FAKE');
    expect(r.stdout).toContain(fx.workspace);
  });

  it('does not pass the host environment (tokens, keys) to the command', async () => {
    process.env['AA_TEST_SECRET_TOKEN'] = 'sekret-value';
    const r = await bash('env');
    delete process.env['AA_TEST_SECRET_TOKEN'];
    expect(r.stdout).not.toContain('sekret-value');
    expect(r.stdout).toContain('CI=1');
  });

  describe('network', () => {
    let server: Server;
    let port = 0;
    let connections = 0;
    beforeAll(async () => {
      server = createServer((socket) => {
        connections += 1;
        socket.end('hello\n');
      });
      await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('cannot open TCP to a listener on 127.0.0.1', async () => {
      const r = await bash(`exec 3<>/dev/tcp/127.0.0.1/${port} && head -1 <&3`);
      expect(r.exitCode).not.toBe(0);
      expect(r.stdout).not.toContain('hello');
      expect(r.denial?.kind).toBe('network');
      expect(connections).toBe(0);
    });

    it("cannot open TCP to this machine's other addresses or the outside", async () => {
      const own = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
      const targets = [...(own ? [own] : []), '1.1.1.1'];
      for (const host of targets) {
        const r = await bash(`exec 3<>/dev/tcp/${host}/${host === '1.1.1.1' ? 80 : port} && head -1 <&3`);
        expect(r.exitCode, host).not.toBe(0);
        expect(r.denial?.kind, host).toBe('network');
      }
      expect(connections).toBe(0);
    });

    it('reaches the listener when the task grants network (positive control)', async () => {
      const r = await bash(`exec 3<>/dev/tcp/127.0.0.1/${port} && head -1 <&3`, { network: true });
      expect(r.stdout).toContain('hello');
      expect(connections).toBe(1);
    });
  });

  it('bounds a counted fork bomb: never more processes than the limit at once', async () => {
    const marker = `aa-forkbomb-${process.pid}`;
    // A counted bomb first: it tries 200 children and counts (with shell builtins only) how many exist at once.
    const counted = await sandbox.run(['sh', '-c', `(i=0; while [ $i -lt 200 ]; do sleep 30 & i=$((i+1)); done) 2>/dev/null; set -- /proc/[0-9]*; echo $#; : ${marker}`], {
      cwd: fx.workspace,
      policy: fx.policy({ limits: { maxProcesses: 32, wallTimeMs: 20_000 } }),
    });
    const seen = Number(counted.stdout.trim().split('\n').pop());
    expect(seen).toBeGreaterThan(4);
    expect(seen).toBeLessThanOrEqual(32 + 2);
  });

  it('survives a classic fork bomb: ended by a limit, nothing left behind', async () => {
    const marker = `aa-forkbomb2-${process.pid}`;
    const bomb = await sandbox.run(['sh', '-c', `b() { b | b & }; b; sleep 5; : ${marker}`], {
      cwd: fx.workspace,
      policy: fx.policy({ limits: { maxProcesses: 32, wallTimeMs: 3_000 } }),
    });
    expect(['processes', 'wall-time']).toContain(bomb.denial?.kind);
    expect(await until(() => hostProcessesWith(marker).length === 0)).toBe(true);
  });

  it('kills a process that tries to outlive its cancel (setsid, nohup, double fork)', async () => {
    const marker = `aa-outlive-${process.pid}`;
    const controller = new AbortController();
    const running = bash(`setsid sh -c 'sleep 600; : ${marker}' & nohup sh -c 'sleep 600; : ${marker}' >/dev/null 2>&1 & (sh -c 'sleep 600; : ${marker}' &) ; sleep 600`, {}, controller.signal);
    // The escapees themselves (not the bwrap or bash command lines that also carry the marker).
    expect(await until(() => hostProcessesWith(marker, 'sh -c sleep 600').length >= 3, 10_000)).toBe(true);
    controller.abort();
    const r = await running;
    expect(r.denial?.kind).toBe('cancelled');
    expect(await until(() => hostProcessesWith(marker).length === 0)).toBe(true);
  });

  it('kills the whole tree on wall-time timeout', async () => {
    const marker = `aa-timeout-${process.pid}`;
    const r = await bash(`setsid sh -c 'sleep 600; : ${marker}' & sleep 600`, { limits: { wallTimeMs: 1_500 } });
    expect(r.denial?.kind).toBe('wall-time');
    expect(await until(() => hostProcessesWith(marker).length === 0)).toBe(true);
  });

  it('cannot kill its parent, the sandbox init, the app or another host process', async () => {
    const victim = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      const r = await bash(`kill -9 $PPID; kill -9 1; kill -9 ${process.pid}; kill -9 ${victim.pid}; echo survived`);
      expect(r.stdout).toContain('survived');
      expect(victim.exitCode).toBeNull();
      expect(victim.signalCode).toBeNull();
      expect(() => process.kill(victim.pid!, 0)).not.toThrow();
    } finally {
      victim.kill('SIGKILL');
    }
  });

  it('stops runaway CPU and memory with a named limit', async () => {
    const cpu = await bash('while :; do :; done', { limits: { cpuSeconds: 1, wallTimeMs: 20_000 } });
    expect(cpu.denial?.kind).toBe('cpu-time');
    const mem = await sandbox.run(['node', '-e', 'const a=[]; for(;;) a.push(Buffer.alloc(64*1024*1024, 1))'], {
      cwd: fx.workspace,
      policy: fx.policy({ limits: { memoryBytes: 256 * 1024 ** 2, wallTimeMs: 20_000 } }),
    });
    expect(mem.exitCode).not.toBe(0);
    expect(mem.denial?.kind).toBe('memory');
  });

  it('bounds the output it keeps', async () => {
    const r = await bash('yes aaaaaaaaaaaaaaaa | head -c 5000000', { limits: { maxOutputBytes: 1000 } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBeLessThanOrEqual(1000);
    expect(r.truncated).toBe(true);
  });

  it('holds as root: the command runs without privileges', async () => {
    const r = await bash('id -u; grep CapEff /proc/self/status; mount -o remount,rw / 2>&1; echo x > /etc/aa-root-test 2>&1; true');
    if (process.getuid?.() === 0) expect(r.stdout.split('\n')[0]).toBe('65534');
    expect(r.stdout).toMatch(/CapEff:\s+0+\n/);
    expect(existsSync('/etc/aa-root-test')).toBe(false);
  });
});

describe.runIf(process.platform === 'linux')('wrapCommand for long-lived processes (real bubblewrap)', () => {
  it('runs a spawned stdio process under the same policy: it talks over pipes, cannot write outside, and dies with its kill', async () => {
    const fx = makeEscapeFixture();
    try {
      const sandbox = await realSandbox();
      const marker = `aa-wrap-${process.pid}`;
      const script = `read line; echo "got $line"; echo evil > ${fx.outside}/wrap-evil 2>/dev/null || echo refused; sleep 600; : ${marker}`;
      const wrapped = await sandbox.wrapCommand(['sh', '-c', script], { cwd: fx.workspace, policy: fx.policy() });
      if ('denial' in wrapped) throw new Error(wrapped.denial.message);
      const child = spawn(wrapped.command, wrapped.args, { cwd: wrapped.cwd, env: wrapped.env, stdio: ['pipe', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stdin.write('hello\n');
      expect(await until(() => out.includes('refused'), 10_000)).toBe(true);
      expect(out).toContain('got hello');
      expect(existsSync(join(fx.outside, 'wrap-evil'))).toBe(false);
      child.kill('SIGKILL');
      expect(await until(() => hostProcessesWith(marker, 'sh -c read').length === 0)).toBe(true);
    } finally {
      fx.cleanup();
    }
  });
});

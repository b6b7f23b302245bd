import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEscapeFixture, type EscapeFixture } from '../../main/core/sandbox/testing/fixture';
import type { Io } from '../io';
import { sandboxCommand } from './sandbox';

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false, columns: 100 };
  return { io, out: () => out.join(''), err: () => err.join('') };
};

async function cli(args: string[], detect?: Parameters<typeof sandboxCommand>[1]) {
  const c = capture();
  const program = new Command().exitOverride().addCommand(sandboxCommand(c.io, detect));
  process.exitCode = undefined;
  await program.parseAsync(['node', 'agent-agency', 'sandbox', ...args]);
  const code = process.exitCode;
  process.exitCode = undefined;
  return { code, out: c.out(), err: c.err() };
}

describe.runIf(process.platform === 'linux')('agent-agency sandbox (real bubblewrap)', () => {
  let fx: EscapeFixture;
  beforeAll(() => {
    fx = makeEscapeFixture();
  });
  afterAll(() => fx.cleanup());

  it('check names the sandbox and exits 0', async () => {
    const r = await cli(['check']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^sandbox: bubblewrap/);
  });

  it('check exits non-zero with an install hint when there is none', async () => {
    const r = await cli(['check'], async () => ({ available: false, reason: 'bubblewrap (bwrap) is not installed', installHint: 'apt-get install bubblewrap' }));
    expect(r.code).toBe(4);
    expect(r.err).toContain('apt-get install bubblewrap');
  });

  it("exec passes the command's exit code and output through", async () => {
    const r = await cli(['exec', '--workspace', fx.workspace, '--data-dir', fx.dataDir, '--', 'sh', '-c', 'echo made > cli.txt; echo out; exit 7']);
    expect(r.code).toBe(7);
    expect(r.out).toBe('out\n');
    expect(readFileSync(join(fx.workspace, 'cli.txt'), 'utf8')).toBe('made\n');
  });

  it('exec says what was denied: a write outside the workspace', async () => {
    const r = await cli(['exec', '--workspace', fx.workspace, '--data-dir', fx.dataDir, '--', 'sh', '-c', `echo x > ${fx.outside}/cli-evil`]);
    expect(r.code).not.toBe(0);
    expect(existsSync(join(fx.outside, 'cli-evil'))).toBe(false);
    expect(r.err).toContain('denied: write outside the workspace refused');
  });

  it('exec hides the data folder and has no network unless --allow-network', async () => {
    const r = await cli(['exec', '--workspace', fx.workspace, '--data-dir', fx.dataDir, '--', 'bash', '-c', `cat ${fx.dataDir}/signing-key.json; exec 3<>/dev/tcp/1.1.1.1/80`]);
    expect(r.out).not.toContain('FAKE');
    expect(r.err).toContain('denied: network access refused');
  });

  it('exec refuses a missing workspace with exit 2 naming --workspace', async () => {
    const r = await cli(['exec', '--workspace', join(fx.root, 'nope'), '--', 'true']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--workspace');
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger';
import { buildPolicy } from './policy';
import { SandboxService, type UnsandboxedRun } from './sandbox-service';

const logger = createLogger({ level: 'silent' });
const ws = mkdtempSync(join(tmpdir(), 'aa-sbx-svc-'));
afterAll(() => rmSync(ws, { recursive: true, force: true }));
const none = { available: false as const, reason: 'bubblewrap (bwrap) is not installed', installHint: 'sudo apt-get install bubblewrap' };

describe('SandboxService without a sandbox', () => {
  it('fails closed: the command does not run and the denial says how to install one', async () => {
    const service = new SandboxService({ logger, detection: none });
    const r = await service.run(`touch ${join(ws, 'ran')}`, { cwd: ws, policy: buildPolicy({ workspaceDir: ws }) });
    expect(r.denial?.kind).toBe('no-sandbox');
    expect(r.denial?.message).toContain('apt-get install bubblewrap');
    expect(r.exitCode).toBeNull();
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(ws, 'ran'))).toBe(false);
    expect(service.status()).toMatchObject({ available: false, unsandboxedAllowed: false });
  });

  it('runs without one only when the user turned it on, and reports every such run', async () => {
    const runs: UnsandboxedRun[] = [];
    const service = new SandboxService({ logger, detection: none, allowUnsandboxed: () => true, onUnsandboxedRun: (run) => runs.push(run) });
    const r = await service.run('echo hi', { cwd: ws, policy: buildPolicy({ workspaceDir: ws }) });
    expect(r.stdout).toBe('hi\n');
    expect(r.sandbox).toBe('none');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.policy).toContain('network: none');
  });
});

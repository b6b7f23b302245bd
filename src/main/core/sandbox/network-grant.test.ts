import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCore } from '../../../../test/helpers';
import { eventsForTask } from '../db/queries/events';
import { runCommand } from '../gates/run-command';
import { detectSandbox } from './detect';
import { installAppSandbox } from './journal-bridge';
import { makeEscapeFixture, type EscapeFixture } from './testing/fixture';
import type { SandboxService } from './sandbox-service';

/*
 * A task's network grant, end to end on this machine's real sandbox: the grant is stored and
 * journaled on submit, the app's sandbox service (built as the composition root builds it) reads it
 * for every run of that task, and bubblewrap then shares the host's network (`--share-net`) instead
 * of giving the command a fresh, empty namespace (`--unshare-net`, where even 127.0.0.1 is a
 * different loopback). The proof is a request that does or does not reach an HTTP server the test
 * runs on the host's loopback.
 */
const available = (await detectSandbox()).available;

describe.skipIf(!available)('per-task network grant (real sandbox, real HTTP on loopback)', () => {
  let core: ReturnType<typeof testCore>;
  let fx: EscapeFixture;
  let server: Server;
  let port = 0;
  let service: SandboxService;
  const requests: string[] = [];

  beforeAll(async () => {
    core = testCore({ slo: { evaluateEveryMs: 0 } });
    fx = makeEscapeFixture();
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      res.end(`hello from the host: ${req.url ?? ''}\n`);
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
    service = await installAppSandbox({
      journal: core.journal,
      clock: core.clock,
      logger: core.logger,
      runWithoutSandbox: () => false,
      networkGrant: (taskId) => core.tasks.networkGranted(taskId),
    });
  });

  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()));
    fx?.cleanup();
    core?.cleanup();
  });

  /** What a gate does: the project's command through `sh -c`, in the task's workspace, for the task. */
  const fetchFromHost = (taskId: string, path: string) =>
    runCommand({
      // bash for /dev/tcp (the shell the gates use, sh, may be dash).
      command: `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && printf "GET ${path} HTTP/1.0\\r\\n\\r\\n" >&3 && cat <&3'`,
      cwd: fx.workspace,
      workspaceDir: fx.workspace,
      dataDir: fx.dataDir,
      timeoutMs: 20_000,
      taskId,
      sandbox: service,
    });

  it('a granted task reaches the host loopback server; an ungranted one cannot, and is told why', async () => {
    const granted = core.tasks.submit({ description: 'needs the registry', repoPath: core.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 1, allowNetwork: true });
    const plain = core.tasks.submit({ description: 'offline task', repoPath: core.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 1 });

    const denied = await fetchFromHost(plain.id, '/from-plain');
    expect(denied.exitCode).not.toBe(0);
    expect(denied.denial?.kind, denied.output).toBe('network');
    expect(denied.output).toContain('network access refused: this task has no network grant');
    expect(requests).not.toContain('/from-plain');

    const allowed = await fetchFromHost(granted.id, '/from-granted');
    expect(allowed.denial, allowed.output).toBeUndefined();
    expect(allowed.exitCode, allowed.output).toBe(0);
    expect(allowed.output).toContain('hello from the host: /from-granted');
    expect(requests).toContain('/from-granted');
    // The grant does not leak to a run that names no task (planner probes, by-hand runs).
    const noTask = await runCommand({ command: `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}'`, cwd: fx.workspace, timeoutMs: 20_000, sandbox: service });
    expect(noTask.denial?.kind).toBe('network');
  });

  it('journals the grant beside the task’s creation and shows it on the task; no grant, no record', () => {
    const granted = core.tasks.submit({ description: 'fetches fixtures', repoPath: core.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 1, allowNetwork: true });
    const plain = core.tasks.submit({ description: 'stays offline', repoPath: core.repo, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 1, allowNetwork: false });
    const types = (id: string) => eventsForTask(core.db, id).map((e) => e.type);
    expect(types(granted.id)).toEqual(['task.created', 'sandbox.network_granted']);
    expect(types(plain.id)).toEqual(['task.created']);
    expect(core.tasks.get(granted.id).task.allowNetwork).toBe(true);
    expect(core.tasks.get(plain.id).task.allowNetwork).toBeUndefined();
    expect(core.tasks.networkGranted(plain.id)).toBe(false);
  });
});

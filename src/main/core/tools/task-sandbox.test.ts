import { realpathSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import { silentLogger } from '../observability/logger';
import type { Actor } from '../../../shared/domain/events';
import type { Task } from '../../../shared/domain/task';
import { eventsForTask } from '../db/queries/events';
import { waitFor } from '../engine/testing/wait';
import { SandboxService, type UnsandboxedRun } from '../sandbox';
import type { ToolCallOutcome } from './gateway';
import type { McpConnection } from './mcp-connection';
import { filesystemServer, scriptServer, taskWithWorkspace, workspaceFixture } from './testing/fixtures';

/**
 * Stdio servers serving a task run inside the real sandbox (bubblewrap) with the task's policy.
 * Each attack goes around the app's path guard on purpose — straight to the task's own server
 * process — so what stops it is the sandbox, and each has a control: the same call on an
 * unsandboxed process of the same server succeeds.
 */

const alice: Actor = { who: 'alice', via: 'window' };
const NET_PROBE = resolve('src/main/core/tools/testing/net-probe-server.mjs');
const text = (r: { content?: unknown } | null | undefined) =>
  ((r?.content ?? []) as { type: string; text?: string }[]).map((c) => (c.type === 'text' ? c.text : '')).join('');
const outcomeText = (o: ToolCallOutcome) => (o.status === 'denied' ? `denied: ${o.reason}` : text(o.result));

let core: ReturnType<typeof testCore>;
let root: ReturnType<typeof tempDir>;
let ws: string;
let outside: string;
let dataSecret: string;
let task: Task;
let listener: net.Server;
let port: number;

const pidAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  root = tempDir('aa-tool-sandbox-');
  ({ ws, outside } = workspaceFixture(root.dir));
  ws = realpathSync(ws);
  core = testCore({ scheduler: { autoStart: false }, tools: { backoff: { baseMs: 50, maxMs: 500, maxRestarts: 3, stableMs: 60_000 } } });
  dataSecret = join(core.dataDir, 'signing-key.test');
  writeFileSync(dataSecret, 'the app signing key\n');
  // The server itself is allowed the fixture root and the data folder: only the sandbox stands between it and them.
  const fs = filesystemServer('fs', root.dir);
  if (fs.transport.kind === 'stdio') fs.transport.args.push(core.dataDir);
  await core.tools.addServer(fs, false, 'test');
  await core.tools.addServer(scriptServer('net', NET_PROBE), false, 'test');
  await core.tools.setPermission('fs', undefined, 'always', 'test');
  await core.tools.setPermission('net', undefined, 'always', 'test');
  task = taskWithWorkspace(core, ws);
  listener = net.createServer((s) => s.end('hello from the host\n'));
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  port = (listener.address() as net.AddressInfo).port;
}, 30_000);

afterAll(async () => {
  listener?.close();
  await core?.tools.close();
  core?.cleanup();
  root?.cleanup();
});

/** The task's own (sandboxed) process of `server`, as the gateway uses it. */
const taskConnection = (server: string): McpConnection => core.tools.taskServers.connectionFor(core.tools.hub.get(server)!, { taskId: task.id, workspaceDir: ws });

describe.runIf(process.platform === 'linux')('stdio servers started for a task run in the sandbox (real bubblewrap)', () => {
  it('starts one server process per task on its first call, through the gateway, and it works in the workspace', async () => {
    expect(core.tools.taskServers.count(task.id)).toBe(0);
    const read = await core.tools.call({ taskId: task.id, tool: 'fs.read_text_file', arguments: { path: 'hello.txt' } });
    expect(outcomeText(read)).toContain('hello from the workspace');
    const write = await core.tools.call({ taskId: task.id, tool: 'fs.write_file', arguments: { path: 'made-by-tool.txt', content: 'inside' } });
    expect(write.status).toBe('ok');
    expect(core.tools.taskServers.count(task.id)).toBe(1);
    const own = taskConnection('fs').status();
    expect(own.health).toBe('running');
    // The shared process (catalogue) is not the one that served the task.
    expect(own.pid).not.toBe(core.tools.hub.get('fs')!.status().pid);
  }, 60_000);

  it('cannot read a file outside the workspace or in the data folder even when the path guard is bypassed', async () => {
    // Control: an unsandboxed process of the same server, allowed the same folders, reads both.
    const bare = core.tools.hub.get('fs')!;
    await bare.ready(20_000);
    expect(text(await bare.callTool('read_text_file', { path: join(outside, 'secret.txt') }, { timeoutMs: 20_000 }))).toContain('not for agents');
    expect(text(await bare.callTool('read_text_file', { path: dataSecret }, { timeoutMs: 20_000 }))).toContain('the app signing key');

    // A sandboxed process for a task, called directly (no guard) and never offered roots, so the
    // server's own folder check allows both paths: the sandbox hides them (the file is not there).
    const owner = { taskId: `${task.id}-direct`, workspaceDir: ws };
    const sandboxed = core.tools.taskServers.connectionFor(bare, owner);
    await sandboxed.ready(20_000);
    expect(sandboxed.roots()).toEqual([]);
    expect(text(await sandboxed.callTool('read_text_file', { path: join(ws, 'hello.txt') }, { timeoutMs: 20_000 }))).toContain('hello from the workspace');
    const secret = await sandboxed.callTool('read_text_file', { path: join(outside, 'secret.txt') }, { timeoutMs: 20_000 });
    expect(secret.isError).toBe(true);
    expect(text(secret)).toMatch(/ENOENT|no such file/i);
    // The data folder is an empty, inaccessible mask inside: the server cannot even keep it as one
    // of its folders (it drops it at start), and the key is not there to read either way.
    const key = await sandboxed.callTool('read_text_file', { path: dataSecret }, { timeoutMs: 20_000 });
    expect(key.isError).toBe(true);
    expect(text(key)).not.toContain('the app signing key');
    expect(text(await sandboxed.callTool('list_allowed_directories', {}, { timeoutMs: 20_000 }))).not.toContain(core.dataDir);
    const escape = await sandboxed.callTool('write_file', { path: join(outside, 'pwned.txt'), content: 'x' }, { timeoutMs: 20_000 });
    expect(escape.isError).toBe(true);
    await core.tools.taskServers.closeOwner(owner.taskId);
  }, 60_000);

  it('starts a server whose script lies in a private folder, showing that one file and not its neighbours', async () => {
    // /tmp is private inside the sandbox: without its own file shown read-only the server could not start.
    const dir = tempDir('aa-tool-script-');
    try {
      const sdk = (f: string) => pathToFileURL(resolve(`node_modules/@modelcontextprotocol/sdk/dist/esm/server/${f}`)).href;
      const script = join(dir.dir, 'peek-server.mjs');
      writeFileSync(join(dir.dir, 'neighbour.txt'), 'beside the script\n');
      writeFileSync(
        script,
        [
          `import { McpServer } from '${sdk('mcp.js')}';`,
          `import { StdioServerTransport } from '${sdk('stdio.js')}';`,
          "import { readFileSync } from 'node:fs';",
          "const server = new McpServer({ name: 'peek', version: '1.0.0' });",
          "server.registerTool('peek', { description: 'Reads the file beside the script.', annotations: { readOnlyHint: true } }, async () => {",
          `  let said; try { said = readFileSync(${JSON.stringify(join(dir.dir, 'neighbour.txt'))}, 'utf8'); } catch (e) { said = 'unreadable: ' + e.code; }`,
          "  return { content: [{ type: 'text', text: said }] };",
          '});',
          'await server.connect(new StdioServerTransport());',
        ].join('\n'),
      );
      await core.tools.addServer(scriptServer('peek', script), false, 'test');
      await core.tools.setPermission('peek', undefined, 'always', 'test');
      const bare = core.tools.hub.get('peek')!;
      await bare.ready(20_000);
      expect(text(await bare.callTool('peek', {}, { timeoutMs: 20_000 }))).toContain('beside the script');
      const viaGateway = await core.tools.call({ taskId: task.id, tool: 'peek.peek', arguments: {} });
      expect(outcomeText(viaGateway)).toBe('unreadable: ENOENT');
    } finally {
      dir.cleanup();
    }
  }, 60_000);

  it('cannot open a TCP connection, even to loopback, while an unsandboxed process of the same server can', async () => {
    const bare = core.tools.hub.get('net')!;
    await bare.ready(20_000);
    expect(text(await bare.callTool('connect', { port }, { timeoutMs: 20_000 }))).toBe('connected: hello from the host');
    const viaGateway = await core.tools.call({ taskId: task.id, tool: 'net.connect', arguments: { port } });
    expect(viaGateway.status).toBe('ok');
    expect(outcomeText(viaGateway)).toMatch(/^failed: /);
  }, 60_000);

  it('ends the task’s server processes when the task ends', async () => {
    const pids = ['fs', 'net'].map((s) => taskConnection(s).status().pid);
    expect(pids.every((p) => p !== null && pidAlive(p))).toBe(true);
    // What the engine journals when a task is cancelled (this core runs no engine).
    core.journal.append(task.id, { type: 'task.cancelled', payload: { actor: alice, reason: 'done with it' } }, `${task.id}:test-cancel`);
    await waitFor(() => core.tools.taskServers.count(task.id) === 0, 10_000);
    await waitFor(() => pids.every((p) => !pidAlive(p!)), 10_000);
  }, 30_000);
});

describe('without a sandbox', () => {
  const noSandbox = (allow: boolean, runs: UnsandboxedRun[]) =>
    new SandboxService({
      logger: silentLogger(),
      detection: { available: false, reason: 'no bubblewrap (test)', installHint: 'install bubblewrap' },
      allowUnsandboxed: () => allow,
      onUnsandboxedRun: (run) => runs.push(run),
    });

  it('refuses to start a task’s stdio server (fail closed), and starts it, journaled, when the user allows running without one', async () => {
    for (const allow of [false, true]) {
      const runs: UnsandboxedRun[] = [];
      const dir = tempDir('aa-tool-nosandbox-');
      const c = testCore({ scheduler: { autoStart: false }, tools: { sandbox: async () => noSandbox(allow, runs) } });
      try {
        const { ws: w } = workspaceFixture(dir.dir);
        await c.tools.addServer(filesystemServer('fs', w), false, 'test');
        await c.tools.setPermission('fs', undefined, 'always', 'test');
        const t = taskWithWorkspace(c, w);
        const o = await c.tools.call({ taskId: t.id, tool: 'fs.read_text_file', arguments: { path: 'hello.txt' } });
        if (allow) {
          expect(outcomeText(o)).toContain('hello from the workspace');
          expect(runs.map((r) => r.taskId)).toEqual([t.id]);
        } else {
          expect(o).toMatchObject({ status: 'denied', rule: 'server_unavailable' });
          expect(outcomeText(o)).toMatch(/no sandbox on this machine/);
          expect(runs).toEqual([]);
          expect(eventsForTask(c.db, t.id).some((e) => e.type === 'tool.denied')).toBe(true);
        }
      } finally {
        await c.tools.close();
        c.cleanup();
        dir.cleanup();
      }
    }
  }, 60_000);
});

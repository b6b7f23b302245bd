import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import { waitFor } from '../engine/testing/wait';
import { parseMcpServersJson } from './config-file';
import { PROJECT_NODE, scriptServer, taskWithWorkspace } from './testing/fixtures';

/** Discovery: namespacing, conflicts and preferences, list-changed notices, the mcpServers file. */

const ECHO = resolve('src/main/core/tools/testing/echo-server.mjs');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function setup(options: Parameters<typeof testCore>[0] = {}) {
  const core = testCore({ scheduler: { autoStart: false }, ...options });
  const folder = tempDir('aa-tools-ws-');
  cleanups.push(() => {
    core.cleanup();
    folder.cleanup();
  });
  cleanups.push(() => core.tools.close());
  return { core, ws: folder.dir };
}

describe('tool discovery', () => {
  it('shows both servers’ tools of the same name, refuses the bare name until a preference picks one', async () => {
    const { core, ws } = setup();
    await core.tools.addServer(scriptServer('alpha', ECHO, ['alpha']), false, 'test');
    await core.tools.addServer(scriptServer('beta', ECHO, ['beta']), false, 'test');
    await core.tools.start();
    await waitFor(() => core.tools.hub.list().every((h) => h.connection.status().health === 'running') || undefined, 15_000, 'both servers');
    await core.tools.setPermission('alpha', undefined, 'always', 'test');
    await core.tools.setPermission('beta', undefined, 'always', 'test');

    const listing = await core.tools.listTools();
    expect(listing.tools.filter((t) => t.tool === 'echo').map((t) => [t.name, t.conflict, t.preferred])).toEqual([
      ['alpha.echo', true, false],
      ['beta.echo', true, false],
    ]);
    expect(listing.conflicts).toEqual([{ name: 'echo', servers: ['alpha', 'beta'], preferred: null }, { name: 'add_tool', servers: ['alpha', 'beta'], preferred: null }].sort((a, b) => a.name.localeCompare(b.name)));

    const task = taskWithWorkspace(core, ws);
    const ambiguous = await core.tools.call({ taskId: task.id, tool: 'echo', arguments: { text: 'hi' } });
    expect(ambiguous).toMatchObject({ status: 'denied', rule: 'ambiguous' });
    if (ambiguous.status === 'denied') expect(ambiguous.reason).toContain('alpha.echo and beta.echo');

    const qualified = await core.tools.call({ taskId: task.id, tool: 'beta.echo', arguments: { text: 'hi' } });
    expect(qualified.status === 'ok' && qualified.result?.content[0]).toMatchObject({ type: 'text', text: 'beta: hi' });

    const preferred = await core.tools.setPreference('echo', 'beta', 'test');
    expect(preferred.tools.find((t) => t.name === 'beta.echo')?.preferred).toBe(true);
    const bare = await core.tools.call({ taskId: task.id, tool: 'echo', arguments: { text: 'hi' } });
    expect(bare).toMatchObject({ status: 'ok', tool: 'beta.echo' });

    await core.tools.setPreference('echo', 'alpha', 'test');
    expect(await core.tools.call({ taskId: task.id, tool: 'echo', arguments: { text: 'hi' } })).toMatchObject({ status: 'ok', tool: 'alpha.echo' });
  }, 30_000);

  it('follows a server’s list-changed notice', async () => {
    const { core, ws } = setup();
    await core.tools.addServer(scriptServer('dyn', ECHO, ['dyn']), false, 'test');
    await core.tools.setPermission('dyn', undefined, 'always', 'test');
    const task = taskWithWorkspace(core, ws);
    expect((await core.tools.listTools('dyn')).tools.map((t) => t.tool)).toEqual([]);
    // The first call starts the server on demand.
    const added = await core.tools.call({ taskId: task.id, tool: 'dyn.add_tool', arguments: { name: 'late_tool' } });
    expect(added.status).toBe('ok');
    // The tool was added in the task's own (sandboxed) server process; its list follows the notice.
    await waitFor(() => core.tools.taskServers.existing('dyn', task.id)?.tools().some((t) => t.name === 'late_tool') || undefined, 5_000, 'the new tool to be listed');
    const late = await core.tools.call({ taskId: task.id, tool: 'dyn.late_tool', arguments: {} });
    expect(late.status === 'ok' && late.result?.content[0]).toMatchObject({ text: 'late_tool ran' });
  }, 20_000);

  it('reads servers from the mcpServers file; Settings override an entry of the same name', async () => {
    const { core } = setup();
    const file = join(core.dataDir, 'mcp.json');
    writeFileSync(
      file,
      JSON.stringify({
        mcpServers: {
          echo: { command: PROJECT_NODE, args: [ECHO, 'from-file'], env: { TOKEN: 'secret-value' } },
          remote: { type: 'streamable-http', url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'Bearer x' }, disabled: true },
        },
      }),
    );
    const servers = await core.tools.servers();
    expect(servers.map((s) => [s.name, s.source, s.transport, s.enabled, s.health])).toEqual([
      ['echo', 'file', 'stdio', true, 'stopped'],
      ['remote', 'file', 'http', false, 'disabled'],
    ]);
    // Secrets stay in the core: only the names of variables and headers are shown.
    expect(servers[0]!.envKeys).toEqual(['TOKEN']);
    expect(JSON.stringify(servers)).not.toContain('secret-value');
    expect(servers[1]!.headerKeys).toEqual(['Authorization']);

    await core.tools.addServer({ name: 'echo', enabled: false, transport: { kind: 'stdio', command: 'true', args: [], env: {} } }, false, 'test');
    expect((await core.tools.servers()).find((s) => s.name === 'echo')).toMatchObject({ source: 'settings', enabled: false, health: 'disabled' });
    await core.tools.removeServer('echo');
    expect((await core.tools.servers()).find((s) => s.name === 'echo')).toMatchObject({ source: 'file', enabled: true });
  });

  it('parses the common mcpServers shape entry by entry, reporting what it cannot use', () => {
    const parsed = parseMcpServersJson(
      JSON.stringify({
        mcpServers: {
          ok: { command: 'npx', args: ['-y', 'some-server'], autoApprove: ['x'] },
          web: { url: 'https://example.test/mcp' },
          old: { type: 'sse', url: 'http://127.0.0.1:1/sse' },
          'bad.name': { command: 'x' },
          empty: {},
        },
      }),
    );
    expect(parsed.servers.map((s) => [s.name, s.transport.kind])).toEqual([
      ['ok', 'stdio'],
      ['web', 'http'],
    ]);
    expect(parsed.problems.map((p) => p.name)).toEqual(['old', 'bad.name', 'empty']);
    expect(parseMcpServersJson('{"servers": {}}').problems).toHaveLength(1);
    expect(parseMcpServersJson('not json').problems[0]!.message).toContain('not JSON');
  });

  it('marks a server that cannot start as restarting, then failed, with its error', async () => {
    const { core } = setup({ tools: { backoff: { baseMs: 20, maxMs: 40, maxRestarts: 2, stableMs: 60_000 } } });
    await core.tools.addServer(scriptServer('broken', join(core.dataDir, 'missing.mjs')), false, 'test');
    await core.tools.start();
    const failed = await waitFor(() => {
      const s = core.tools.hub.get('broken')!.status();
      return s.health === 'failed' ? s : undefined;
    }, 10_000, 'the server to be given up on');
    expect(failed.restarts).toBe(2);
    expect(failed.lastError).toMatch(/gave up after 2 restarts/);
    expect(failed.lastError).toMatch(/missing\.mjs|Cannot find module|closed/);
  }, 20_000);
});

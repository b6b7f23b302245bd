import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers';
import { initRepo } from '../main/core/workspace/testing/git-fixture';
import type { AgentEvent } from '../shared/domain/events';
import type { Task } from '../shared/domain/task';

/**
 * `agent-agency mcp` as another agent runs it: the built CLI started over stdio by the SDK's own
 * client, with the core in that process on a fresh data folder.
 */

const root = resolve(__dirname, '../..');
const node = join(root, 'node_modules/.bin/node');
const bin = join(root, 'bin/agent-agency.js');
const cliJs = join(root, 'out/main/cli.js');

/** Newest source this command is built from (its own files and the tools area). */
function newest(paths: string[]): number {
  let t = 0;
  for (const p of paths) {
    const s = statSync(p);
    if (s.isDirectory()) t = Math.max(t, newest(readdirSync(p).map((n) => join(p, n))));
    else if (/\.tsx?$/.test(p) && !p.endsWith('.test.ts')) t = Math.max(t, s.mtimeMs);
  }
  return t;
}

let data: ReturnType<typeof tempDir>;
let repo: ReturnType<typeof tempDir>;
let client: Client;
let stderr = '';

beforeAll(async () => {
  const sources = [join(root, 'src/cli/mcp.ts'), join(root, 'src/cli/index.ts'), join(root, 'src/main/core/tools'), join(root, 'src/main/core/api'), join(root, 'src/shared')];
  if (!existsSync(cliJs) || newest(sources) > statSync(cliJs).mtimeMs) {
    const r = spawnSync(join(root, 'node_modules/.bin/electron-vite'), ['build'], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stdout}\n${r.stderr}`);
  }
  data = tempDir('aa-mcp-data-');
  repo = tempDir('aa-mcp-repo-');
  initRepo(repo.dir, { 'README.md': 'fixture\n' });
  const transport = new StdioClientTransport({
    command: node,
    args: [bin, 'mcp', '--data-dir', data.dir, '--as', 'stdio-agent'],
    // Tasks may target the temp folders the test makes (the default is the home folder).
    env: { AGENT_AGENCY_LOG_LEVEL: 'warn', AGENT_AGENCY_ALLOWED_ROOTS: tmpdir() },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  client = new Client({ name: 'stdio-test', version: '1.0.0' });
  await client.connect(transport);
}, 180_000);

afterAll(async () => {
  await client?.close();
  data?.cleanup();
  repo?.cleanup();
});

const value = <T>(r: unknown): T => {
  const result = r as CallToolResult;
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}; stderr: ${stderr}`);
  return result.structuredContent as T;
};

describe('agent-agency mcp (stdio, built CLI)', () => {
  it('names itself and lists the app’s tools', async () => {
    expect(client.getServerVersion()?.name).toBe('agent-agency');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['approve', 'intervene', 'list_tasks', 'submit_task', 'task_events', 'task_status']);
  });

  it('submits a dry-run task that runs here (this process starts the task engine, as execute does)', async () => {
    const task = value<Task>(await client.callTool({ name: 'submit_task', arguments: { description: 'document the config loader', repoPath: repo.dir, mode: 'dry-run' } }));
    expect(task).toMatchObject({ mode: 'dry-run', state: { kind: 'queued' } });
    expect(task.id).toMatch(/^tsk_/);
    expect(task).not.toHaveProperty('queued');
    // The engine takes it up: it leaves `queued` (with no model assigned it then fails at planning, saying why).
    let status = value<Task>(await client.callTool({ name: 'task_status', arguments: { id: task.id } }));
    for (let i = 0; i < 200 && status.state.kind === 'queued'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = value<Task>(await client.callTool({ name: 'task_status', arguments: { id: task.id } }));
    }
    expect(status).toMatchObject({ id: task.id, description: 'document the config loader' });
    expect(status.state.kind).not.toBe('queued');
    const { events } = value<{ events: AgentEvent[] }>(await client.callTool({ name: 'task_events', arguments: { id: task.id } }));
    expect(events[0]).toMatchObject({ type: 'task.created', taskId: task.id, taskSeq: 1 });
    expect(events.length).toBeGreaterThan(1);
    const { tasks } = value<{ tasks: Task[] }>(await client.callTool({ name: 'list_tasks', arguments: {} }));
    expect(tasks.map((t) => t.id)).toContain(task.id);
  });

  it('reports errors as data with the contract’s codes; steering works or names why not', async () => {
    const bad = (await client.callTool({ name: 'submit_task', arguments: { description: 'ok then', repoPath: join(repo.dir, 'missing') } })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect((bad.structuredContent as { error: { code: string } }).error.code).toBe('invalid_input');
    const task = value<Task>(await client.callTool({ name: 'submit_task', arguments: { description: 'pause me', repoPath: repo.dir } }));
    const paused = (await client.callTool({ name: 'intervene', arguments: { id: task.id, action: 'pause' } })) as CallToolResult;
    // The engine runs here, so a pause either takes or says which state forbids it.
    if (paused.isError) expect(paused).toMatchObject({ structuredContent: { error: { code: 'conflict' } } });
    else expect(paused.structuredContent).toMatchObject({ id: task.id });
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toMatchObject({ code: -32602 });
  });
});

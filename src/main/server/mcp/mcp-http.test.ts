import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import type { AgentEvent } from '../../../shared/domain/events';
import { SubmitTaskInput, type Task } from '../../../shared/domain/task';
import { ScriptedSteps } from '../../core/engine/testing/scripted-steps';
import { waitForState } from '../../core/engine/testing/wait';
import { startHeadlessHost, type HeadlessHost } from '../host';

/** The app's own MCP server over streamable HTTP on the headless host, driven by the SDK's client. */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function start(options: Parameters<typeof testCore>[0] = {}) {
  const core = testCore({ scheduler: { autoStart: false }, ...options });
  const renderer = tempDir('aa-renderer-');
  mkdirSync(renderer.dir, { recursive: true });
  writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>Agent Agency</title>');
  const host = await startHeadlessHost({ core, rendererDir: renderer.dir, port: 0, api: { rateLimit: false } });
  cleanups.push(() => {
    core.cleanup();
    renderer.cleanup();
  });
  cleanups.push(() => host.close());
  return { core, host };
}

async function connect(host: HeadlessHost, headers: Record<string, string> = { Authorization: `Bearer ${host.token}` }): Promise<Client> {
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${host.url}/mcp`), { requestInit: { headers } }));
  cleanups.push(() => client.close());
  return client;
}

const value = <T>(r: unknown): T => {
  const result = r as CallToolResult;
  if (result.isError) throw new Error(`tool failed: ${JSON.stringify(result.content)}`);
  return result.structuredContent as T;
};

describe('MCP over streamable HTTP at /mcp', () => {
  it('submits a dry-run task and reads its status and events', async () => {
    const { core, host } = await start();
    const client = await connect(host);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['approve', 'intervene', 'list_tasks', 'submit_task', 'task_events', 'task_status']);
    expect(tools.find((t) => t.name === 'submit_task')?.inputSchema.required).toEqual(['description', 'repoPath']);

    const task = value<Task>(await client.callTool({ name: 'submit_task', arguments: { description: 'add input validation', repoPath: core.repo } }));
    expect(task).toMatchObject({ mode: 'dry-run', state: { kind: 'queued' }, repoPath: core.repo });
    expect(core.tasks.get(task.id).task.id).toBe(task.id);

    const status = value<Task>(await client.callTool({ name: 'task_status', arguments: { id: task.id } }));
    expect(status.state.kind).toBe('queued');
    const events = value<{ events: AgentEvent[]; lastTaskSeq: number; more: boolean }>(await client.callTool({ name: 'task_events', arguments: { id: task.id } }));
    expect(events.events.map((e) => e.type)).toEqual(['task.created']);
    const after = value<{ events: AgentEvent[] }>(await client.callTool({ name: 'task_events', arguments: { id: task.id, afterTaskSeq: events.lastTaskSeq } }));
    expect(after.events).toEqual([]);
    const listed = value<{ tasks: Task[] }>(await client.callTool({ name: 'list_tasks', arguments: {} }));
    expect(listed.tasks.map((t) => t.id)).toEqual([task.id]);
  });

  it('answers bad input with the contract’s field-level errors', async () => {
    const { host } = await start();
    const client = await connect(host);
    const bad = (await client.callTool({ name: 'submit_task', arguments: { description: 'x', repoPath: '', riskTier: 7 } })) as CallToolResult;
    expect(bad.isError).toBe(true);
    const error = (bad.structuredContent as { error: { code: string; issues: { path: string }[] } }).error;
    expect(error.code).toBe('invalid_input');
    expect(error.issues.map((i) => i.path).sort()).toEqual(['description', 'repoPath', 'riskTier']);
    const missing = (await client.callTool({ name: 'task_status', arguments: { id: 'tsk_0000000000doesnotexist' } })) as CallToolResult;
    expect(missing).toMatchObject({ isError: true, structuredContent: { error: { code: 'not_found' } } });
  });

  it('refuses a client without the token and a foreign origin', async () => {
    const { host } = await start();
    await expect(connect(host, {})).rejects.toThrow();
    await expect(connect(host, { Authorization: 'Bearer wrong' })).rejects.toThrow();
    const res = await fetch(`${host.url}/mcp`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${host.token}`, Origin: 'http://evil.example', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(403);
  });

  it('steers and approves through the intervention channels, recording the MCP client as the actor', async () => {
    // Execution holds until the task is cancelled, so the test steers a step that is certainly running.
    const steps = new ScriptedSteps({
      delayMs: { plan: 10 },
      script: { execute: (ctx) => new Promise<never>((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true })) },
    });
    const { core, host } = await start({ steps, engine: { concurrency: 1, watchdogIntervalMs: 0 } });
    const client = await connect(host);
    const task = value<Task>(await client.callTool({ name: 'submit_task', arguments: { description: 'strict task', repoPath: core.repo, mode: 'strict' } }));
    await waitForState(core.db, task.id, 'awaiting_approval');
    const approved = value<Task>(await client.callTool({ name: 'approve', arguments: { id: task.id, decision: 'approve', gate: 'plan', who: 'reviewer-bot' } }));
    expect(approved.state.kind).not.toBe('awaiting_approval');
    const granted = core.tasks.get(task.id).events.find((e) => e.type === 'approval.granted');
    expect(granted?.payload).toMatchObject({ gate: 'plan', actor: { who: 'reviewer-bot', via: 'mcp' } });

    await waitForState(core.db, task.id, 'executing');
    value<Task>(await client.callTool({ name: 'intervene', arguments: { id: task.id, action: 'guide', text: 'keep the diff small' } }));
    const cancelled = value<Task>(await client.callTool({ name: 'intervene', arguments: { id: task.id, action: 'cancel', reason: 'enough' } }));
    expect(cancelled.state).toMatchObject({ kind: 'cancelled' });
    const events = core.tasks.get(task.id).events;
    expect(events.find((e) => e.type === 'task.guidance')?.payload).toMatchObject({ text: 'keep the diff small', actor: { who: 'api token holder', via: 'mcp' } });
  });

  it('serves as a tool server for the app’s own MCP client over streamable HTTP, which notices when it goes away', async () => {
    const { core: served, host } = await start();
    served.tasks.submit(SubmitTaskInput.parse({ description: 'a task on the served side', repoPath: served.repo }));
    const user = testCore({ scheduler: { autoStart: false }, tools: { limits: { callTimeoutMs: 3_000 }, backoff: { baseMs: 5_000, maxMs: 5_000, maxRestarts: 3, stableMs: 60_000 } } });
    cleanups.push(() => user.cleanup());
    cleanups.push(() => user.tools.close());
    await user.tools.addServer(
      { name: 'agency', enabled: true, transport: { kind: 'http', url: `${host.url}/mcp`, headers: { Authorization: `Bearer ${host.token}` } } },
      false,
      'test',
    );
    await user.tools.setPermission('agency', undefined, 'always', 'test');
    const task = user.tasks.submit(SubmitTaskInput.parse({ description: 'drive another agency', repoPath: user.repo }));

    const listed = await user.tools.call({ taskId: task.id, tool: 'agency.list_tasks', arguments: {} });
    expect(listed.status).toBe('ok');
    const tasks = listed.status === 'ok' ? (listed.result?.structuredContent as { tasks: Task[] }).tasks : [];
    expect(tasks.map((t) => t.description)).toEqual(['a task on the served side']);
    expect((await user.tools.listTools('agency')).tools.find((t) => t.name === 'agency.task_status')?.access).toBe('read');
    // `repoPath` names a path: this task has no workspace, so the call stops here.
    const submit = await user.tools.call({ taskId: task.id, tool: 'agency.submit_task', arguments: { description: 'nested', repoPath: served.repo } });
    expect(submit).toMatchObject({ status: 'denied', rule: 'path' });

    await host.close();
    const gone = await user.tools.call({ taskId: task.id, tool: 'agency.list_tasks', arguments: {} });
    expect(gone.status).toBe('error');
    expect(user.tools.hub.get('agency')!.status()).toMatchObject({ health: 'restarting', restarts: 1 });
  });
});

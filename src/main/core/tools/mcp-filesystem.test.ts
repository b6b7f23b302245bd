import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../../test/helpers';
import type { AgentEvent, Actor } from '../../../shared/domain/events';
import type { Task } from '../../../shared/domain/task';
import { eventsForTask } from '../db/queries/events';
import { waitFor } from '../engine/testing/wait';
import type { ToolCallOutcome, ToolCallRequest } from './gateway';
import type { ApprovalDecision, ApprovalRequest } from './policy';
import { filesystemServer, taskWithWorkspace, workspaceFixture } from './testing/fixtures';

/**
 * The MCP client against a real third-party server: @modelcontextprotocol/server-filesystem over
 * stdio, allowed the whole fixture root, so every refusal outside the workspace is the app's own.
 */

const alice: Actor = { who: 'alice', via: 'window' };
type ToolEvent = Extract<AgentEvent, { type: 'tool.called' | 'tool.denied' }>;

let core: ReturnType<typeof testCore>;
let root: ReturnType<typeof tempDir>;
let ws: string;
let outside: string;
let task: Task;

const toolEvents = (id = task.id): ToolEvent[] =>
  eventsForTask(core.db, id).filter((e): e is ToolEvent => e.type === 'tool.called' || e.type === 'tool.denied');

/** Every outcome the tests saw, to check against the journal at the end. */
const outcomes: ToolCallOutcome[] = [];
const call = async (request: ToolCallRequest): Promise<ToolCallOutcome> => {
  const outcome = await core.tools.call(request);
  outcomes.push(outcome);
  return outcome;
};

const text = (outcome: ToolCallOutcome) =>
  outcome.status === 'denied' ? '' : (outcome.result?.content ?? []).map((c) => (c.type === 'text' ? c.text : '')).join('');

beforeAll(async () => {
  root = tempDir('aa-tools-');
  ({ ws, outside } = workspaceFixture(root.dir));
  core = testCore({ scheduler: { autoStart: false }, tools: { backoff: { baseMs: 50, maxMs: 500, maxRestarts: 5, stableMs: 60_000 } } });
  await core.tools.addServer(filesystemServer('fs', root.dir), false, 'test');
  await core.tools.restartServer('fs');
  task = taskWithWorkspace(core, ws);
}, 30_000);

afterAll(async () => {
  await core.tools.close();
  core.cleanup();
  root.cleanup();
});

describe('MCP client with @modelcontextprotocol/server-filesystem', () => {
  it('starts the server, reports it healthy and lists its tools namespaced by server', async () => {
    const [status] = await core.tools.servers();
    expect(status).toMatchObject({ name: 'fs', source: 'settings', health: 'running', transport: 'stdio' });
    expect(status!.pid).toBeGreaterThan(0);
    expect(status!.serverInfo?.name).toBeTruthy();
    const { tools } = await core.tools.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    expect(byName.get('fs.read_text_file')).toMatchObject({ server: 'fs', tool: 'read_text_file', access: 'read', permission: 'ask', permissionSource: 'default' });
    expect(byName.get('fs.write_file')).toMatchObject({ access: 'write' });
    expect(status!.tools).toBe(tools.length);
  });

  it('lets an allowed read through and journals it with who allowed it and the result hash', async () => {
    await core.tools.setPermission('fs', 'read_text_file', 'always', 'test');
    const before = toolEvents().length;
    const outcome = await call({ taskId: task.id, tool: 'fs.read_text_file', arguments: { path: join(ws, 'hello.txt') } });
    expect(outcome.status).toBe('ok');
    expect(text(outcome)).toContain('hello from the workspace');
    const relative = await call({ taskId: task.id, tool: 'read_text_file', arguments: { path: 'src/a.ts' } });
    expect(text(relative)).toContain('export const a = 1;');
    const events = toolEvents().slice(before);
    expect(events.map((e) => e.type)).toEqual(['tool.called', 'tool.called']);
    const called = events[0]!;
    if (called.type !== 'tool.called') throw new Error('expected a call');
    expect(called.payload).toMatchObject({
      server: 'fs',
      tool: 'fs.read_text_file',
      arguments: { path: join(ws, 'hello.txt') },
      isError: false,
      allowedBy: { kind: 'policy' },
    });
    expect(called.payload.resultSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(called.payload.argumentsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(called.payload.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('refuses a write outside the workspace before it reaches the server (absolute, .., a link out, file://)', async () => {
    await core.tools.setPermission('fs', 'write_file', 'always', 'test');
    const attempts = [join(outside, 'a.txt'), '../outside/b.txt', 'escape/c.txt', `file://${join(outside, 'd.txt')}`, '~/e.txt'];
    for (const path of attempts) {
      const outcome = await call({ taskId: task.id, tool: 'fs.write_file', arguments: { path, content: 'pwned' } });
      expect(outcome).toMatchObject({ status: 'denied', rule: 'path' });
    }
    for (const f of ['a.txt', 'b.txt', 'c.txt', 'd.txt']) expect(existsSync(join(outside, f))).toBe(false);
    const denied = toolEvents().filter((e) => e.type === 'tool.denied');
    expect(denied.slice(-attempts.length).map((e) => e.payload.path)).toEqual(attempts);
    // A read through the link out is refused as well: the server itself would have allowed it.
    const sneak = await call({ taskId: task.id, tool: 'fs.read_text_file', arguments: { path: 'escape/secret.txt' } });
    expect(sneak).toMatchObject({ status: 'denied', rule: 'path' });
    // The same tool writes inside the workspace, so the refusals above were the path check's.
    const inside = await call({ taskId: task.id, tool: 'fs.write_file', arguments: { path: join(ws, 'notes.txt'), content: 'written by a tool' } });
    expect(inside.status).toBe('ok');
    expect(readFileSync(join(ws, 'notes.txt'), 'utf8')).toBe('written by a tool');
  });

  it('checks every path of a multi-path call (read_multiple_files) and of move_file', async () => {
    await core.tools.setPermission('fs', undefined, 'always', 'test');
    const multi = await call({ taskId: task.id, tool: 'fs.read_multiple_files', arguments: { paths: ['hello.txt', join(outside, 'secret.txt')] } });
    expect(multi).toMatchObject({ status: 'denied', rule: 'path' });
    const move = await call({ taskId: task.id, tool: 'fs.move_file', arguments: { source: join(ws, 'notes.txt'), destination: join(outside, 'moved.txt') } });
    expect(move).toMatchObject({ status: 'denied', rule: 'path' });
    expect(existsSync(join(ws, 'notes.txt'))).toBe(true);
    await core.tools.setPermission('fs', undefined, 'ask', 'test');
  });

  it('pauses an `ask` tool until a human answers: approved it runs, denied it never reaches the server', async () => {
    await core.tools.setPermission('fs', 'write_file', 'ask', 'test');
    const asked: ApprovalRequest[] = [];
    let answer: (d: ApprovalDecision) => void = () => undefined;
    const requestApproval = (r: ApprovalRequest) => {
      asked.push(r);
      return new Promise<ApprovalDecision>((resolve) => (answer = resolve));
    };
    const target = join(ws, 'approved.txt');
    let settled = false;
    const pending = call({ taskId: task.id, tool: 'fs.write_file', arguments: { path: target, content: 'ok' }, requestApproval }).finally(() => (settled = true));
    await waitFor(() => asked.length === 1 || undefined);
    expect(asked[0]).toMatchObject({ taskId: task.id, tool: 'fs.write_file', args: { path: target, content: 'ok' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    expect(existsSync(target)).toBe(false);
    answer({ granted: true, actor: alice, scope: 'once' });
    const approved = await pending;
    expect(approved).toMatchObject({ status: 'ok', allowedBy: { kind: 'approval', actor: alice, scope: 'once' } });
    expect(readFileSync(target, 'utf8')).toBe('ok');

    const refused = join(ws, 'refused.txt');
    const denying = call({ taskId: task.id, tool: 'fs.write_file', arguments: { path: refused, content: 'no' }, requestApproval });
    await waitFor(() => asked.length === 2 || undefined);
    answer({ granted: false, actor: alice, scope: 'once', reason: 'not now' });
    expect(await denying).toMatchObject({ status: 'denied', rule: 'approval_denied' });
    expect(existsSync(refused)).toBe(false);
    const last = toolEvents().at(-1)!;
    expect(last).toMatchObject({ type: 'tool.denied', payload: { rule: 'approval_denied', actor: alice, tool: 'fs.write_file' } });
  });

  it('remembers an approval for the task as a grant until it is revoked', async () => {
    await core.tools.setPermission('fs', 'create_directory', 'ask', 'test');
    let asks = 0;
    const requestApproval = async (): Promise<ApprovalDecision> => {
      asks++;
      return { granted: true, actor: alice, scope: 'task' };
    };
    const first = await call({ taskId: task.id, tool: 'fs.create_directory', arguments: { path: 'd1' }, requestApproval });
    const second = await call({ taskId: task.id, tool: 'fs.create_directory', arguments: { path: 'd2' }, requestApproval });
    expect(asks).toBe(1);
    expect(first).toMatchObject({ status: 'ok', allowedBy: { kind: 'approval', scope: 'task' } });
    expect(second).toMatchObject({ status: 'ok', allowedBy: { kind: 'grant', scope: 'task', actor: alice } });
    // Another task is not covered by this task's grant.
    const other = taskWithWorkspace(core, ws, 'another task');
    await call({ taskId: other.id, tool: 'fs.create_directory', arguments: { path: 'd3' }, requestApproval });
    expect(asks).toBe(2);
    const [grant] = core.tools.grants({ taskId: task.id, includeRevoked: false });
    expect(grant).toMatchObject({ tool: 'fs.create_directory', scope: 'task', taskId: task.id });
    core.tools.revokeGrant(grant!.id, { who: 'bob', via: 'cli' });
    await call({ taskId: task.id, tool: 'fs.create_directory', arguments: { path: 'd4' }, requestApproval });
    expect(asks).toBe(3);
  });

  it('refuses `never` tools and unknown ones without calling anything', async () => {
    await core.tools.setPermission('fs', 'list_directory', 'never', 'test');
    expect(await call({ taskId: task.id, tool: 'fs.list_directory', arguments: { path: ws } })).toMatchObject({ status: 'denied', rule: 'permission' });
    expect(await call({ taskId: task.id, tool: 'fs.no_such_tool', arguments: {} })).toMatchObject({ status: 'denied', rule: 'unknown_tool' });
    expect(await call({ taskId: task.id, tool: 'nope.read', arguments: {} })).toMatchObject({ status: 'denied', rule: 'unknown_tool' });
  });

  it('sends the path it checked: a relative path means the workspace, never the server’s own folder', async () => {
    // root/outside/secret.txt exists, ws/outside/secret.txt does not; the server was started on root.
    const outcome = await call({ taskId: task.id, tool: 'fs.read_text_file', arguments: { path: 'outside/secret.txt' } });
    expect(outcome.status).toBe('error');
    expect(text(outcome)).not.toContain('not for agents');
    const last = toolEvents().at(-1)!;
    expect(last).toMatchObject({ type: 'tool.called', payload: { arguments: { path: join(ws, 'outside', 'secret.txt') }, isError: true } });
  });

  it('journals every call, allowed or refused, once, on its task', () => {
    const rows = core.db.prepare("SELECT task_id, type, payload FROM events WHERE type IN ('tool.called', 'tool.denied')").all() as { task_id: string; type: string; payload: string }[];
    const byCall = new Map(rows.map((r) => [(JSON.parse(r.payload) as { callId: string }).callId, r]));
    expect(byCall.size).toBe(rows.length);
    expect(outcomes.length).toBeGreaterThan(20);
    expect([...byCall.keys()].sort()).toEqual(outcomes.map((o) => o.callId).sort());
    for (const o of outcomes) {
      const row = byCall.get(o.callId)!;
      expect(row.type).toBe(o.status === 'denied' ? 'tool.denied' : 'tool.called');
      const payload = JSON.parse(row.payload) as { tool: string; argumentsSha256: string; resultSha256?: string; allowedBy?: { actor: Actor } };
      expect(payload.tool).toBe(o.tool);
      expect(payload.argumentsSha256).toMatch(/^[0-9a-f]{64}$/);
      if (o.status !== 'denied') {
        expect(payload.allowedBy?.actor.who).toBeTruthy();
        expect(payload.resultSha256).toMatch(/^[0-9a-f]{64}$/);
      }
    }
  });

  it('puts the tool calls in the task detail and the signed audit bundle', async () => {
    const detail = core.tasks.get(task.id).events.filter((e) => e.type === 'tool.called' || e.type === 'tool.denied');
    expect(detail.length).toBe(toolEvents().length);
    const { bundle } = await core.provenance.exportBundle(task.id);
    const inBundle = (bundle.content.events ?? []).filter((e) => e.type === 'tool.called' || e.type === 'tool.denied');
    expect(inBundle.map((e) => (e.payload as { callId: string }).callId)).toEqual(detail.map((e) => e.payload.callId));
    const report = await core.provenance.verify(bundle, { trustLocalKeys: true });
    expect(report.ok).toBe(true);
  });

  it('restarts a crashed server with backoff and serves calls again', async () => {
    const before = (await core.tools.servers())[0]!;
    process.kill(before.pid!, 'SIGKILL');
    const restarted = await waitFor(
      () => {
        const s = core.tools.hub.get('fs')!.status();
        return s.health === 'running' && s.pid !== before.pid ? s : undefined;
      },
      15_000,
      'the filesystem server to come back',
    );
    expect(restarted.restarts).toBe(before.restarts + 1);
    expect(restarted.lastError).toContain('exited');
    const read = await call({ taskId: task.id, tool: 'fs.read_text_file', arguments: { path: 'hello.txt' } });
    expect(text(read)).toContain('hello from the workspace');
  });
});

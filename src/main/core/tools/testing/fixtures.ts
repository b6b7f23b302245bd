import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ToolServerConfig } from '../../../../shared/channels/tools';
import { SubmitTaskInput, type Task } from '../../../../shared/domain/task';
import type { Core } from '../../core';
import { upsertWorkspace } from '../../db/queries/workspaces';
import type { WorkingSpec } from '../../../../shared/domain/working-spec';
import { serializeSpec } from '../../caws/yaml';
import { setTaskSpec } from '../../db/queries/specs';

/**
 * Test fixtures for the tools area: the real third-party filesystem MCP server run with the
 * project's Node 22 (never npx, nothing downloaded), and a task whose workspace is a folder.
 */

export const PROJECT_NODE = resolve('node_modules/.bin/node');
export const FILESYSTEM_SERVER = resolve('node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');

export function filesystemServer(name: string, allowedDir: string): ToolServerConfig {
  return { name, enabled: true, transport: { kind: 'stdio', command: PROJECT_NODE, args: [FILESYSTEM_SERVER, allowedDir], env: {} } };
}

/** A server script run with the project's Node (for behaviour the filesystem server lacks). */
export function scriptServer(name: string, script: string, args: string[] = []): ToolServerConfig {
  return { name, enabled: true, transport: { kind: 'stdio', command: PROJECT_NODE, args: [script, ...args], env: {} } };
}

/**
 * root/ws (the workspace: hello.txt, src/a.ts, and `escape`, a link to ../outside) and root/outside
 * (secret.txt). The filesystem server is given all of root, so only the app's own check keeps a
 * call inside ws.
 */
export function workspaceFixture(root: string): { ws: string; outside: string } {
  const ws = join(root, 'ws');
  const outside = join(root, 'outside');
  mkdirSync(join(ws, 'src'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(ws, 'hello.txt'), 'hello from the workspace\n');
  writeFileSync(join(ws, 'src', 'a.ts'), 'export const a = 1;\n');
  writeFileSync(join(outside, 'secret.txt'), 'not for agents\n');
  symlinkSync(outside, join(ws, 'escape'));
  return { ws, outside };
}

/** A working spec whose scope is `scopeIn` (tool writes are held to the task's spec scope). */
export function specWithScope(scopeIn: string[]): WorkingSpec {
  return {
    id: 'TOOLS-0001',
    title: 'Use tools on the workspace',
    risk_tier: 2,
    mode: 'chore',
    lifecycle_state: 'active',
    blast_radius: { modules: ['workspace'], data_migration: false },
    scope: { in: scopeIn },
    invariants: ['nothing outside the workspace changes'],
    acceptance: [{ id: 'A1', given: 'the workspace', when: 'a tool runs', then: 'it stays inside' }],
    non_functional: { security: ['tools stay in the workspace'] },
    contracts: [{ name: 'workspace', type: 'behavior' }],
  };
}

/**
 * A dry-run task whose workspace record points at `ws` (as WorkspaceManager would write it) and
 * whose working spec scopes writes to `scopeIn` (the whole workspace unless said).
 */
export function taskWithWorkspace(core: Core, ws: string, description = 'use tools on the workspace', scopeIn: string[] = ['.']): Task {
  const task = core.tasks.submit(SubmitTaskInput.parse({ description, repoPath: ws, mode: 'dry-run', allowNonGit: true }));
  const now = Date.now();
  setTaskSpec(core.db, task.id, serializeSpec(specWithScope(scopeIn)), now);
  upsertWorkspace(core.db, {
    taskId: task.id,
    path: ws,
    sourcePath: ws,
    kind: 'copy',
    branch: `agent-agency/${task.id}`,
    baseCommit: '0'.repeat(40),
    state: 'active',
    sizeBytes: 0,
    createdAt: now,
    updatedAt: now,
  });
  return task;
}

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers';
import { FILESYSTEM_SERVER, PROJECT_NODE, workspaceFixture } from '../../main/core/tools/testing/fixtures';
import { EXIT } from '../exit-codes';
import { finishProgram } from '../program';
import { memoryIo } from '../testing';
import { Command } from 'commander';
import { toolsCommand } from './tools';

/**
 * `agent-agency tools …` run as the command line runs it (commander, the in-process core on a
 * data folder), against the real @modelcontextprotocol/server-filesystem allowed the whole fixture
 * root and the data folder: every refusal below is the app's own guard, not the server's.
 */

let root: ReturnType<typeof tempDir>;
let data: string;
let ws: string;
let outside: string;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo();
  const program = new Command('agent-agency').addCommand(toolsCommand(io));
  finishProgram(program);
  const before = process.exitCode;
  try {
    // Options before the command's `--`, after which everything is the server's command line.
    await program.parseAsync(['node', 'agent-agency', 'tools', args[0]!, '--in-process', '--data-dir', data, ...args.slice(1)]);
    return { code: Number(process.exitCode ?? 0), out: io.text(), err: io.stderr.join('') };
  } finally {
    process.exitCode = before;
  }
}

const call = (tool: string, args: unknown, ...extra: string[]) => run(['call', tool, '--workspace', ws, '--args', JSON.stringify(args), '--approve', '--json', ...extra]);
const report = (r: { out: string }) => JSON.parse(r.out) as { status: string; rule: string | null; reason: string | null; text: string };

beforeAll(async () => {
  root = tempDir('aa-tools-cli-');
  ({ ws, outside } = workspaceFixture(root.dir));
  data = join(root.dir, 'data');
  mkdirSync(data);
  // Nothing may reach the user's own data folder, even through a misplaced flag.
  process.env['AGENT_AGENCY_DATA_DIR'] = data;
  // The server may touch all of root, data folder included.
  const added = await run(['add-server', 'fs', '--', PROJECT_NODE, FILESYSTEM_SERVER, root.dir]);
  expect(added.code, added.err).toBe(EXIT.ok);
}, 60_000);

afterAll(() => root.cleanup());

describe('agent-agency tools', () => {
  it('lists the added server and removes it only by its name', async () => {
    const listed = await run(['list', '--json']);
    expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ name: 'fs', transport: 'stdio', source: 'settings' })]);
    expect((await run(['remove', 'nope'])).code).toBe(EXIT.notFound);
    expect((await run(['add-server', 'bad.name', '--', 'x'])).err).toMatch(/<name>/);
  }, 60_000);

  it('reads inside the workspace (the guard lets the ordinary call through)', async () => {
    const r = await call('fs.read_text_file', { path: 'hello.txt' });
    expect(r.code, r.err).toBe(EXIT.ok);
    expect(report(r).text).toContain('hello from the workspace');
  }, 60_000);

  it('attack: read_multiple_files with 1000 workspace paths and one outside — refused, exit 6', async () => {
    const many = await call('fs.read_multiple_files', { paths: [...Array.from({ length: 1_000 }, () => 'hello.txt'), join(outside, 'secret.txt')] });
    expect(many.code).toBe(EXIT.denied);
    expect(report(many)).toMatchObject({ status: 'denied', rule: 'invalid_arguments', reason: expect.stringContaining('1001 paths') });
    expect(many.out).not.toContain('not for agents');
    // Under the limit, the last of 1000 is still checked (none is skipped), and named.
    const last = await call('fs.read_multiple_files', { paths: [...Array.from({ length: 999 }, () => 'hello.txt'), join(outside, 'secret.txt')] });
    expect(last.code).toBe(EXIT.denied);
    expect(report(last)).toMatchObject({ rule: 'path', reason: expect.stringContaining('paths[999]') });
    const human = await run(['call', 'fs.read_multiple_files', '--workspace', ws, '--approve', '--args', JSON.stringify({ paths: ['hello.txt', join(outside, 'secret.txt')] })]);
    expect(human.code).toBe(EXIT.denied);
    expect(human.err).toMatch(/refused \(path\): paths\[1\]: .*outside the task workspace/);
  }, 60_000);

  it('attack: a path nested 9 levels deep — refused; deeper than the limit — refused, not cut', async () => {
    let nested: unknown = { path: join(outside, 'secret.txt') };
    for (let i = 0; i < 8; i++) nested = { more: nested };
    const nine = await call('fs.read_text_file', { path: 'hello.txt', extra: nested });
    expect(nine.code).toBe(EXIT.denied);
    expect(report(nine)).toMatchObject({ rule: 'path', reason: expect.stringContaining('extra.more.more.more.more.more.more.more.more.path') });
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = [deep];
    const tooDeep = await call('fs.read_text_file', { path: 'hello.txt', extra: deep });
    expect(report(tooDeep)).toMatchObject({ status: 'denied', rule: 'invalid_arguments', reason: expect.stringContaining('deeper than') });
  }, 60_000);

  it('attack: a symbolic link out of the workspace — refused for reads and writes', async () => {
    const read = await call('fs.read_text_file', { path: 'escape/secret.txt' });
    expect(read.code).toBe(EXIT.denied);
    expect(report(read).reason).toMatch(/^path: .*outside the task workspace/);
    const write = await call('fs.write_file', { path: 'escape/planted.txt', content: 'x' }, '--scope', '.');
    expect(write.code).toBe(EXIT.denied);
    expect(existsSync(join(outside, 'planted.txt'))).toBe(false);
  }, 60_000);

  it('attack: a write outside the scope — refused; inside the scope it is written', async () => {
    const out = await call('fs.write_file', { path: 'hello.txt', content: 'overwritten' }, '--scope', 'src');
    expect(out.code).toBe(EXIT.denied);
    expect(report(out).reason).toMatch(/^path: .*outside the spec's scope/);
    const noScope = await call('fs.write_file', { path: 'src/b.ts', content: 'x' });
    expect(report(noScope)).toMatchObject({ status: 'denied', rule: 'path', reason: expect.stringContaining('may not write') });
    expect(readFileSync(join(ws, 'hello.txt'), 'utf8')).toBe('hello from the workspace\n');
    const inside = await call('fs.write_file', { path: 'src/b.ts', content: 'export const b = 2;\n' }, '--scope', 'src');
    expect(inside.code, inside.err).toBe(EXIT.ok);
    expect(readFileSync(join(ws, 'src', 'b.ts'), 'utf8')).toBe('export const b = 2;\n');
  }, 60_000);

  it('offers the workspace as the only MCP root: the server confines itself to it, and a server started without folders works from roots alone', async () => {
    const allowed = await call('fs.list_allowed_directories', {});
    expect(allowed.code, allowed.err).toBe(EXIT.ok);
    expect(report(allowed).text).toContain(ws);
    expect(report(allowed).text).not.toMatch(new RegExp(`${root.dir}\\s*$`, 'm'));
    const added = await run(['add-server', 'rootsonly', '--', PROJECT_NODE, FILESYSTEM_SERVER]);
    expect(added.code, added.err).toBe(EXIT.ok);
    const read = await call('rootsonly.read_text_file', { path: 'hello.txt' });
    expect(read.code, read.err).toBe(EXIT.ok);
    expect(report(read).text).toContain('hello from the workspace');
    expect((await run(['remove', 'rootsonly'])).code).toBe(EXIT.ok);
  }, 60_000);

  it('never reaches the data folder, and refuses an `ask` tool nobody approved', async () => {
    const db = await call('fs.read_text_file', { path: join(data, 'agent-agency.db') });
    expect(db.code).toBe(EXIT.denied);
    const unapproved = await run(['call', 'fs.read_text_file', '--workspace', ws, '--args', '{"path":"hello.txt"}', '--json']);
    expect(report(unapproved)).toMatchObject({ rule: 'approval_denied', reason: expect.stringContaining('--approve') });
    const badArgs = await run(['call', 'fs.read_text_file', '--workspace', ws, '--args', '[1]']);
    expect(badArgs.code).toBe(EXIT.usage);
    expect(badArgs.err).toMatch(/--args/);
  }, 60_000);
});

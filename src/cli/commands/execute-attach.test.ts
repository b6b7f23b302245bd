import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../../test/helpers';
import { startHeadlessHost, type HeadlessHost } from '../../main/server/host';
import { EXIT } from '../exit-codes';
import { memoryIo } from '../testing';
import { executeCommand } from './execute';

/** `execute --attach FILE` against a running instance (real HTTP on loopback): the files reach the task. */
describe('agent-agency execute --attach', () => {
  let core: ReturnType<typeof testCore>;
  let host: HeadlessHost;
  const files = tempDir('aa-attach-cli-');
  const renderer = tempDir('aa-renderer-');

  beforeAll(async () => {
    core = testCore();
    mkdirSync(renderer.dir, { recursive: true });
    writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>Agent Agency</title>');
    host = await startHeadlessHost({ core, rendererDir: renderer.dir, port: 0, advertise: true, api: { rateLimit: false } });
    writeFileSync(join(files.dir, 'bug.md'), '# Bug\n\nThe signup form accepts an empty email.\n');
    writeFileSync(join(files.dir, 'fake.png'), 'not an image');
    writeFileSync(join(files.dir, 'tool.exe'), 'MZ');
  });
  afterAll(async () => {
    host.app.server.closeAllConnections();
    await host.close();
    core.cleanup();
    files.cleanup();
    renderer.cleanup();
  });

  const run = async (args: string[]) => {
    const io = memoryIo();
    await executeCommand(io).parseAsync([...args, '--repo', core.repo, '--data-dir', core.dataDir, '--remote'], { from: 'user' });
    const code = process.exitCode;
    process.exitCode = 0;
    return { code, stdout: io.text(), stderr: io.stderr.join('') };
  };

  it('attaches files to the submitted task; a missing, mistyped or unreadable file is refused by name', async () => {
    const ok = await run(['Validate the email field', '--attach', join(files.dir, 'bug.md'), '--json']);
    expect(ok.code, ok.stderr).toBe(EXIT.ok);
    const task = JSON.parse(ok.stdout) as { id: string };
    expect(core.attachments.list(task.id)).toEqual([expect.objectContaining({ name: 'bug.md', kind: 'markdown', status: 'pending' })]);

    const missing = await run(['Validate the email', '--attach', join(files.dir, 'nope.pdf')]);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toMatch(/--attach: .*nope\.pdf: cannot be read \(no such file\)/);
    const exe = await run(['Validate the email', '--attach', join(files.dir, 'tool.exe')]);
    expect(exe.code).toBe(EXIT.usage);
    expect(exe.stderr).toMatch(/--attach\[0\]\.name: "tool\.exe" has a type that is not accepted/);
    const fake = await run(['Validate the email', '--attach', join(files.dir, 'fake.png')]);
    expect(fake.code).toBe(EXIT.usage);
    expect(fake.stderr).toMatch(/"fake\.png" cannot be read: its content is not a PNG/);
  });
});

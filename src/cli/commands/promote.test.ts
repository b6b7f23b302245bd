import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testCore } from '../../../test/helpers';
import { ok } from '../../shared/errors';
import { finishedDryRunOn } from '../../main/core/apply/testing/dry-run-fixture';
import { gitSync, writeFiles } from '../../main/core/workspace/testing/git-fixture';
import { InProcessClient } from '../client/in-process';
import { CommandContext, type CommonOptions } from '../context';
import { EXIT } from '../exit-codes';
import { table } from '../format';
import { memoryIo } from '../testing';
import { followDownload } from './models-pull';
import { promote, retry } from './promote';

let core: ReturnType<typeof testCore> | undefined;
let server: Server | undefined;
afterEach(async () => {
  server?.close();
  server = undefined;
  core?.cleanup();
  core = undefined;
});

function contextFor(c: ReturnType<typeof testCore>, options: CommonOptions & Record<string, unknown> = {}, columns = 100) {
  const io = memoryIo({ columns });
  const ctx = new CommandContext(io, options, async () => ok(InProcessClient.over(c)));
  return { ctx, io };
}

describe('agent-agency promote and retry', () => {
  it('promotes the kept patch onto a new branch and says which commit', async () => {
    core = testCore();
    const repo = join(core.repo, 'r');
    const { taskId, sha256 } = await finishedDryRunOn(core, repo);
    const { ctx, io } = contextFor(core);
    expect(await promote(ctx, taskId)).toBe(EXIT.ok);
    expect(io.text()).toMatch(new RegExp(`Promoted ${taskId}: commit [0-9a-f]{12} on agent-agency/${taskId} \\(1 file\\(s\\), patch sha256 ${sha256.slice(0, 12)}`));
    expect(gitSync(repo, ['show', `agent-agency/${taskId}:a.js`])).toBe('export const a = 2;\n');
  });

  it('refuses with the reason and the re-run command when the repository moved, exit 5; retry queues the linked re-run', async () => {
    core = testCore();
    const repo = join(core.repo, 'r');
    const { taskId } = await finishedDryRunOn(core, repo);
    writeFiles(repo, { 'a.js': 'export const a = 9;\n' });
    gitSync(repo, ['commit', '--quiet', '-am', 'moved']);
    const { ctx, io } = contextFor(core);
    expect(await promote(ctx, taskId)).toBe(EXIT.conflict);
    const said = io.stderr.join('');
    expect(said).toMatch(/the repository moved since the dry-run .* no longer applies cleanly/);
    expect(said).toContain(`agent-agency retry ${taskId}`);

    const again = contextFor(core);
    expect(await retry(again.ctx, taskId)).toBe(EXIT.ok);
    expect(again.io.text()).toMatch(new RegExp(`Submitted tsk_\\w+, a retry of ${taskId} \\(dry-run\\)`));
  });
});

describe('models pull', () => {
  it('exits 1 naming the failure when the download fails', async () => {
    server = createServer((_req, res) => {
      res.statusCode = 404;
      res.end('no such file');
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    core = testCore();
    const { ctx, io } = contextFor(core);
    const started = core.models.startDownload({ url: `http://127.0.0.1:${port}/missing.gguf` });
    expect(await followDownload(ctx, InProcessClient.over(core), started, 20)).toBe(EXIT.failure);
    expect(io.stderr.join('')).toMatch(/download failed: /);
  });
});

describe('a download that cannot reach its host', () => {
  it('says "can\'t reach <host> — are you offline?" instead of an error code', async () => {
    // A port that was free a moment ago: nothing listens, so the connection is refused.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    core = testCore();
    const { ctx, io } = contextFor(core);
    const started = core.models.startDownload({ url: `http://127.0.0.1:${port}/model.gguf` });
    expect(await followDownload(ctx, InProcessClient.over(core), started, 20)).toBe(EXIT.failure);
    expect(io.stderr.join('')).toContain(`can't reach 127.0.0.1:${port} — are you offline?`);
  });
});

describe('tables fit the terminal', () => {
  it('narrows wide columns so no line is longer than the width', () => {
    const rows = [['tsk_0123456789abcdef', 'failed: the model server at http://127.0.0.1:8080 went away in the middle of a long step', '[####------]  40%', 'a description that is long enough to be cut']];
    for (const width of [60, 80, 120]) {
      const text = table(['ID', 'STATE', 'PROGRESS', 'DESCRIPTION'], rows, width);
      for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(width);
    }
  });
});

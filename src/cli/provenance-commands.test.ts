import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../test/helpers';
import { taskWithHistory } from '../main/core/provenance/testing/fixture';
import { exportCommand } from './export';
import type { Io } from './io';
import { verifyCommand } from './verify';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function captureIo(): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY: false, columns: 100, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

/** A data folder with one finished dry-run task, closed again as a CLI run would find it. */
async function dataFolder() {
  const core = testCore();
  const taskId = await taskWithHistory(core);
  const { dataDir } = core;
  const history = join(dataDir, 'keys', 'history.json');
  core.close();
  cleanups.push(() => core.cleanup());
  const out = tempDir('aa-out-');
  cleanups.push(out.cleanup);
  return { taskId, dataDir, history, out: out.dir };
}

describe('agent-agency export / verify', () => {
  it('exports a task in-process and verifies it (exit 0), pinned to the installation key', async () => {
    const { taskId, dataDir, history, out } = await dataFolder();
    const file = join(out, 'bundle.json');
    const io = captureIo();
    expect(await exportCommand(taskId, { output: file, dataDir }, io)).toBe(0);
    expect(io.stdout).toContain(`Wrote the audit bundle of ${taskId} to ${file}`);

    const v = captureIo();
    expect(await verifyCommand(file, { key: [history] }, v)).toBe(0);
    expect(v.stdout).toMatch(new RegExp(`^Verified: audit bundle of ${taskId}`));
    expect(v.stdout).toContain('(trusted)');
  });

  it('--include-trace carries the spans the data folder keeps, and the bundle still verifies', async () => {
    const { taskId, dataDir, history, out } = await dataFolder();
    const file = join(out, 'traced.json');
    const io = captureIo();
    expect(await exportCommand(taskId, { output: file, dataDir, includeTrace: true }, io)).toBe(0);
    expect(io.stdout).toContain(`Wrote the audit bundle of ${taskId} with its trace to ${file}`);
    const bundle = JSON.parse(readFileSync(file, 'utf8')) as { content: { trace?: Array<{ name: string; parentSpanId: string | null }> } };
    expect(bundle.content.trace?.find((s) => s.parentSpanId === null)?.name).toBe(`task ${taskId}`);
    expect(await verifyCommand(file, { key: [history] }, captureIo())).toBe(0);
  });

  it('exits 1 naming what was altered, and 1 for a bundle signed by a key that is not trusted', async () => {
    const { taskId, dataDir, out } = await dataFolder();
    const file = join(out, 'bundle.json');
    expect(await exportCommand(taskId, { output: file, dataDir }, captureIo())).toBe(0);
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('"who": "alice"', '"who": "mallory"'));
    const io = captureIo();
    expect(await verifyCommand(file, {}, io)).toBe(1);
    expect(io.stderr).toContain('FAILED verification');
    expect(io.stderr).toMatch(/altered\s+event #5 \(approval.granted\) was altered/);

    // A key from another installation is not the signer.
    const other = await dataFolder();
    const clean = join(out, 'clean.json');
    expect(await exportCommand(taskId, { output: clean, dataDir }, captureIo())).toBe(0);
    const pinned = captureIo();
    expect(await verifyCommand(clean, { key: [other.history], json: true }, pinned)).toBe(1);
    const report = JSON.parse(pinned.stdout) as { ok: boolean; problems: { kind: string }[] };
    expect(report.ok).toBe(false);
    expect(report.problems.every((p) => p.kind === 'resigned')).toBe(true);
  });

  it('reports usage errors and unknown tasks with their exit codes', async () => {
    const { dataDir, out } = await dataFolder();
    const io = captureIo();
    expect(await exportCommand('not-a-task', { output: join(out, 'x.json'), dataDir }, io)).toBe(2);
    expect(io.stderr).toContain('<task>: must be a task id');
    const missing = captureIo();
    expect(await exportCommand('tsk_0nosuchtask0000', { output: join(out, 'x.json'), dataDir }, missing)).toBe(3);
    expect(missing.stderr).toContain('no task with id tsk_0nosuchtask0000');
    const noFile = captureIo();
    expect(await verifyCommand(join(out, 'absent.json'), {}, noFile)).toBe(3);
    const badKey = join(out, 'key.json');
    writeFileSync(badKey, '{"kty":"RSA"}');
    writeFileSync(join(out, 'b.json'), '{}');
    const bad = captureIo();
    expect(await verifyCommand(join(out, 'b.json'), { key: [badKey] }, bad)).toBe(2);
    expect(bad.stderr).toContain('not an Ed25519 public JWK');
    const notBundle = captureIo();
    expect(await verifyCommand(join(out, 'b.json'), {}, notBundle)).toBe(1);
    expect(notBundle.stderr).toMatch(/malformed\s+format:/);
  });
});

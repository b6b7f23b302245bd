import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, testCore } from '../../test/helpers';
import { serializeBundle } from '../main/core/provenance/bundle-export';
import { taskWithHistory } from '../main/core/provenance/testing/fixture';
import type { Io } from './io';
import { verifyCommand } from './verify';

/** `agent-agency verify --sources DIR`: the bundle's source files checked against their listed hashes. */
const dirs: ReturnType<typeof tempDir>[] = [];
let file: string;
const V2 = 'export const a = 2;\n';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function captureIo(): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY: false, columns: 100, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

function sources(files: Record<string, string>): string {
  const d = tempDir('aa-src-');
  dirs.push(d);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(d.dir, p, '..'), { recursive: true });
    writeFileSync(join(d.dir, p), text);
  }
  return d.dir;
}

beforeAll(async () => {
  const core = testCore();
  try {
    const taskId = await taskWithHistory(core);
    const claim = { kind: 'file_changed', subject: 'src/a.ts', text: 'Changed src/a.ts.', source: 'worker', extractedBy: 'rules', status: 'verified', evidence: 'the diff modifies src/a.ts' } as const;
    core.claims.recordExecution(taskId, 1, [{ ...claim, sources: [{ source: 'workspace', path: 'src/a.ts', sha256: sha(V2) }] }], []);
    file = join(sources({}), 'bundle.json');
    writeFileSync(file, serializeBundle((await core.provenance.exportBundle(taskId)).bundle));
  } finally {
    core.cleanup();
  }
});
afterAll(() => {
  for (const d of dirs) d.cleanup();
});

describe('agent-agency verify --sources', () => {
  it('says the sources were not checked without it, checks them with it (exit 0; 1 when one differs; 2 when DIR is no directory)', async () => {
    const plain = captureIo();
    expect(await verifyCommand(file, {}, plain)).toBe(0);
    expect(plain.stdout).toContain('source versions listed, not checked: pass --sources DIR');

    const ok = captureIo();
    expect(await verifyCommand(file, { sources: sources({ 'src/a.ts': V2 }) }, ok)).toBe(0);
    expect(ok.stdout).toContain('sources: 1 match the last version recorded, 0 an earlier one, 1 not supplied');
    expect(ok.stdout).toContain('1 source file(s) were not in');

    const bad = captureIo();
    expect(await verifyCommand(file, { sources: sources({ 'src/a.ts': 'edited\n' }) }, bad)).toBe(1);
    expect(bad.stderr).toContain('workspace src/a.ts differs from every version the task recorded');

    const usage = captureIo();
    expect(await verifyCommand(file, { sources: file }, usage)).toBe(2);
    expect(usage.stderr).toContain('--sources');
  });
});

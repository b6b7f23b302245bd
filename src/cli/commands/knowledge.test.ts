import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../exit-codes';
import { memoryIo } from '../testing';
import { knowledgeCommand } from './knowledge';

describe('agent-agency knowledge', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aa-kcli-'));
  afterEach(() => {
    process.exitCode = 0;
  });
  const run = async (args: string[]) => {
    const io = memoryIo();
    await knowledgeCommand(io).parseAsync([...args, '--data-dir', join(dir, 'data')], { from: 'user' });
    const code = process.exitCode;
    process.exitCode = 0;
    return { io, code };
  };

  it('adds files (refusing one with its reason) and searches with --json: ranked chunks with source, location, score and text', async () => {
    writeFileSync(join(dir, 'ports.md'), '# Ports\n\nThe telemetry collector listens on port 4318.\n');
    writeFileSync(join(dir, 'other.md'), '# Other\n\nNothing about networking.\n');
    writeFileSync(join(dir, 'x.xyz'), 'what');
    const added = await run(['add', join(dir, 'ports.md'), join(dir, 'other.md'), join(dir, 'x.xyz')]);
    expect(added.code).toBe(EXIT.failure);
    expect(added.io.text()).toMatch(/refused +.*x\.xyz: unknown type "\.xyz"/);
    expect(added.io.text()).toMatch(/added +.*ports\.md \(text, 1 chunks\)/);

    const found = await run(['search', 'telemetry collector port', '--json']);
    expect(found.code).toBe(EXIT.ok);
    const hits = JSON.parse(found.io.text()) as Array<{ source: string; location: string; score: number; text: string }>;
    expect(hits[0]).toMatchObject({ source: join(dir, 'ports.md'), location: 'lines 1-4' });
    expect(typeof hits[0]!.score).toBe('number');
    expect(hits[0]!.text).toContain('4318');

    const bad = await run(['search', 'x', '--limit', '0']);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.io.stderr.join('')).toContain('--limit');
    rmSync(dir, { recursive: true, force: true });
  });
});

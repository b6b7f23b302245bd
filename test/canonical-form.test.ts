import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalHash, canonicalJson } from '../src/main/core/db/canonical';
import { hashRecord } from '../src/main/core/db/queries/chain';
import { findHashBypasses } from './canonical-form';
import { testCore } from './helpers';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx|mts)$/.test(d.name) && !/\.test\.tsx?$/.test(d.name) ? [p] : [];
  });
}

describe('one canonical form for every hashed value', () => {
  it('no source hashes JSON.stringify output or carries a second canonical JSON', () => {
    const root = join(import.meta.dirname, '..');
    const files = sourceFiles(join(root, 'src'));
    const problems = files.flatMap((f) => findHashBypasses(relative(root, f), readFileSync(f, 'utf8')));
    expect(problems).toEqual([]);
  });

  it.each([
    ['src/main/core/x.ts', "const id = createHash('sha256').update(JSON.stringify(changeset)).digest('hex');", /hashes JSON.stringify output/],
    ['src/main/core/x.ts', 'const id = sha256(JSON.stringify(edits));', /hashes JSON.stringify output/],
    ['src/main/core/x.ts', 'const h = sha256Hex(JSON.stringify({ a: 1 }));', /hashes JSON.stringify output/],
    ['src/main/core/workspace/canonical-json.ts', 'export function canonicalJson(value: unknown): string { return JSON.stringify(value); }', /defines its own canonical form/],
    ['src/main/core/x.ts', 'const sortKeys = (v: unknown) => v;', /defines its own canonical form/],
    ['src/main/core/x.ts', "const h = createHash('sha256');\nh.update(JSON.stringify(record));", /hashes JSON.stringify output/],
    ['src/main/core/federation/x.ts', "const sig = sign(null, Buffer.from(JSON.stringify(payload)), key);", /hashes JSON.stringify output/],
    ['src/main/core/provenance/x.ts', 'new CompactSign(new TextEncoder().encode(JSON.stringify(statement)));', /hashes JSON.stringify output/],
  ])('catches a planted bypass in %s', (file, source, message) => {
    expect(findHashBypasses(file, source).join('\n')).toMatch(message);
  });

  it('lets hashes of bytes and of the canonical form through', () => {
    expect(findHashBypasses('src/main/core/x.ts', "createHash('sha256').update(token).digest('hex'); sha256(canonicalJson(edits));")).toEqual([]);
    expect(findHashBypasses('src/main/core/x.ts', "sign(null, Buffer.from(canonicalJson(payload)), key); settings.update(patch); writeFileSync(f, JSON.stringify(x));")).toEqual([]);
    expect(findHashBypasses('src/main/core/db/canonical.ts', 'export function canonicalJson(value: unknown): string {')).toEqual([]);
  });

  it('the same value in any key order has one canonical text and hash; what JSON cannot hold is refused', () => {
    const a = { b: [1, { y: 'x', x: null }], a: 'é', c: undefined };
    const b = { a: 'é', b: [1, { x: null, y: 'x' }] };
    expect(canonicalJson(a)).toBe('{"a":"é","b":[1,{"x":null,"y":"x"}]}');
    expect(canonicalHash(a)).toBe(canonicalHash(b));
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/\$\.n is not a finite number/);
    expect(() => canonicalJson([undefined])).toThrow(/\$\[0\] is undefined/);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/not a plain object/);
  });

  it('the journal chains each record by the canonical hash of its fields, whatever the payload key order', () => {
    const core = testCore();
    try {
      const { db, journal } = core;
      const task = core.tasks.submit({ description: 'hash me', repoPath: core.repo, mode: 'auto', riskTier: 2, priority: 'normal', maxIterations: 3 });
      const first = journal.append(task.id, { type: 'progress', payload: { percent: 10, message: 'one' } }, 'k1').event;
      const second = journal.append(task.id, { type: 'progress', payload: { message: 'two', percent: 20 } }, 'k2').event;
      const rows = db.prepare('SELECT seq, task_id, task_seq, type, ts, payload, prev_hash, task_prev_hash, record_hash FROM events WHERE seq >= ? ORDER BY seq').all(first.seq) as {
        seq: number; task_id: string; task_seq: number; type: string; ts: number; payload: string; prev_hash: string | null; task_prev_hash: string | null; record_hash: string;
      }[];
      expect(rows.map((r) => r.seq)).toEqual([first.seq, second.seq]);
      for (const r of rows) {
        const fields = { seq: r.seq, taskId: r.task_id, taskSeq: r.task_seq, type: r.type, ts: r.ts, payload: JSON.parse(r.payload) as never, prevHash: r.prev_hash, taskPrevHash: r.task_prev_hash };
        expect(r.record_hash).toBe(hashRecord(fields));
        expect(r.record_hash).toBe(canonicalHash(fields));
      }
      expect(rows[1]!.prev_hash).toBe(rows[0]!.record_hash);
      // Key order of the payload does not change the hash of the same record.
      const reordered = JSON.parse(rows[1]!.payload) as Record<string, unknown>;
      const flipped = Object.fromEntries(Object.entries(reordered).reverse());
      const r = rows[1]!;
      expect(hashRecord({ seq: r.seq, taskId: r.task_id, taskSeq: r.task_seq, type: r.type, ts: r.ts, payload: flipped as never, prevHash: r.prev_hash, taskPrevHash: r.task_prev_hash })).toBe(r.record_hash);
    } finally {
      core.cleanup();
    }
  });
});

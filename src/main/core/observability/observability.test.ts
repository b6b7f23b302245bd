import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { readLogLines } from './log-file';
import { traceMixin } from './logger';
import { RotatingFile } from './rotating-file';
import { traceIdOf } from './trace-id';

describe('structured logs', () => {
  it('rotates by size, keeps a bounded number of files, and each file is owner-only', () => {
    const d = tempDir('aa-logs-');
    try {
      const file = join(d.dir, 'logs', 'agent-agency.log');
      const out = new RotatingFile({ file, maxBytes: 1000, keep: 2 });
      for (let i = 0; i < 100; i++) out.writeLine(Buffer.from(`${JSON.stringify({ time: i, level: 30, msg: `line ${i}`.padEnd(40, '.') })}\n`));
      expect(existsSync(`${file}.1`)).toBe(true);
      expect(existsSync(`${file}.2`)).toBe(true);
      expect(existsSync(`${file}.3`)).toBe(false);
      for (const f of [file, `${file}.1`, `${file}.2`]) {
        expect(statSync(f).size).toBeLessThanOrEqual(1000);
        expect(statSync(f).mode & 0o777).toBe(0o600);
      }
      // The newest lines survive, in order, across the rotated files.
      const lines = readLogLines(file, { keep: 2 });
      expect(lines.at(-1)!.msg).toMatch(/^line 99/);
      expect(lines.map((l) => l.time)).toEqual([...lines.map((l) => l.time)].sort((a, b) => a - b));
    } finally {
      d.cleanup();
    }
  });

  it('puts the task id and its trace id on every line logged about a task, and filters by task', () => {
    const d = tempDir('aa-logs-');
    try {
      const file = join(d.dir, 'app.log');
      const stream = new RotatingFile({ file, maxBytes: 1_000_000, keep: 1 });
      const logger = pino({ base: {}, mixin: traceMixin }, stream);
      logger.child({ taskId: 't-1' }).info('planning started');
      logger.info({ taskId: 't-2' }, 'gate ran');
      logger.info('host started');
      const all = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(all[0]).toMatchObject({ taskId: 't-1', traceId: traceIdOf('t-1'), msg: 'planning started' });
      expect(all[1]).toMatchObject({ taskId: 't-2', traceId: traceIdOf('t-2') });
      expect(all[2]!['traceId']).toBeUndefined();
      expect(readLogLines(file, { taskId: 't-1' }).map((l) => l.msg)).toEqual(['planning started']);
      expect(traceIdOf('t-1')).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      d.cleanup();
    }
  });
});

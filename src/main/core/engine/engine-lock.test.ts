import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../test/helpers';
import { acquireEngineLock, engineLockFile } from './engine-lock';

let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => dir?.cleanup());

describe('the engine lock', () => {
  it('lets one live process hold it, and is released on request', () => {
    dir = tempDir();
    const first = acquireEngineLock(dir.dir, 'agent-agency execute');
    expect('release' in first).toBe(true);
    // The same process asking again (a second client in one command) is not refused.
    const again = acquireEngineLock(dir.dir, 'agent-agency approve');
    expect('release' in again).toBe(true);
    if ('release' in first) first.release();
    expect(existsSync(engineLockFile(dir.dir))).toBe(false);
  });

  it('refuses while another live process holds it, and takes over from a dead one', async () => {
    dir = tempDir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      writeFileSync(engineLockFile(dir.dir), JSON.stringify({ pid: other.pid, command: 'agent-agency execute', since: Date.now() }));
      expect(acquireEngineLock(dir.dir, 'agent-agency approve')).toEqual({ heldBy: expect.objectContaining({ pid: other.pid }) });
    } finally {
      const exited = new Promise((r) => other.once('exit', r));
      other.kill();
      await exited;
    }
    const taken = acquireEngineLock(dir.dir, 'agent-agency approve');
    expect('release' in taken).toBe(true);
    if ('release' in taken) taken.release();
  });
});

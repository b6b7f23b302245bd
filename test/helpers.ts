import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core, type CoreOptions } from '../src/main/core/composition/app-core';
import type { Clock } from '../src/main/core/journal/journal';
import { silentLogger } from '../src/main/core/observability/logger';

/** A temp folder removed by the returned cleanup. */
export function tempDir(prefix = 'aa-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export class FakeClock implements Clock {
  constructor(public t = 1_800_000_000_000) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A core on a fresh data folder; `cleanup` closes it and removes the folder. */
export function testCore(options: Partial<Omit<CoreOptions, 'dataDir' | 'logger'>> = {}): Core & {
  cleanup(): void;
  repo: string;
} {
  const data = tempDir('aa-data-');
  const repo = tempDir('aa-repo-');
  // A task's target must be a git repository's root (see tasks/target-repo.ts).
  execFileSync('git', ['init', '-q'], { cwd: repo.dir, stdio: 'ignore' });
  const core = createCore({ ...options, dataDir: data.dir, logger: silentLogger() });
  return Object.assign(core, {
    repo: repo.dir,
    cleanup() {
      core.close();
      data.cleanup();
      repo.cleanup();
    },
  });
}

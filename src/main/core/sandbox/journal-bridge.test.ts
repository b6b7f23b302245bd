import { describe, expect, it } from 'vitest';
import { governanceDb } from '../../../../test/governance';
import { eventsForTask } from '../db/queries/events';
import { runCommand } from '../gates/run-command';
import { silentLogger } from '../observability/logger';
import { journalUnsandboxedRuns } from './journal-bridge';
import { SandboxService } from './sandbox-service';

const none = { available: false as const, reason: 'bubblewrap (bwrap) is not installed', installHint: 'apt-get install bubblewrap' };

describe('runs without a sandbox', () => {
  it('are refused unless the user turned them on; each allowed one is journaled on its task', async () => {
    const env = governanceDb();
    try {
      const task = env.newTask();
      let allowed = false;
      const sandbox = new SandboxService({ logger: silentLogger(), detection: none, allowUnsandboxed: () => allowed, onUnsandboxedRun: journalUnsandboxedRuns({ journal: env.journal, clock: env.clock, logger: silentLogger() }) });
      const refused = await runCommand({ command: 'echo ran', cwd: env.repo, timeoutMs: 5_000, sandbox, taskId: task.id });
      expect(refused.output).not.toContain('ran\n');
      expect(refused.spawnError).toMatch(/no sandbox on this machine.*apt-get install bubblewrap/);
      allowed = true;
      const ran = await runCommand({ command: 'echo ran', cwd: env.repo, timeoutMs: 5_000, sandbox, taskId: task.id });
      expect(ran.output).toBe('ran\n');
      expect(ran.sandbox).toBe('none');
      const journaled = eventsForTask(env.db, task.id).filter((e) => e.type === 'sandbox.unsandboxed');
      expect(journaled).toHaveLength(1);
      expect(journaled[0]!.payload).toMatchObject({ command: 'echo ran', cwd: env.repo });
    } finally {
      env.cleanup();
    }
  });
});

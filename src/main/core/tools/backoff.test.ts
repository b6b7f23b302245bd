import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../engine/testing/wait';
import { silentLogger } from '../observability/logger';
import { FakeClock } from '../scheduler/timers';
import { DEFAULT_BACKOFF, McpConnection } from './mcp-connection';
import { PROJECT_NODE } from './testing/fixtures';

/**
 * A server that cannot start, restarted on an injected clock: the documented backoff (0.5 s
 * doubling to 30 s), one count per failure, then `failed`. The failures are real (a process that
 * exits at once); only the waiting between them is moved by the test, never slept through.
 */

const connections: McpConnection[] = [];
afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.stop()));
});

function failingServer(clock: FakeClock, changes: { n: number }) {
  const connection = new McpConnection({
    config: { name: 'broken', enabled: true, transport: { kind: 'stdio', command: PROJECT_NODE, args: ['-e', 'process.stderr.write("no config\\n"); process.exit(3)'], env: {} } },
    logger: silentLogger(),
    clock,
    timers: clock,
    connectTimeoutMs: 10_000,
    onChange: () => changes.n++,
  });
  connections.push(connection);
  return connection;
}

describe('McpConnection backoff', () => {
  it('waits 0.5 s, doubling to 30 s, counts each failed start once, then stays failed', async () => {
    const clock = new FakeClock(1_000_000);
    const connection = failingServer(clock, { n: 0 });
    await connection.start();
    const delays: number[] = [];
    const restarts: number[] = [];
    for (let failure = 1; failure <= DEFAULT_BACKOFF.maxRestarts; failure++) {
      const s = await waitFor(() => {
        const st = connection.status();
        return st.health === 'restarting' && st.restarts === failure && st.nextRetryAt !== null ? st : undefined;
      }, 10_000, `failure ${failure} to be counted`);
      expect(s.lastError).toContain('no config');
      delays.push(s.nextRetryAt! - clock.now());
      // Only one timer waits: a failure scheduled twice would leave two.
      expect(clock.pendingTimers()).toBe(1);
      // Let any late close notice of the failed start arrive: it must not count again.
      await new Promise((r) => setTimeout(r, 50));
      restarts.push(connection.status().restarts);
      await clock.advance(s.nextRetryAt! - clock.now());
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(restarts).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const failed = await waitFor(() => (connection.status().health === 'failed' ? connection.status() : undefined), 10_000, 'the server to be left failed');
    expect(failed.lastError).toMatch(/gave up after 8 restarts/);
    expect(failed.restarts).toBe(8);
    expect(clock.pendingTimers()).toBe(0);
    await expect(connection.ready(1_000)).rejects.toThrow(/failed/);
  }, 60_000);

  it('starts counting afresh after a manual restart', async () => {
    const clock = new FakeClock(0);
    const connection = failingServer(clock, { n: 0 });
    await connection.start();
    await waitFor(() => (connection.status().restarts === 1 ? true : undefined), 10_000, 'the first failure');
    await connection.restart();
    const s = await waitFor(() => (connection.status().restarts === 1 && connection.status().health === 'restarting' ? connection.status() : undefined), 10_000, 'a fresh first failure');
    expect(s.nextRetryAt! - clock.now()).toBe(500);
  }, 30_000);
});

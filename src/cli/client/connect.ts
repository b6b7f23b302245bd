import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { err, ok, type Result } from '../../shared/errors';
import { dataFiles } from '../../main/core/paths';
import { RemoteClient } from './remote';
import type { AgencyClient } from './types';

export type Target = 'auto' | 'remote' | 'in-process';

/** What a running instance writes to the data folder (mode 0600) for the CLI. */
const InstanceFile = z.object({
  url: z.url({ protocol: /^https?$/ }),
  token: z.string().min(1),
  pid: z.number().int().positive().optional(),
});
export type Instance = z.infer<typeof InstanceFile>;

/**
 * The running instance to talk to: AGENT_AGENCY_URL and AGENT_AGENCY_TOKEN when both are set,
 * else the data folder's instance.json. A file that is unreadable or malformed counts as none.
 */
export function findInstance(dataDir: string, env: NodeJS.ProcessEnv = process.env): Instance | undefined {
  const url = env['AGENT_AGENCY_URL'];
  const token = env['AGENT_AGENCY_TOKEN'];
  if (url && token) {
    const parsed = InstanceFile.safeParse({ url, token });
    return parsed.success ? parsed.data : undefined;
  }
  const file = dataFiles(dataDir).instance;
  if (!existsSync(file)) return undefined;
  try {
    const parsed = InstanceFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the instance answers /health (which needs no token) within `timeoutMs`. */
export async function isAlive(instance: Instance, timeoutMs = 1_500): Promise<boolean> {
  try {
    const res = await fetch(new URL('/health', instance.url), { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * A running instance when one answers (so a task started here is watched and steered from the
 * window too, and two engines never share one database), else the core in this process.
 */
export async function connect(
  dataDir: string,
  target: Target,
  options: { engine?: boolean; command?: string } = {},
): Promise<Result<AgencyClient>> {
  if (target !== 'in-process') {
    const instance = findInstance(dataDir);
    if (instance && (await isAlive(instance))) return ok(new RemoteClient({ url: instance.url, token: instance.token }));
    if (target === 'remote') {
      return err(
        'unavailable',
        instance
          ? `the instance recorded in ${dataDir} (${instance.url}) does not answer`
          : `no running instance found for ${dataDir}; start one with "agent-agency serve"`,
      );
    }
  }
  try {
    // Loaded only when needed: the core (models, database, MCP) is most of the CLI's start-up time.
    const { InProcessClient } = await import('./in-process');
    return InProcessClient.open(dataDir, options);
  } catch (e) {
    return err('unavailable', `cannot open the data folder ${dataDir}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

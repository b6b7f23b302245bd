import { z } from 'zod';
import { Signed } from './identity';

/** How a member reaches its coordinator: over HTTP in real use, directly in one process for simulations. */
export type FederationTransport = {
  join(msg: Signed): Promise<Signed>;
  leave(msg: Signed): Promise<Signed>;
  roster(): Promise<Signed>;
  round(): Promise<Signed | null>;
  submitKey(msg: Signed): Promise<void>;
  submitUpdate(msg: Signed): Promise<void>;
  submitReveal(msg: Signed): Promise<void>;
};

export const FEDERATION_PREFIX = '/federation/v1';

/**
 * The HTTP client. `record`, when given, sees every byte sent, so a test can check that nothing but
 * protocol messages ever leaves the installation.
 */
export function httpTransport(baseUrl: string, record?: (path: string, body: string) => void): FederationTransport {
  const url = (p: string) => `${baseUrl.replace(/\/$/, '')}${FEDERATION_PREFIX}${p}`;
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    if (text !== undefined) record?.(path, text);
    let res: Response;
    try {
      res = await fetch(url(path), { method, headers: text ? { 'content-type': 'application/json' } : {}, body: text });
    } catch (e) {
      throw new Error(`federation: can't reach the coordinator at ${baseUrl} (${(e as Error).message})`, { cause: e });
    }
    const json = (await res.json().catch(() => ({}))) as unknown;
    if (!res.ok) {
      const msg = z.object({ error: z.string() }).safeParse(json);
      throw new Error(`federation: coordinator refused (${res.status}): ${msg.success ? msg.data.error : 'no reason given'}`);
    }
    return json;
  };
  return {
    join: async (m) => Signed.parse(await call('POST', '/join', m)),
    leave: async (m) => Signed.parse(await call('POST', '/leave', m)),
    roster: async () => Signed.parse(await call('GET', '/roster')),
    round: async () => {
      const r = z.object({ round: Signed.nullable() }).parse(await call('GET', '/round'));
      return r.round;
    },
    submitKey: async (m) => void (await call('POST', '/round/key', m)),
    submitUpdate: async (m) => void (await call('POST', '/round/update', m)),
    submitReveal: async (m) => void (await call('POST', '/round/reveal', m)),
  };
}

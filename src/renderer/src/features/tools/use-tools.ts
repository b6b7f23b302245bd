import { useCallback, useEffect, useState } from 'react';
import type { ChannelOutput } from '../../../../shared/contract';
import { api } from '../../api';

export type ServerStatus = ChannelOutput<'listToolServers'>[number];
export type Listing = ChannelOutput<'listTools'>;
export type Grant = ChannelOutput<'listToolGrants'>[number];

/** Health changes by itself (a crash, a restart), so the servers are read again every few seconds. */
const REFRESH_MS = 3_000;

/** Servers, tools and grants, read through the tools channels; `reload` after every change. */
export function useTools() {
  const [servers, setServers] = useState<ServerStatus[] | null>(null);
  const [listing, setListing] = useState<Listing | null>(null);
  const [grants, setGrants] = useState<Grant[]>([]);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(
    () =>
      Promise.all([api.listToolServers({}), api.listTools({}), api.listToolGrants({})]).then(([s, t, g]) => {
        if (s.ok) setServers(s.value);
        if (t.ok) setListing(t.value);
        if (g.ok) setGrants(g.value);
        const failed = [s, t, g].find((r) => !r.ok);
        setError(failed && !failed.ok ? failed.error.message : null);
      }),
    [],
  );

  useEffect(() => {
    void reload();
    const timer = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);

  return { servers, listing, grants, error, reload };
}

/** `KEY=value` lines into a record; blank lines are skipped. */
export function parsePairs(text: string, separator: '=' | ':'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const at = trimmed.indexOf(separator);
    if (at <= 0) out[trimmed] = '';
    else out[trimmed.slice(0, at).trim()] = trimmed.slice(at + 1).trim();
  }
  return out;
}

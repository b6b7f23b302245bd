import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { ChannelOutput } from '../../../../shared/contract';
import { api } from '../../api';
import { keys } from '../../queries/client';

export type ServerStatus = ChannelOutput<'listToolServers'>[number];
export type Listing = ChannelOutput<'listTools'>;
export type Grant = ChannelOutput<'listToolGrants'>[number];

/** Health changes by itself (a crash, a restart), so the servers are read again every few seconds. */
const REFRESH_MS = 3_000;

/** One read of the three lists; a list that failed keeps its last value in the cache's previous data. */
async function readTools(previous: { servers: ServerStatus[] | null; listing: Listing | null; grants: Grant[] } | undefined) {
  const [s, t, g] = await Promise.all([api.listToolServers({}), api.listTools({}), api.listToolGrants({})]);
  const failed = [s, t, g].find((r) => !r.ok);
  return {
    servers: s.ok ? s.value : (previous?.servers ?? null),
    listing: t.ok ? t.value : (previous?.listing ?? null),
    grants: g.ok ? g.value : (previous?.grants ?? []),
    error: failed && !failed.ok ? failed.error.message : null,
  };
}

/** Servers, tools and grants through the query layer (polled); `reload` after every change. */
export function useTools() {
  const query = useQuery({
    queryKey: keys.tools,
    queryFn: ({ client }) => readTools(client.getQueryData(keys.tools)),
    refetchInterval: REFRESH_MS,
  });
  const { refetch } = query;
  const reload = useCallback(() => refetch().then(() => undefined), [refetch]);
  return {
    servers: query.data?.servers ?? null,
    listing: query.data?.listing ?? null,
    grants: query.data?.grants ?? [],
    error: query.data?.error ?? (query.error ? query.error.message : null),
    reload,
  };
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

import { QueryClient } from '@tanstack/react-query';
import type { Result } from '../../../shared/errors';

/** One query client for the page: server state (models, tools, scheduler) is cached and refetched here. */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: { staleTime: 2_000, retry: 1, refetchOnWindowFocus: true },
  },
});

/** A contract call as a query function: the value, or a thrown Error carrying the app's message. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const r = await call;
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** Query keys, spelled once. */
export const keys = {
  models: ['models'] as const,
  tools: ['tools'] as const,
  scheduler: ['scheduler'] as const,
  repoCheck: (path: string) => ['repo-check', path] as const,
  localServers: ['local-model-servers'] as const,
};

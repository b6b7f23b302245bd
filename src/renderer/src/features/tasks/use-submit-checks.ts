import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api';
import { keys, unwrap } from '../../queries/client';

/**
 * The repository check for what is typed, after a pause in typing. Its answer counts only for the
 * path it was asked about: a check of what was typed before is never shown (or submitted) as the
 * current path's problem.
 */
export function useRepoCheck(path: string) {
  const [settled, setSettled] = useState(path.trim());
  useEffect(() => {
    const t = setTimeout(() => setSettled(path.trim()), 400);
    return () => clearTimeout(t);
  }, [path]);
  const q = useQuery({
    queryKey: keys.repoCheck(settled),
    queryFn: () => unwrap(api.checkRepository({ path: settled })),
    enabled: settled.length > 0,
    staleTime: 5_000,
  });
  return { data: settled === path.trim() ? q.data : undefined };
}

/** Whether any role has a model: without one a task cannot plan. Unknown (undefined) while loading. */
export function useHasAssignedModel(): boolean | undefined {
  const q = useQuery({ queryKey: keys.models, queryFn: () => unwrap(api.modelsSnapshot({})) });
  return q.data ? q.data.roles.length > 0 : undefined;
}

import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { RunningEstimate, TaskEstimate } from '../../../../shared/domain/estimate';
import type { ExecutionMode, RiskTier } from '../../../../shared/domain/task';
import { api } from '../../api';
import { unwrap } from '../../queries/client';
import { bytes, duration, rangeText, tokens } from './format';

/** While a task runs its page asks again this often (and on each of its new events). */
const LIVE_REFRESH_MS = 15_000;

function Figures({ e }: { e: TaskEstimate }) {
  return (
    <dl className="facts" data-testid="estimate-figures">
      {e.durationMs ? (
        <>
          <dt>Active time</dt>
          <dd>{rangeText(e.durationMs, duration)}</dd>
        </>
      ) : null}
      {e.tokens ? (
        <>
          <dt>Tokens</dt>
          <dd>{rangeText(e.tokens, tokens)}</dd>
        </>
      ) : null}
      {e.peakMemoryBytes ? (
        <>
          <dt>Peak memory</dt>
          <dd>{rangeText(e.peakMemoryBytes, bytes)}</dd>
        </>
      ) : null}
    </dl>
  );
}

/**
 * What a task like the one being filled in used before, asked again when the repository, tier or
 * mode change (the repository after a pause in typing). Says so plainly when there is no history.
 */
export function SubmitEstimate({ repoPath, riskTier, mode }: { repoPath: string; riskTier: RiskTier; mode: ExecutionMode }) {
  const [path, setPath] = useState(repoPath.trim());
  useEffect(() => {
    const t = setTimeout(() => setPath(repoPath.trim()), 400);
    return () => clearTimeout(t);
  }, [repoPath]);
  const absolute = path.startsWith('/') ? path : '';
  const q = useQuery({
    queryKey: ['estimate', absolute, riskTier, mode],
    queryFn: () => unwrap(api.estimateTask({ riskTier, mode, ...(absolute ? { repoPath: absolute } : {}) })),
    staleTime: 30_000,
  });
  return (
    <section className="estimate" aria-labelledby="submit-estimate-title" data-testid="submit-estimate">
      <h3 id="submit-estimate-title">Estimate</h3>
      {q.error ? <p className="muted">No estimate: {q.error.message}</p> : null}
      {q.data ? (
        <>
          <Figures e={q.data} />
          <p className="hint" data-testid="estimate-basis">
            {q.data.basis.description}
          </p>
        </>
      ) : q.isPending ? (
        <p className="muted">Estimating…</p>
      ) : null}
    </section>
  );
}

/** A task's estimate beside what it has used so far, refreshed while it runs. */
export function RunningTaskEstimate({ taskId, revision, active }: { taskId: string; revision: number; active: boolean }) {
  const q = useQuery({
    queryKey: ['task-estimate', taskId, revision],
    queryFn: () => unwrap(api.getTaskEstimate({ taskId })),
    refetchInterval: active ? LIVE_REFRESH_MS : false,
    placeholderData: (previous: RunningEstimate | undefined) => previous,
  });
  const e = q.data;
  return (
    <section className="card" aria-labelledby="task-estimate-title" data-testid="task-estimate">
      <h3 id="task-estimate-title">Estimate</h3>
      {q.error ? <p className="muted">No estimate: {q.error.message}</p> : null}
      {e ? (
        <>
          <p data-testid="task-estimate-progress">
            {e.progress.finished ? 'Used' : 'So far'}: {duration(e.progress.activeMs)} active, {tokens(e.progress.tokens)} tokens
            {e.progress.peakMemoryBytes > 0 ? `, peak memory ${bytes(e.progress.peakMemoryBytes)}` : ''}.
            {e.remainingMs !== null ? ` About ${duration(e.remainingMs)} left by the median.` : ''}
          </p>
          <Figures e={e} />
          <p className="hint" data-testid="estimate-basis">
            {e.basis.description}
          </p>
        </>
      ) : null}
    </section>
  );
}

import { useCallback, useEffect, useRef, useState } from 'react';
import type { TaskPatchView } from '../../../../shared/channels/changes';
import type { StoredVerdictView, TaskGatesView, TaskSpecView } from '../../../../shared/channels/governance';
import type { StandingApproval } from '../../../../shared/channels/intervention';
import type { ToolGrant } from '../../../../shared/channels/tools';
import { api } from '../../api';

/** What the core keeps about a task beyond its events: spec versions, gate runs, verdicts, the patch, tool grants, standing approvals. */
export type TaskRecords = {
  spec: TaskSpecView | null;
  gates: TaskGatesView | null;
  verdicts: StoredVerdictView[];
  patch: TaskPatchView | null;
  grants: ToolGrant[];
  /** Standing approvals of strict mode's gates, revoked ones included. */
  standing: StandingApproval[];
  /** False until the first read finished. */
  loaded: boolean;
  errors: string[];
};

const EMPTY: TaskRecords = { spec: null, gates: null, verdicts: [], patch: null, grants: [], standing: [], loaded: false, errors: [] };

/** Reads after the events settle: a burst of events costs one read, not one per event. */
const SETTLE_MS = 250;

/**
 * Reads a task's records and reads them again whenever `revision` moves (see recordsRevision), so
 * the views follow the task live while full details come from the database, not the bounded event
 * list kept in memory.
 */
export function useTaskRecords(taskId: string, revision: number): { records: TaskRecords; reload: () => void } {
  // Kept with the task they belong to, so another task's page never shows them while it loads.
  const [state, setState] = useState<{ taskId: string; records: TaskRecords }>({ taskId, records: EMPTY });
  const [nonce, setNonce] = useState(0);
  const generation = useRef(0);
  const records = state.taskId === taskId ? state.records : EMPTY;

  useEffect(() => {
    const mine = ++generation.current;
    const timer = setTimeout(() => {
      void Promise.all([
        api.getTaskSpec({ taskId }),
        api.getTaskGates({ taskId }),
        api.getTaskVerdicts({ taskId }),
        api.getTaskPatch({ taskId }),
        api.listToolGrants({ taskId, includeRevoked: true }),
        api.listStandingApprovals({ taskId, includeRevoked: true }),
      ]).then(([spec, gates, verdicts, patch, grants, standing]) => {
        // A later read started meanwhile: its answer wins.
        if (mine !== generation.current) return;
        const errors = [spec, gates, verdicts, patch, grants, standing].flatMap((r) => (r.ok ? [] : [r.error.message]));
        setState((current) => {
          const prev = current.taskId === taskId ? current.records : EMPTY;
          return {
            taskId,
            records: {
              spec: spec.ok ? spec.value : prev.spec,
              gates: gates.ok ? gates.value : prev.gates,
              verdicts: verdicts.ok ? verdicts.value.verdicts : prev.verdicts,
              patch: patch.ok ? patch.value : prev.patch,
              grants: grants.ok ? grants.value : prev.grants,
              standing: standing.ok ? standing.value : prev.standing,
              loaded: true,
              errors,
            },
          };
        });
      });
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [taskId, revision, nonce]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { records, reload };
}

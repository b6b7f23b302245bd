import { useEffect, useState } from 'react';
import type { AttachmentView } from '../../../../shared/domain/attachments';
import type { ClaimView, CriterionView } from '../../../../shared/domain/claims';
import type { AgentEvent } from '../../../../shared/domain/events';
import { api } from '../../api';

/** Events after which a task's claims or attachments may have changed. */
const CHANGES = new Set(['attachment.read', 'iteration.evaluated', 'council.verdict', 'phase.completed', 'task.created']);

export function knowledgeRevision(events: readonly AgentEvent[]): number {
  for (let i = events.length - 1; i >= 0; i--) if (CHANGES.has(events[i]!.type)) return events[i]!.seq;
  return 0;
}

export type TaskKnowledge = { attachments: AttachmentView[]; claims: ClaimView[]; criteria: CriterionView[]; error: string | null };

/** A task's attachments and claim table, read again whenever an event that changes them arrives. */
export function useTaskKnowledge(taskId: string, revision: number): TaskKnowledge {
  const [state, setState] = useState<TaskKnowledge & { taskId: string }>({ taskId, attachments: [], claims: [], criteria: [], error: null });
  useEffect(() => {
    let live = true;
    void Promise.all([api.getTaskAttachments({ taskId }), api.getTaskClaims({ taskId })]).then(([a, c]) => {
      if (!live) return;
      setState({
        taskId,
        attachments: a.ok ? a.value : [],
        claims: c.ok ? c.value.claims : [],
        criteria: c.ok ? c.value.criteria : [],
        error: [a, c].flatMap((r) => (r.ok ? [] : [r.error.message])).join('; ') || null,
      });
    });
    return () => {
      live = false;
    };
  }, [taskId, revision]);
  return state.taskId === taskId ? state : { attachments: [], claims: [], criteria: [], error: null };
}

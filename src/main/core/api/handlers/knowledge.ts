import type { claimChannels } from '../../../../shared/channels/claims';
import type { knowledgeChannels } from '../../../../shared/channels/knowledge';
import { AppFailure } from '../../../../shared/errors';
import { getTask } from '../../db/queries/tasks';
import { repositoryKey } from '../../knowledge/repository-docs';
import type { AreaHandlers, SessionContext } from './types';

/** The knowledge base, a task's attachments and its claim table. */
export function knowledgeHandlers(ctx: SessionContext): AreaHandlers<keyof typeof knowledgeChannels | keyof typeof claimChannels> {
  const { knowledge, attachments, claims, db } = ctx.core;
  const task = (id: string) => {
    if (!getTask(db, id)) throw new AppFailure('not_found', `no task with id ${id}`);
    return id;
  };
  return {
    addKnowledge: (input) => knowledge.add(input.paths),
    searchKnowledge: (input) => knowledge.rank(input.query, input.limit ?? 5, input.taskId, input.repo ? repositoryKey(input.repo) : undefined),
    listKnowledge: (input) => knowledge.list({ includeAttachments: input.includeAttachments === true }),
    removeKnowledge: (input) => knowledge.remove(input.id),
    getTaskAttachments: (input) => attachments.list(task(input.taskId)),
    getTaskClaims: (input) => claims.view(task(input.taskId)),
  };
}

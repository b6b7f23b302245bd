import type { z } from 'zod';
import type { Snapshot } from '../../../shared/contract';
import type { AgentEvent } from '../../../shared/domain/events';
import { ok, type Result } from '../../../shared/errors';
import type { Core } from '../../core/composition/app-core';
import { ContractSession } from '../../core/api/session';
import { MAX_MISSED_EVENTS } from '../../core/tasks/task-service';

type SnapshotValue = z.output<typeof Snapshot>;

export type Follow = {
  /** The journal's last sequence number when the subscription started. */
  lastSeq: number;
  close(): void;
};

/**
 * Follows the journal through the contract's `subscribe` channel: first every event after
 * `afterSeq` (page by page when a client is far behind), then live ones, each exactly once and in
 * order. Used by the event-stream route and by the CLI when it runs the core in-process.
 */
export async function followJournal(
  core: Core,
  filter: { taskId?: unknown; afterSeq?: unknown },
  onEvent: (event: AgentEvent) => void,
): Promise<Result<Follow>> {
  let lastWritten = typeof filter.afterSeq === 'number' ? filter.afterSeq : 0;
  let live = false;
  let closed = false;
  const buffered: AgentEvent[] = [];
  const deliver = (event: AgentEvent) => {
    if (closed || event.seq <= lastWritten) return;
    lastWritten = event.seq;
    onEvent(event);
  };
  // Live events that arrive while the backlog is read wait, so nothing is delivered out of order.
  const session = new ContractSession(core, (event) => (live ? deliver(event) : buffered.push(event)));
  const subscribe = (afterSeq: unknown) =>
    session.call('subscribe', {
      ...(filter.taskId !== undefined ? { taskId: filter.taskId } : {}),
      ...(afterSeq !== undefined ? { afterSeq } : {}),
    }) as Promise<Result<SnapshotValue>>;

  const first = await subscribe(filter.afterSeq);
  if (!first.ok) {
    session.close();
    return first;
  }
  const follow: Follow = {
    lastSeq: first.value.lastSeq,
    close() {
      closed = true;
      session.close();
    },
  };
  let page = first.value.missed;
  for (;;) {
    for (const event of page) deliver(event);
    if (page.length < MAX_MISSED_EVENTS || closed) break;
    // Re-subscribing replaces the previous subscription; duplicates are dropped by sequence number.
    const next = await subscribe(lastWritten);
    if (!next.ok) break;
    page = next.value.missed;
  }
  live = true;
  buffered.sort((a, b) => a.seq - b.seq);
  for (const event of buffered.splice(0)) deliver(event);
  return ok(follow);
}

import { useEffect, useMemo, useState } from 'react';
import type { AgentEvent } from '../../../../shared/domain/events';
import { api } from '../../api';
import { EventStream } from '../../components/EventStream';
import { ProgressBar } from '../../components/ProgressBar';
import { StateBadge } from '../../components/StateBadge';
import { useAppStore } from '../../store/store';
import { TaskWaitReason } from '../scheduler/TaskWaitReason';
import { TaskOutcome } from '../outcome/TaskOutcome';
import { ApprovalPrompt } from './ApprovalPrompt';
import { ApprovalsList } from './ApprovalsList';
import { ExportBundle } from './ExportBundle';
import { TaskLogs } from './TaskLogs';
import { outputStreams } from './model-output';
import { ModelOutput } from './ModelOutput';
import { phaseTimeline } from './phase-timeline';
import { PhaseTimeline } from './PhaseTimeline';
import { TaskTrace } from './TaskTrace';
import { TaskChanges } from './TaskChanges';
import { UnsandboxedBanner } from './UnsandboxedBanner';
import { GuideForm, TaskControls } from './TaskControls';
import { summarizeTaskEvent } from './task-event-summary';
import { recordsRevision } from './task-review';
import { TaskReview } from './TaskReview';
import { TaskSpecSection } from './TaskSpecSection';
import { useTaskRecords } from './use-task-records';
import { knowledgeRevision, useTaskKnowledge } from './use-task-knowledge';
import { TaskAttachments } from './TaskAttachments';
import { TaskClaims } from './TaskClaims';
import { RunningTaskEstimate } from '../estimates/TaskEstimate';
import { TERMINAL_STATES } from '../../../../shared/domain/task';
import './task-detail.css';

const EMPTY: AgentEvent[] = [];

/**
 * One task, live: its phases, what the models write, the approval it waits for, its spec, gates,
 * council votes, iterations and diff, the approvals given, the audit bundle, and every event.
 */
export function TaskDetail({ id }: { id: string }) {
  const task = useAppStore((s) => s.tasks[id]);
  const events = useAppStore((s) => s.eventsByTask[id] ?? EMPTY);
  const eventCount = useAppStore((s) => s.eventCounts[id]);
  const upsertTasks = useAppStore((s) => s.upsertTasks);
  const setTaskEvents = useAppStore((s) => s.setTaskEvents);
  const [error, setError] = useState<string | null>(null);
  const { records, reload } = useTaskRecords(id, recordsRevision(events));
  const phases = useMemo(() => (task ? phaseTimeline(events, task.state) : []), [events, task]);
  const streams = useMemo(() => outputStreams(events), [events]);
  const knowledge = useTaskKnowledge(id, knowledgeRevision(events));

  useEffect(() => {
    let live = true;
    void api.getTask({ id }).then((r) => {
      if (!live) return;
      if (!r.ok) {
        setError(r.error.message);
        return;
      }
      upsertTasks([r.value.task]);
      setTaskEvents(id, r.value.events);
    });
    return () => {
      live = false;
    };
  }, [id, upsertTasks, setTaskEvents]);

  if (error) {
    return (
      <section className="card">
        <p role="alert">{error}</p>
        <a href="#/tasks">Back to tasks</a>
      </section>
    );
  }
  if (!task) return <section className="card">Loading…</section>;

  return (
    <>
      <UnsandboxedBanner />
      <section className="card task-detail" aria-labelledby="task-title">
        <a href="#/tasks">← Tasks</a>
        <h2 id="task-title" className="page-heading" tabIndex={-1}>
          {task.description}
        </h2>
        <dl className="facts" data-testid="task-facts">
          <dt>State</dt>
          <dd>
            <StateBadge state={task.state} />
            {task.state.kind === 'failed' ? <span className="muted"> {task.state.reason}</span> : null}
          </dd>
          <dt>Id</dt>
          <dd className="mono">{task.id}</dd>
          <dt>Repository</dt>
          <dd className="mono">{task.repoPath}</dd>
          <dt>Mode</dt>
          <dd>{task.mode}</dd>
          <dt>Risk tier</dt>
          <dd>{task.riskTier}</dd>
          <dt>Priority</dt>
          <dd>{task.priority}</dd>
          <dt>Max iterations</dt>
          <dd>{task.maxIterations}</dd>
          <dt>Network</dt>
          <dd data-testid="task-network">
            {task.allowNetwork ? (
              <strong className="network-granted">Allowed — granted on submit; every command this task causes may use the network</strong>
            ) : (
              'None — sandboxed commands have no network'
            )}
          </dd>
        </dl>
        <ProgressBar percent={task.progress} label="Task progress" />
        <PhaseTimeline phases={phases} />
        <TaskTrace taskId={task.id} events={events} />
        <TaskWaitReason taskId={task.id} />
        <ApprovalPrompt key={`${task.state.kind}:${task.state.kind === 'awaiting_approval' ? task.state.waitingFor : ''}`} task={task} events={events} patch={records.patch} />
        <TaskControls task={task} />
        <GuideForm task={task} />
        {records.errors.length > 0 || knowledge.error ? (
          <p className="form-error" role="alert">
            Some details could not be read: {[...records.errors, ...(knowledge.error ? [knowledge.error] : [])].join('; ')}
          </p>
        ) : null}
      </section>
      <TaskOutcome task={task} patch={records.patch} revision={events.length} />
      <ModelOutput streams={streams} />
      <RunningTaskEstimate taskId={task.id} revision={estimateRevision(events)} active={!(TERMINAL_STATES as readonly string[]).includes(task.state.kind)} />
      <TaskAttachments attachments={knowledge.attachments} />
      <TaskSpecSection task={task} spec={records.spec} onSaved={reload} />
      <TaskReview events={events} gates={records.gates} verdicts={records.verdicts} verifying={task.state.kind === 'verifying'} />
      <TaskClaims claims={knowledge.claims} criteria={knowledge.criteria} />
      <TaskChanges events={events} patch={records.patch} maxIterations={task.maxIterations} />
      <ApprovalsList taskId={task.id} events={events} grants={records.grants} standing={records.standing} onChanged={reload} />
      <ExportBundle taskId={task.id} />
      <TaskLogs taskId={task.id} />
      <section className="card" aria-labelledby="events-title">
        <h3 id="events-title">Events</h3>
        <EventStream events={events} total={eventCount} summarize={summarizeTaskEvent} />
      </section>
    </>
  );
}

/** The estimate is asked again when a phase starts or ends (and on a timer while the task runs), not on every token. */
function estimateRevision(events: readonly AgentEvent[]): number {
  for (let i = events.length - 1; i >= 0; i--) if (events[i]!.type.startsWith('phase.') || events[i]!.type.startsWith('task.')) return events[i]!.seq;
  return 0;
}

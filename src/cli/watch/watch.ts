import { createInterface } from 'node:readline/promises';
import type { AgentEvent } from '../../shared/domain/events';
import type { ApprovalGate, Task } from '../../shared/domain/task';
import type { AppError } from '../../shared/errors';
import { cliActor } from '../actor';
import type { AgencyClient } from '../client/types';
import type { CommandContext } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { answeringCommands, duration, questionFor, type WaitForHuman } from './human';
import { describeEvent, initialWatch, reduceWatch, renderWatch, watchDone, type WatchState } from './view';

/** Redraws at most this often; events arrive much faster while a model streams. */
const REDRAW_MS = 100;
/** While a task waits for a person and the watch waits too, it says so this often. */
const REMINDER_MS = 5 * 60_000;

export type WatchOptions = {
  /**
   * What to do when the task needs a person: stop following at once (`never`), follow until it is
   * answered (`always`), or for at most a duration. Default: `always` where someone can answer (a
   * prompt here, or a running instance other terminals reach), else `never` — an engine inside this
   * process cannot be reached from anywhere else, so waiting would only hang.
   */
  waitForHuman?: WaitForHuman;
};

/**
 * Follows a task to its end. In a terminal the bottom lines redraw in place (phase, progress,
 * council votes) while notable events scroll above them, and strict-mode approvals are asked for
 * right there; in a pipe each event is one line (one JSON object with --json).
 */
export async function watchTask(ctx: CommandContext, client: AgencyClient, task: Task, options: WatchOptions = {}): Promise<ExitCode> {
  const live = ctx.io.isTTY && !ctx.json;
  const canPrompt = live && Boolean(process.stdin.isTTY) && client.has('approve') && client.has('deny');
  const waitPolicy: WaitForHuman = options.waitForHuman ?? (client.kind === 'in-process' && !canPrompt ? { kind: 'never' } : { kind: 'always' });
  const remoteFlag = client.kind === 'remote' ? ' --remote' : '';
  let humanTimer: ReturnType<typeof setTimeout> | undefined;
  let reminder: ReturnType<typeof setInterval> | undefined;
  let humanSince = 0;
  const clearHuman = () => {
    if (humanTimer) clearTimeout(humanTimer);
    if (reminder) clearInterval(reminder);
    humanTimer = undefined;
    reminder = undefined;
  };
  let state: WatchState = initialWatch(task);
  let drawn = 0;
  let prompting: AbortController | undefined;
  let promptedSeq = -1;
  const held: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const clearBlock = () => {
    if (drawn > 0) ctx.io.out(`\x1b[${drawn}F\x1b[0J`);
    drawn = 0;
  };
  const draw = () => {
    timer = undefined;
    if (!live || prompting) return;
    clearBlock();
    if (held.length) ctx.io.out(`${held.splice(0).join('\n')}\n`);
    const lines = renderWatch(state, ctx.io.columns - 1);
    ctx.io.out(`${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const scheduleDraw = () => {
    timer ??= setTimeout(draw, REDRAW_MS);
  };

  let finish!: (code: ExitCode) => void;
  const finished = new Promise<ExitCode>((r) => (finish = r));

  const onEvent = (event: AgentEvent) => {
    const before = state;
    state = reduceWatch(state, event);
    if (state === before) return;
    if (ctx.json) ctx.io.out(`${JSON.stringify(event)}\n`);
    else {
      // In a terminal the bar shows progress; a line per percent would only scroll.
      const line = live && event.type === 'progress' ? undefined : describeEvent(event);
      if (line !== undefined) {
        const stamped = `${new Date(event.ts).toISOString().slice(11, 19)}  ${line}`;
        if (live) held.push(stamped);
        else ctx.io.out(`${stamped}\n`);
      }
    }
    if (prompting && !state.approval) prompting.abort();
    if (!state.approval && before.approval) clearHuman();
    if (watchDone(state)) {
      finish(state.state.kind === 'completed' ? EXIT.ok : EXIT.failure);
      return;
    }
    if (state.approval && !before.approval) needsHuman(state.approval.gate, state.approval.summary);
    if (canPrompt && state.approval && promptedSeq < state.lastSeq && !prompting) void ask(state.lastSeq);
    else if (live) scheduleDraw();
  };

  /** Puts the question and the exact commands that answer it, then applies the wait policy. */
  const needsHuman = (gate: ApprovalGate, summary: string) => {
    humanSince = Date.now();
    const commands = answeringCommands(task.id, gate, remoteFlag);
    if (ctx.json) {
      ctx.io.out(`${JSON.stringify({ type: 'human.needed', taskId: task.id, gate, question: questionFor(gate), summary, commands, waitForHuman: waitPolicy })}\n`);
    } else {
      const where =
        client.kind === 'in-process'
          ? canPrompt
            ? 'Answer at the prompt below. (This process runs the task engine, so other terminals can answer only after this watch ends; the task then waits in the data folder.)'
            : 'This process runs the task engine, so nothing else can answer while it watches; the watch ends now and the task waits in the data folder. Answer with:'
          : `Answer from any terminal (the task runs at ${client.location}):`;
      const text = [`${task.id} needs a human: ${questionFor(gate)}`, summary ? `  ${summary}` : '', `  ${where}`, ...commands.map((c) => `    ${c.command.padEnd(70)}  # ${c.does}`)]
        .filter(Boolean)
        .join('\n');
      if (live) held.push(text);
      else ctx.io.err(`${text}\n`);
    }
    clearHuman();
    if (waitPolicy.kind === 'never' && !canPrompt) {
      finish(EXIT.waitingForHuman);
      return;
    }
    if (waitPolicy.kind === 'for') {
      humanTimer = setTimeout(() => finish(EXIT.waitingForHuman), waitPolicy.ms);
    }
    reminder = setInterval(() => {
      const line = `still waiting for a human (${gate}) after ${duration(Date.now() - humanSince)}${waitPolicy.kind === 'for' ? `; the watch ends after ${duration(waitPolicy.ms)}` : ''}: ${commands[0]!.command}`;
      if (ctx.json) ctx.io.out(`${JSON.stringify({ type: 'human.waiting', taskId: task.id, gate, waitedMs: Date.now() - humanSince })}\n`);
      else if (live) {
        held.push(line);
        scheduleDraw();
      } else ctx.io.err(`${line}\n`);
    }, REMINDER_MS);
  };

  const ask = async (seq: number) => {
    promptedSeq = seq;
    const approval = state.approval!;
    prompting = new AbortController();
    if (timer) clearTimeout(timer);
    timer = undefined;
    draw();
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      const escalation = approval.gate === 'escalation';
      const answer = (
        await rl.question(escalation ? `${questionFor('escalation')} [o]verride and go on, [d]eny, [w]ait: ` : `${questionFor(approval.gate)} [a]pprove, [d]eny, [w]ait: `, { signal: prompting.signal })
      )
        .trim()
        .toLowerCase();
      if (escalation && answer.startsWith('o')) {
        const reason = (await rl.question('Reason: ', { signal: prompting.signal })).trim();
        const r = await client.call('overrideDecision', { id: task.id, actor: cliActor(), decision: 'accept', reason });
        if (!r.ok) ctx.io.err(`agent-agency: could not override: ${r.error.message}\n`);
      } else if (!escalation && answer.startsWith('a')) {
        const r = await client.call('approve', { id: task.id, actor: cliActor(), gate: approval.gate });
        if (!r.ok) ctx.io.err(`agent-agency: could not approve: ${r.error.message}\n`);
      } else if (answer.startsWith('d')) {
        const reason = (await rl.question('Reason: ', { signal: prompting.signal })).trim();
        const r = await client.call('deny', { id: task.id, actor: cliActor(), gate: approval.gate, reason });
        if (!r.ok) ctx.io.err(`agent-agency: could not deny: ${r.error.message}\n`);
      } else {
        ctx.io.out(`Waiting; answer later with: ${answeringCommands(task.id, approval.gate, remoteFlag)[0]!.command}\n`);
      }
    } catch {
      // Answered elsewhere (the window, another terminal) while we asked.
    } finally {
      rl.close();
      prompting = undefined;
      drawn = 0;
      scheduleDraw();
    }
  };

  const onLost = (error: AppError) => {
    ctx.io.err(`agent-agency: lost the event stream: ${error.message}\n`);
    finish(EXIT.unavailable);
  };
  if (!live && !ctx.json) ctx.io.out(`Following ${task.id} (Ctrl+C stops watching)\n`);
  // While the task waits (for an approval, say) nothing else may hold the process open: an
  // in-process engine has no sockets, and Node would exit mid-watch.
  const keepAlive = setInterval(() => undefined, 60_000);
  const sub = await client.follow({ taskId: task.id, afterSeq: 0 }, onEvent, onLost);
  if (!sub.ok) {
    clearInterval(keepAlive);
    return ctx.fail(sub.error);
  }

  const onSigint = () => finish(EXIT.interrupted);
  process.once('SIGINT', onSigint);
  if (watchDone(state)) finish(state.state.kind === 'completed' ? EXIT.ok : EXIT.failure);

  const code = await finished;
  clearHuman();
  clearInterval(keepAlive);
  process.removeListener('SIGINT', onSigint);
  prompting?.abort();
  sub.value.close();
  if (timer) clearTimeout(timer);
  if (live) draw();

  if (code === EXIT.waitingForHuman) {
    const gate = state.approval?.gate;
    const msg = `Stopped watching after ${duration(Date.now() - humanSince)}: ${task.id} waits for a human${gate ? ` (${gate})` : ''}. ${
      client.kind === 'remote'
        ? `It waits at ${client.location}; answer with the commands above.`
        : 'It waits in the data folder: answer with the commands above; it goes on when Agent Agency next runs on this data folder (agent-agency serve, or the app).'
    }`;
    if (ctx.json) ctx.io.out(`${JSON.stringify({ type: 'watch.stopped', taskId: task.id, reason: 'waiting_for_human', gate: gate ?? null })}\n`);
    else ctx.io.err(`${msg}\n`);
    return code;
  }
  if (code === EXIT.interrupted) {
    ctx.io.err(
      client.kind === 'remote'
        ? `Stopped watching; ${task.id} goes on at ${client.location}.\n`
        : `Interrupted; ${task.id} resumes where it stopped when Agent Agency next runs on this data folder.\n`,
    );
    return code;
  }
  const final = await client.call('getTask', { id: task.id });
  if (ctx.json) {
    if (final.ok) ctx.io.out(`${JSON.stringify({ task: final.value.task })}\n`);
  } else if (code !== EXIT.unavailable) {
    const t = final.ok ? final.value.task : undefined;
    const took = t ? ` in ${((t.updatedAt - t.createdAt) / 1000).toFixed(1)}s` : '';
    ctx.io.out(`${task.id} ${state.state.kind}${took}.\n`);
    if (state.state.kind === 'completed' && task.mode === 'dry-run') {
      ctx.io.out(`The target repository was not touched. Audit bundle: agent-agency export ${task.id} -o ${task.id}.bundle\n`);
    }
  }
  return code;
}

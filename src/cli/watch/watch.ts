import { createInterface } from 'node:readline/promises';
import type { AgentEvent } from '../../shared/domain/events';
import type { Task } from '../../shared/domain/task';
import type { AppError } from '../../shared/errors';
import { cliActor } from '../actor';
import type { AgencyClient } from '../client/types';
import type { CommandContext } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { describeEvent, initialWatch, reduceWatch, renderWatch, watchDone, type WatchState } from './view';

/** Redraws at most this often; events arrive much faster while a model streams. */
const REDRAW_MS = 100;

/**
 * Follows a task to its end. In a terminal the bottom lines redraw in place (phase, progress,
 * council votes) while notable events scroll above them, and strict-mode approvals are asked for
 * right there; in a pipe each event is one line (one JSON object with --json).
 */
export async function watchTask(ctx: CommandContext, client: AgencyClient, task: Task): Promise<ExitCode> {
  const live = ctx.io.isTTY && !ctx.json;
  const canPrompt = live && Boolean(process.stdin.isTTY) && client.has('approve') && client.has('deny');
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
    if (watchDone(state)) {
      finish(state.state.kind === 'completed' ? EXIT.ok : EXIT.failure);
      return;
    }
    if (state.approval && !before.approval && !canPrompt && !ctx.json) {
      // Nobody can answer a prompt here: say how to decide, once per request.
      ctx.io.err(`Waiting for approval of the ${state.approval.gate}: agent-agency approve ${task.id}  |  agent-agency deny ${task.id} --reason "…"\n`);
    }
    if (canPrompt && state.approval && promptedSeq < state.lastSeq && !prompting) void ask(state.lastSeq);
    else if (live) scheduleDraw();
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
      const answer = (await rl.question(`Approve the ${approval.gate}? [a]pprove, [d]eny, [w]ait: `, { signal: prompting.signal })).trim().toLowerCase();
      if (answer.startsWith('a')) {
        const r = await client.call('approve', { id: task.id, actor: cliActor(), gate: approval.gate });
        if (!r.ok) ctx.io.err(`agent-agency: could not approve: ${r.error.message}\n`);
      } else if (answer.startsWith('d')) {
        const reason = (await rl.question('Reason: ', { signal: prompting.signal })).trim();
        const r = await client.call('deny', { id: task.id, actor: cliActor(), gate: approval.gate, reason });
        if (!r.ok) ctx.io.err(`agent-agency: could not deny: ${r.error.message}\n`);
      } else {
        ctx.io.out(`Waiting; approve later with: agent-agency approve ${task.id}\n`);
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
  clearInterval(keepAlive);
  process.removeListener('SIGINT', onSigint);
  prompting?.abort();
  sub.value.close();
  if (timer) clearTimeout(timer);
  if (live) draw();

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

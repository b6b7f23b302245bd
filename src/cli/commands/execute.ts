import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { MAX_ATTACHMENT_BYTES } from '../../shared/domain/attachments';
import { Command } from 'commander';
import { EXECUTION_MODES, Priority } from '../../shared/domain/task';
import { action, numberOr, parseInput, withClient, withCommonOptions, type CommandContext, type CommonOptions } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { processIo, type Io } from '../io';
import { stateLabel } from '../format';
import { parseWaitForHuman } from '../watch/human';
import { watchTask } from '../watch/watch';

type ExecuteOptions = CommonOptions & {
  repo?: string;
  mode: string;
  tier: string;
  maxIterations: string;
  priority: string;
  watch?: boolean;
  waitForHuman?: string;
  spec?: string;
  allowNetwork?: boolean;
  attach?: string[];
};

/** Contract fields and the flags that set them, for error messages. */
const FLAGS = { repoPath: '--repo', mode: '--mode', riskTier: '--tier', maxIterations: '--max-iterations', priority: '--priority', description: '<description>', specId: '--spec', allowNetwork: '--allow-network', attachments: '--attach' };


export function executeCommand(io: Io = processIo): Command {
  const cmd = new Command('execute')
    .description('submit a task against a repository, and (with --watch, or when the core runs in this process) follow it live')
    .argument('<description>', 'what to do, in words ("add input validation to the signup form")')
    .option('-r, --repo <path>', 'the target repository (default: the current folder)')
    .option('-m, --mode <mode>', `execution mode: ${EXECUTION_MODES.join(' | ')}`, 'dry-run')
    .option('-t, --tier <n>', 'risk tier: 1 (most strict) | 2 | 3', '2')
    .option('-n, --max-iterations <n>', 'most generate-evaluate-refine iterations (1-50)', '5')
    .option('-p, --priority <p>', `priority: ${Priority.options.join(' | ')}`, 'normal')
    .option('-s, --spec <id>', "run against the repository's own spec (.caws/specs/<id>.yaml or .caws/working-spec.yaml) instead of planning one")
    .option('--allow-network', "let the commands this task causes (gates, acceptance tests, tools) use the network; off by default, journaled and shown on the task")
    .option('-a, --attach <file>', 'attach a text, Markdown, PDF or image file (repeatable); read into the knowledge base for this task', (v: string, all: string[]) => [...all, v], [])
    .option('-w, --watch', 'follow the task live: phase, progress, council votes; asks for approvals in strict mode')
    .option(
      '--wait-for-human <when>',
      'when the task needs a person (approval, escalation): never (print how to answer and stop watching, exit 8), always (keep following), or a duration such as 10m. Default: always when someone can answer, never when only this process could',
    );
  withCommonOptions(cmd);
  return cmd.action(action(execute, io));
}

export async function execute(ctx: CommandContext, description: string): Promise<ExitCode> {
  const opts = ctx.options as ExecuteOptions;
  const attachments = readAttachments(opts.attach ?? []);
  if (!attachments.ok) return ctx.fail({ code: 'invalid_input', message: attachments.message, issues: [{ path: 'attachments', message: attachments.message }] }, FLAGS);
  const input = parseInput('submitTask', {
    description,
    repoPath: resolve(opts.repo ?? process.cwd()),
    mode: opts.mode,
    riskTier: numberOr(opts.tier),
    maxIterations: numberOr(opts.maxIterations),
    priority: opts.priority,
    ...(opts.spec !== undefined ? { specId: opts.spec } : {}),
    ...(opts.allowNetwork ? { allowNetwork: true } : {}),
    ...(attachments.value.length ? { attachments: attachments.value } : {}),
  });
  if (!input.ok) return ctx.fail(input.error, FLAGS);
  const wait = opts.waitForHuman === undefined ? undefined : parseWaitForHuman(opts.waitForHuman);
  if (wait && !wait.ok) {
    ctx.io.err(`agent-agency: ${wait.message}\n`);
    return EXIT.usage;
  }
  return withClient(ctx, async (client) => {
    const submitted = await client.call('submitTask', input.value);
    if (!submitted.ok) return ctx.fail(submitted.error, FLAGS);
    const task = submitted.value;

    if (client.runsTasks === false) {
      // Honest about it: queued tasks run when an instance with the task engine starts.
      ctx.print({ task, running: false }, () =>
        `Queued ${task.id}, but nothing runs tasks in this process (this build has no task engine steps).\nIt runs when Agent Agency runs on ${client.location} (agent-agency serve).`,
      );
      return opts.watch ? EXIT.unavailable : EXIT.ok;
    }
    // In this process the engine lives only as long as the command, so it always follows the task.
    if (opts.watch || client.kind === 'in-process') {
      if (!ctx.json) ctx.io.out(`Submitted ${task.id} (${task.mode}, tier ${task.riskTier}${networkNote(task)}) to ${client.kind === 'remote' ? client.location : 'the core in this process'}\n`);
      return watchTask(ctx, client, task, wait?.ok ? { waitForHuman: wait.value } : {});
    }
    ctx.print(task, () =>
      [
        `Submitted ${task.id} (${task.mode}, tier ${task.riskTier}${networkNote(task)}): ${stateLabel(task.state)}`,
        `Follow it:  agent-agency tasks show ${task.id}   or watch live with --watch`,
      ].join('\n'),
    );
    return EXIT.ok;
   }, { engine: true });
}

/** Said wherever the task is named on submit: a network grant is never silent. */
function networkNote(task: { allowNetwork?: true | undefined }): string {
  return task.allowNetwork ? ', network ALLOWED for its commands' : '';
}

/**
 * The files of --attach, read here so they reach a running instance the same way as the core in this
 * process (inside the submit call). A file that cannot be read is named with the reason; type and size
 * are checked by the contract (which names the file too).
 */
function readAttachments(files: readonly string[]): { ok: true; value: { name: string; dataBase64: string }[] } | { ok: false; message: string } {
  const out: { name: string; dataBase64: string }[] = [];
  for (const f of files) {
    const path = resolve(f);
    try {
      const size = statSync(path).size;
      // Refused before reading it all: the limit is the contract's.
      if (size > MAX_ATTACHMENT_BYTES) return { ok: false, message: `${f}: too large (${(size / 1024 / 1024).toFixed(1)} MB; at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB)` };
      out.push({ name: basename(path), dataBase64: readFileSync(path).toString('base64') });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { ok: false, message: `${f}: cannot be read (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : e instanceof Error ? e.message : String(e)})` };
    }
  }
  return { ok: true, value: out };
}

import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { Command } from 'commander';
import { formatLogLine, LogLine, logFileOf, readLogLines } from '../../main/core/observability/log-file';
import { action, withCommonOptions, type CommandContext, type CommonOptions } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';

type LogsOptions = CommonOptions & { task?: string; follow?: boolean; lines?: string };

/** `agent-agency logs [--task ID] [--follow]`: the host's structured log from the data folder. */
export function logsCommand(): Command {
  const cmd = new Command('logs')
    .description("the app's structured log (the data folder's rotating log file), optionally of one task")
    .option('--task <id>', 'only lines about this task')
    .option('-f, --follow', 'keep printing new lines as they are written (Ctrl+C stops)')
    .option('-n, --lines <n>', 'how many of the newest lines first', '200');
  withCommonOptions(cmd, { target: false });
  return cmd.action(action(logs));
}

async function logs(ctx: CommandContext): Promise<ExitCode> {
  const o = ctx.options as LogsOptions;
  const n = Number(o.lines ?? '200');
  if (!Number.isInteger(n) || n < 1 || n > 100_000) return ctx.fail({ code: 'invalid_input', message: '--lines: must be a whole number from 1 to 100000' });
  const file = logFileOf(ctx.dataDir);
  if (!existsSync(file) && !o.follow) {
    ctx.io.err(`agent-agency: no log yet at ${file} (the host writes it while it runs)\n`);
    return EXIT.notFound;
  }
  const print = (l: LogLine) => (ctx.json ? ctx.io.out(`${JSON.stringify(l)}\n`) : ctx.io.out(`${formatLogLine(l)}\n`));
  for (const l of readLogLines(file, { ...(o.task ? { taskId: o.task } : {}), limit: n })) print(l);
  if (!o.follow) return EXIT.ok;
  let offset = existsSync(file) ? statSync(file).size : 0;
  let partial = '';
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (!existsSync(file)) return;
      const size = statSync(file).size;
      if (size < offset) offset = 0; // rotated: the new file starts from the beginning
      if (size === offset) return;
      const fd = openSync(file, 'r');
      const buf = Buffer.alloc(size - offset);
      readSync(fd, buf, 0, buf.length, offset);
      closeSync(fd);
      offset = size;
      const text = partial + buf.toString('utf8');
      const lines = text.split('\n');
      partial = lines.pop() ?? '';
      for (const t of lines) {
        try {
          const l = LogLine.parse(JSON.parse(t));
          if (!o.task || l.taskId === o.task) print(l);
        } catch {
          // not a log line
        }
      }
    }, 300);
    const stop = () => {
      clearInterval(timer);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT.ok;
}

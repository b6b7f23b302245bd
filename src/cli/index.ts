import { Command } from 'commander';
import { defaultDataDir } from '../main/core/paths';
import { serve } from './serve';

const program = new Command();
program
  .name('agent-agency')
  .description('Run autonomous coding agents locally, under governance you can see and control.')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the headless host: the app in your browser on 127.0.0.1, guarded by a per-launch token')
  .option('-p, --port <port>', 'port to listen on (0 picks a free one)', '4317')
  .option('--host <host>', 'address to bind', '127.0.0.1')
  .option('-d, --data-dir <dir>', 'data folder', defaultDataDir())
  .option('--json', 'print the address and token as one JSON line')
  .action(serve);

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`agent-agency: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

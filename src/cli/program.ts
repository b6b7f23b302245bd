import { CommanderError, type Command } from 'commander';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';

const CONNECTION_HELP = `Where commands run:
  A running instance (agent-agency serve, or the desktop app) is found through the data folder's
  instance.json (or AGENT_AGENCY_URL and AGENT_AGENCY_TOKEN) and driven over its REST API, so the
  window sees what the command does. Without one, the core runs in this process on the data
  folder (AGENT_AGENCY_DATA_DIR, or --data-dir). --remote and --in-process choose explicitly.`;

/**
 * Settings every command shares, applied to the whole tree once it is built (commands made with
 * `new Command` do not inherit them): usage errors exit 2, and every --help ends with the exit codes.
 */
export function finishProgram(program: Command): void {
  program.addHelpText('after', `\n${CONNECTION_HELP}\n\n${EXIT_CODES_HELP}`);
  const visit = (cmd: Command, root: boolean) => {
    cmd.exitOverride();
    cmd.showHelpAfterError('(add --help for usage)');
    if (!root) cmd.addHelpText('after', `\n${EXIT_CODES_HELP}`);
    for (const sub of cmd.commands) visit(sub, false);
  };
  visit(program, true);
}

/** Exit status of an error that escaped a command: commander's own (usage, help) or a crash. */
export function exitCodeOfError(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.ok;
    return EXIT.usage;
  }
  return EXIT.failure;
}

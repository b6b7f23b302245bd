import { userInfo } from 'node:os';

/** Who the audit trail records for commands typed here: the OS user, via the CLI. */
export function cliActor(): { who: string; via: 'cli' } {
  let who: string;
  try {
    who = userInfo().username;
  } catch {
    who = process.env['USER'] ?? process.env['USERNAME'] ?? 'cli user';
  }
  return { who: who.trim().slice(0, 200) || 'cli user', via: 'cli' };
}

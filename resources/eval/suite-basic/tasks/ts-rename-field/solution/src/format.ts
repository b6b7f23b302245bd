import type { User } from './types.ts';

/** "name <email>" for a user. */
export function formatUser(u: User): string {
  return `${u.username} <${u.email}>`;
}

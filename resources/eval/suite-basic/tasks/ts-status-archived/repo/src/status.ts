export type Status = 'draft' | 'live' | 'paused';

export const STATUSES: readonly Status[] = ['draft', 'live', 'paused'];

/** Whether a project in this status takes traffic. */
export function isActive(s: Status): boolean {
  return s === 'live';
}

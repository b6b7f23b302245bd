export type Status = 'draft' | 'live' | 'paused' | 'archived';

export const STATUSES: readonly Status[] = ['draft', 'live', 'paused', 'archived'];

/** Whether a project in this status takes traffic. */
export function isActive(s: Status): boolean {
  return s === 'live';
}

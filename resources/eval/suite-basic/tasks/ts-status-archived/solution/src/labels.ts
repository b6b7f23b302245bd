import type { Status } from './status.ts';

/** What the UI shows for a status. */
export function statusLabel(s: Status): string {
  switch (s) {
    case 'draft':
      return 'Draft';
    case 'live':
      return 'Live';
    case 'paused':
      return 'Paused';
    case 'archived':
      return 'Archived';
    default:
      return 'Unknown';
  }
}

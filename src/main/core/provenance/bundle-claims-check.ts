import type { Findings } from './bundle-findings';
import type { SectionItem } from './bundle-schema';

const CLAIM_STATUS = new Set(['verified', 'refuted', 'unverifiable']);
const CLAIM_STAGE = new Set(['execute', 'review_plan', 'review_change']);
const CRITERION_STATUS = new Set(['verified', 'refuted', 'pending', 'unmet']);
const CRITERION_STAGE = new Set(['execute', 'review_change']);
const DECIDED_BY = new Set(['test', 'constitutional', 'none']);

/**
 * The claim table a bundle carries must be the task's own and say what the app's rules allow. Its
 * bytes are already checked against the signed manifest; here, what a bundle assembled by hand (or
 * from an edited database) could get wrong: every item is a row of task_claims or task_criteria of
 * this task, each claim ends verified, refuted or unverifiable with its evidence, and a criterion
 * counts as met only when a test or the constitutional judge decided it (never by a bare word).
 */
export function checkClaims(items: readonly SectionItem[], taskId: string, findings: Findings): void {
  items.forEach((item, i) => {
    const element = `claims[${i}]`;
    if (item.source !== 'table' || (item.table !== 'task_claims' && item.table !== 'task_criteria')) {
      findings.add('malformed', element, `${element} is not a row of task_claims or task_criteria`);
      return;
    }
    const d = item.data;
    if (d['task_id'] !== taskId) {
      findings.add('inserted', element, `${element} was inserted: it belongs to task ${String(d['task_id'])}, not ${taskId}`);
      return;
    }
    if (item.table === 'task_claims') {
      const what = `${element} (claim ${String(d['kind'])} ${String(d['subject'])})`;
      if (!CLAIM_STAGE.has(String(d['stage']))) findings.add('malformed', element, `${what} has stage ${JSON.stringify(d['stage'])}, not one of ${[...CLAIM_STAGE].join(', ')}`);
      if (!CLAIM_STATUS.has(String(d['status']))) findings.add('malformed', element, `${what} has status ${JSON.stringify(d['status'])}, not verified, refuted or unverifiable`);
      else if (typeof d['evidence'] !== 'string' || d['evidence'].trim() === '') findings.add('malformed', element, `${what} is ${String(d['status'])} without evidence`);
      return;
    }
    const what = `${element} (criterion ${String(d['criterion_id'])})`;
    if (!CRITERION_STAGE.has(String(d['stage']))) findings.add('malformed', element, `${what} has stage ${JSON.stringify(d['stage'])}, not execute or review_change`);
    if (!CRITERION_STATUS.has(String(d['status'])) || !DECIDED_BY.has(String(d['decided_by']))) {
      findings.add('malformed', element, `${what} has status ${JSON.stringify(d['status'])} decided by ${JSON.stringify(d['decided_by'])}, which this version does not know`);
    } else if (d['status'] === 'verified' && d['decided_by'] === 'none') {
      findings.add('malformed', element, `${what} counts as met, but neither its test nor the constitutional judge decided it`);
    }
  });
}

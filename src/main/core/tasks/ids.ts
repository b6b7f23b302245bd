import { randomBytes } from 'node:crypto';

/** Time-sortable, collision-resistant task id: `tsk_` + base36 millis + 8 random base36 chars. */
export function newTaskId(now: number): string {
  const random = BigInt(`0x${randomBytes(6).toString('hex')}`).toString(36).padStart(8, '0').slice(-8);
  return `tsk_${now.toString(36).padStart(9, '0')}${random}`;
}

import { GateResultSchema, type GateResultRecord } from '../../../shared/domain/governance';
import type { GateContext, GateResult, GateRunner } from './types';

/**
 * A gate runner that keeps every run it makes: the worker's per-iteration gates (the spec checks
 * before a change counts among them) are stored like the verify step's, so the task page shows each
 * gate that ran with its details, even when the task stopped before verification.
 */
export function recordingGates(inner: GateRunner, save: (results: GateResultRecord[]) => void): GateRunner {
  return {
    async run(context: GateContext): Promise<GateResult[]> {
      const results = await inner.run(context);
      const records = results.flatMap((r) => {
        const parsed = GateResultSchema.safeParse(r);
        return parsed.success ? [parsed.data] : [];
      });
      if (records.length > 0) save(records);
      return results;
    },
  };
}

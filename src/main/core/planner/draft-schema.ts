import { z } from 'zod';
import { CONTRACT_TYPES, SPEC_MODES } from '../../../shared/domain/working-spec';
import type { RiskTier } from '../../../shared/domain/task';
import { modelJsonSchema } from '../caws/model-schema';
import type { JsonSchema } from '../models/types';

/**
 * The part of a working spec the planning model writes, per tier. Risk tier and lifecycle state
 * are ours to set, not the model's. Lengths and counts are bounded so a grammar-constrained answer
 * cannot run away; the full CAWS rules are applied afterwards by `validateSpec`.
 */
const s = (max: number) => z.string().max(max);
const list = (max: number, len: number, min = 0) => z.array(s(len)).min(min).max(max);

export function planDraftSchema(tier: RiskTier) {
  const base = {
    id: s(40).describe('uppercase segments ending in a number, e.g. FEAT-0042'),
    title: s(120).describe('what the change does, at least 5 characters'),
    mode: z.enum(SPEC_MODES),
    blast_radius: z.object({ modules: list(6, 80), data_migration: z.boolean() }),
    scope: z.object({
      in: list(12, 160, 1).describe('repository paths the change may modify; folders end with /'),
      out: list(6, 160).describe('plain paths the change must not touch'),
      support: list(6, 160).describe('tests, fixtures or docs the change may also touch'),
    }),
    invariants: list(5, 200, 1),
    acceptance: z
      .array(z.object({ id: s(4).describe('A1, A2, …'), given: s(240), when: s(240), then: s(240), test_command: s(160).describe('command that checks it, or empty') }))
      .min(1)
      .max(5),
    non_functional: z.object({ performance: list(3, 160), security: list(3, 160, tier === 1 ? 1 : 0), reliability: list(3, 160), accessibility: list(3, 160) }),
    contracts: z
      .array(z.object({ name: s(80), type: z.enum(CONTRACT_TYPES), path: s(160).describe('file of the contract; empty for behavior') }))
      .min(tier === 3 ? 0 : 1)
      .max(4),
  };
  if (tier !== 1) return z.object(base);
  return z.object({
    ...base,
    operational_rollback_slo: s(8).describe('e.g. 5m, 30m, 1h'),
    rollback: list(4, 200, 1),
    observability: list(4, 160, 1).describe('logs, metrics, traces or alerts that show the change working'),
  });
}

export function planDraftJsonSchema(tier: RiskTier): JsonSchema {
  return modelJsonSchema(planDraftSchema(tier));
}

import { DEFAULT_POLICY, Policy, type GateModeValue, type GateName, type PolicyPatch, type TierBudget } from '../../../shared/domain/governance';
import type { RiskTier } from '../../../shared/domain/task';
import { AppFailure, describeZodError } from '../../../shared/errors';
import type { Db } from '../db/open';
import { getSetting, setSetting } from '../db/queries/settings';
import type { Clock } from '../journal/journal';
import type { Logger } from '../observability/logger';

export const POLICY_KEY = 'governance.policy';

export type PolicyServiceOptions = { db: Db; clock: Clock; logger: Logger };

const TIERS = [1, 2, 3] as const;

/** The governance policy (budgets, gate modes, coverage, check commands), kept in the settings table. */
export class PolicyService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(options: PolicyServiceOptions) {
    this.db = options.db;
    this.clock = options.clock;
    this.logger = options.logger;
  }

  get(): Policy {
    const stored = getSetting(this.db, POLICY_KEY);
    if (!stored) return structuredClone(DEFAULT_POLICY);
    let value: unknown;
    try {
      value = JSON.parse(stored.value);
    } catch {
      value = undefined;
    }
    const parsed = Policy.safeParse(value);
    if (parsed.success) return parsed.data;
    // A damaged row must not loosen governance: the defaults are the strict, documented baseline.
    this.logger.warn({ key: POLICY_KEY }, 'stored governance policy is invalid; using the defaults');
    return structuredClone(DEFAULT_POLICY);
  }

  /** Applies a partial update, validates the whole policy and stores it; returns the new policy. */
  update(patch: PolicyPatch, actor: string): Policy {
    const current = this.get();
    const next: Policy = structuredClone(current);
    for (const tier of TIERS) {
      const b = patch.budgets?.[tier];
      if (b) next.budgets[tier] = { ...next.budgets[tier], ...defined(b) };
      const m = patch.gateModes?.[tier];
      if (m) next.gateModes[tier] = { ...next.gateModes[tier], ...defined(m) };
      const c = patch.coverage?.[tier];
      if (c !== undefined) next.coverage[tier] = c;
    }
    if (patch.checkTimeoutMs !== undefined) next.checkTimeoutMs = patch.checkTimeoutMs;
    for (const [repo, commands] of Object.entries(patch.checkCommands ?? {})) {
      if (Object.keys(defined(commands)).length === 0) delete next.checkCommands[repo];
      else next.checkCommands[repo] = defined(commands);
    }
    const parsed = Policy.safeParse(next);
    if (!parsed.success) {
      const { message, issues } = describeZodError(parsed.error);
      throw new AppFailure('invalid_input', message, issues);
    }
    checkTierOrder(parsed.data);
    setSetting(this.db, POLICY_KEY, JSON.stringify(parsed.data), actor, this.clock.now());
    this.logger.info({ actor }, 'governance policy updated');
    return parsed.data;
  }

  budget(tier: RiskTier): TierBudget {
    return this.get().budgets[tier];
  }

  gateMode(tier: RiskTier, gate: GateName): GateModeValue {
    return this.get().gateModes[tier][gate];
  }
}

/** Tier 1 is the strictest: its budget may never exceed tier 2's, nor tier 2's exceed tier 3's. */
function checkTierOrder(policy: Policy): void {
  const issues: { path: string; message: string }[] = [];
  for (const [a, b] of [[1, 2], [2, 3]] as const) {
    if (policy.budgets[a].maxFiles > policy.budgets[b].maxFiles) {
      issues.push({ path: `budgets.${a}.maxFiles`, message: `must not exceed tier ${b}'s (${policy.budgets[b].maxFiles})` });
    }
    if (policy.budgets[a].maxLines > policy.budgets[b].maxLines) {
      issues.push({ path: `budgets.${a}.maxLines`, message: `must not exceed tier ${b}'s (${policy.budgets[b].maxLines})` });
    }
  }
  if (issues.length > 0) throw new AppFailure('invalid_input', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
}

function defined<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]-?: Exclude<T[K], undefined> };
}

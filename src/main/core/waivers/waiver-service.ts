import type { z } from 'zod';
import { CreateWaiverInput, type GateName, type Waiver } from '../../../shared/domain/governance';
import { SPEC_ID_PATTERN } from '../../../shared/domain/working-spec';
import { AppFailure, describeZodError } from '../../../shared/errors';
import type { Db } from '../db/open';
import {
  countWaiverUses,
  findWaiverUse,
  getWaiver,
  insertWaiver,
  insertWaiverUse,
  listWaivers,
  markWaiverApproved,
  markWaiverRevoked,
  nextWaiverId,
  type WaiverRecord,
} from '../db/queries/waivers';
import type { Clock, Journal } from '../journal/journal';
import type { Logger } from '../observability/logger';
import { coversSpec, waiverStatus } from './status';

export type WaiverServiceOptions = { db: Db; journal: Journal; clock: Clock; logger: Logger };

/** The channels a person acts through. MCP (models and agents) and the system itself are not among them. */
export const HUMAN_CHANNELS = ['window', 'menu-bar', 'notification', 'cli', 'api'] as const;
export type HumanChannel = (typeof HUMAN_CHANNELS)[number];

/** Who approves a waiver: a person, through a human channel, as a known OS user. */
export type WaiverApprover = { who: string; via: HumanChannel; osUser: string };

/** Names the app's own models and automation act under; none of them may approve a waiver. */
const NON_HUMAN_NAME = /^(model|worker|planner|judge|council|agent|assistant|system|scheduler|mcp)\b|\b(model|llm|gpt|llama)\b/i;

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export type WaiverUse = { waiverId: string; taskId: string; gate: GateName; detail: string };

/**
 * Waivers: created by someone, approved by an approver, revocable at any time, active only between
 * approval and expiry and while uses remain. Each use is stored and journaled on the task it served.
 */
export class WaiverService {
  private readonly db: Db;
  private readonly journal: Journal;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(options: WaiverServiceOptions) {
    this.db = options.db;
    this.journal = options.journal;
    this.clock = options.clock;
    this.logger = options.logger;
  }

  create(input: z.input<typeof CreateWaiverInput>): Waiver {
    const parsed = CreateWaiverInput.safeParse(input);
    if (!parsed.success) {
      const { message, issues } = describeZodError(parsed.error);
      throw new AppFailure('invalid_input', message, issues);
    }
    const w = parsed.data;
    const now = this.clock.now();
    if (w.expiresAt <= now) {
      throw new AppFailure('invalid_input', 'expiresAt: must be in the future', [{ path: 'expiresAt', message: 'must be in the future' }]);
    }
    if (w.specId === undefined && w.allSpecs !== true) {
      const message = 'name the spec this waiver covers, or choose allSpecs: true to cover every spec';
      throw new AppFailure('invalid_input', `specId: ${message}`, [{ path: 'specId', message }]);
    }
    if (w.specId !== undefined && w.allSpecs === true) {
      const message = 'a waiver covers one spec or all specs, not both';
      throw new AppFailure('invalid_input', `allSpecs: ${message}`, [{ path: 'allSpecs', message }]);
    }
    if (w.specId !== undefined && !SPEC_ID_PATTERN.test(w.specId)) {
      throw new AppFailure('invalid_input', 'specId: must be a spec id like FEAT-0042', [{ path: 'specId', message: 'must be a spec id like FEAT-0042' }]);
    }
    const record = this.journal.transaction(() => {
      const row: WaiverRecord = {
        id: nextWaiverId(this.db),
        title: w.title,
        gates: [...new Set(w.gates)],
        reason: w.reason,
        createdBy: w.createdBy,
        createdAt: now,
        expiresAt: w.expiresAt,
        approver: null,
        approvedAt: null,
        approverVia: null,
        approverOsUser: null,
        revokedAt: null,
        revokedBy: null,
        revokeReason: null,
        specId: w.specId ?? null,
        maxUses: w.maxUses ?? null,
        budgetDelta: w.budgetDelta ?? null,
      };
      insertWaiver(this.db, row);
      return row;
    });
    this.logger.info({ waiverId: record.id, gates: record.gates, by: record.createdBy }, 'waiver created');
    return this.view(record);
  }

  /**
   * Approval fails closed: only a person through a human channel, never the waiver's creator, never
   * a model or the app's automation. The channel and OS user are stored beside the name.
   */
  approve(id: string, approver: WaiverApprover): Waiver {
    const name = approver.who.trim();
    const refuse = (message: string): never => {
      throw new AppFailure('forbidden', `approver: ${message}`, [{ path: 'approver', message }]);
    };
    if (!name) throw new AppFailure('invalid_input', 'approver: must not be empty', [{ path: 'approver', message: 'must not be empty' }]);
    if (!(HUMAN_CHANNELS as readonly string[]).includes(approver.via)) refuse(`a waiver must be approved by a person (window, menu bar, CLI or API), not through ${approver.via}`);
    if (NON_HUMAN_NAME.test(name)) refuse(`"${name}" is a model or the app's automation; a person must approve a waiver`);
    if (!approver.osUser.trim()) refuse('the operating-system user is unknown');
    const record = this.journal.transaction(() => {
      const w = this.require(id);
      if (same(w.createdBy, name)) refuse(`${name} created this waiver and cannot approve it; another person must`);
      const status = waiverStatus(w, countWaiverUses(this.db, id), this.clock.now());
      if (status !== 'pending') throw new AppFailure('conflict', `waiver ${id} is ${status}; only a pending waiver can be approved`);
      markWaiverApproved(this.db, id, { who: name, via: approver.via, osUser: approver.osUser.trim() }, this.clock.now());
      return this.require(id);
    });
    this.logger.info({ waiverId: id, approver: name, via: approver.via, osUser: approver.osUser }, 'waiver approved');
    return this.view(record);
  }

  revoke(id: string, by: string, reason: string): Waiver {
    const record = this.journal.transaction(() => {
      const w = this.require(id);
      if (w.revokedAt !== null) throw new AppFailure('conflict', `waiver ${id} was already revoked`);
      markWaiverRevoked(this.db, id, by.trim() || 'unknown', reason.trim(), this.clock.now());
      return this.require(id);
    });
    this.logger.info({ waiverId: id, by }, 'waiver revoked');
    return this.view(record);
  }

  get(id: string): Waiver {
    return this.view(this.require(id));
  }

  list(): Waiver[] {
    return listWaivers(this.db).map((w) => this.view(w));
  }

  /** Waivers active right now that cover `gate` for work under `specId`, oldest first. */
  activeFor(gate: GateName, specId: string | null): Waiver[] {
    return this.list()
      .filter((w) => w.status === 'active' && w.gates.includes(gate) && coversSpec(w, specId))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * Spends one use of a waiver on a task's gate. Using it again for the same task and gate is free
   * (the gates of one task run many times); a waiver that stopped being active in the meantime is
   * refused, so a revocation or expiry takes effect at once.
   */
  recordUse(use: WaiverUse): { duplicate: boolean } {
    return this.journal.transaction(() => {
      if (findWaiverUse(this.db, use.waiverId, use.taskId, use.gate)) return { duplicate: true };
      const w = this.require(use.waiverId);
      const status = waiverStatus(w, countWaiverUses(this.db, w.id), this.clock.now());
      if (status !== 'active') throw new AppFailure('conflict', `waiver ${w.id} is ${status} and cannot be used`);
      if (!w.gates.includes(use.gate)) throw new AppFailure('conflict', `waiver ${w.id} does not cover the ${use.gate} gate`);
      insertWaiverUse(this.db, { ...use, usedAt: this.clock.now() });
      this.journal.append(
        use.taskId,
        { type: 'waiver.used', payload: { waiverId: use.waiverId, gate: use.gate, detail: use.detail } },
        `${use.taskId}:waiver-use:${use.waiverId}:${use.gate}`,
      );
      return { duplicate: false };
    });
  }

  private require(id: string): WaiverRecord {
    const w = getWaiver(this.db, id);
    if (!w) throw new AppFailure('not_found', `no waiver with id ${id}`);
    return w;
  }

  private view(w: WaiverRecord): Waiver {
    const uses = countWaiverUses(this.db, w.id);
    return { ...w, uses, status: waiverStatus(w, uses, this.clock.now()) };
  }
}

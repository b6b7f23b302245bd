import { DEFAULT_SLOS, type AlertHistoryEntry, type AlertView, type SloChange, type SloDefinition, type SloStatus } from '../../../shared/channels/slo';
import { AppFailure } from '../../../shared/errors';
import type { Db } from '../db/open';
import {
  acknowledgeAlertRow,
  appendAlertHistory,
  appendSloChange,
  firingAlert,
  getAlert,
  insertAlert,
  latestAlert,
  listAlertHistory,
  listAlertRows,
  listSloChanges,
  readSloDefinitions,
  resolveAlertRow,
  silenceAlertRow,
  writeSloDefinition,
} from '../db/queries/slo';
import type { Logger } from '../observability/logger';
import { checkDefinition } from './definition-check';
import { samples, type Sample } from './sli';

export type SloServiceOptions = { db: Db; clock: { now(): number }; logger: Logger };
/** A change of an alert: it fired or resolved (at most once each), or a person acknowledged or silenced it. */
export type AlertChange = { kind: 'fired' | 'resolved' | 'acknowledged' | 'silenced'; alert: AlertView; silenced: boolean };

/** How fast a window spends the error budget: 1 spends exactly the budget over the SLO's window. */
export function burnRate(d: SloDefinition, s: readonly Sample[], windowMs: number): number {
  const bad = s.filter((x) => !x.good).length;
  if (d.kind === 'budget') return bad / windowMs / ((d.maxEvents ?? 1) / d.windowMs);
  if (s.length === 0) return 0;
  return bad / s.length / (1 - d.target);
}

function p95(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)]!;
}

/**
 * Objectives computed from the journal and multi-window burn-rate alerts. An alert fires once when
 * both windows of a rule burn faster than its factor, resolves once when they stop, and a silence
 * keeps it from firing again until it ends; every change is kept in the alert history.
 */
export class SloService {
  private readonly listeners = new Set<(c: AlertChange) => void>();

  constructor(private readonly o: SloServiceOptions) {}

  definitions(): SloDefinition[] {
    const stored = new Map(readSloDefinitions(this.o.db).map((d) => [d.id, d]));
    return DEFAULT_SLOS.map((d) => stored.get(d.id) ?? d);
  }

  /**
   * Saves a changed definition (checked as a whole, every refusal naming its field) and appends the
   * change, with who made it and what it replaced, to the objectives' append-only history.
   */
  setDefinition(input: unknown, actor: string): SloStatus {
    const d = checkDefinition(input);
    const now = this.o.clock.now();
    const before = readSloDefinitions(this.o.db).find((x) => x.id === d.id) ?? null;
    this.o.db.transaction(() => {
      writeSloDefinition(this.o.db, d, now, actor);
      appendSloChange(this.o.db, now, actor, before, d);
    })();
    this.o.logger.info({ slo: d.id, actor }, 'objective changed');
    return this.status(d, now);
  }

  /** Changes of the definitions, newest first. */
  changes(sloId?: string, limit = 100): SloChange[] {
    return listSloChanges(this.o.db, sloId, limit);
  }

  status(d: SloDefinition, now: number): SloStatus {
    const s = samples(this.o.db, d, now - d.windowMs, now);
    const bad = s.filter((x) => !x.good).length;
    const good = s.length - bad;
    const budgetRemaining = d.kind === 'budget' ? 1 - bad / (d.maxEvents ?? 1) : s.length === 0 ? 1 : 1 - bad / s.length / (1 - d.target);
    const sli = d.kind === 'budget' ? Math.max(0, 1 - bad / (d.maxEvents ?? 1)) : s.length === 0 ? null : good / s.length;
    const burnRates = d.rules.map((r) => {
      const long = burnRate(d, samples(this.o.db, d, now - r.longWindowMs, now), r.longWindowMs);
      const shortSamples = samples(this.o.db, d, now - r.shortWindowMs, now);
      const short = burnRate(d, shortSamples, r.shortWindowMs);
      const enough = (d.kind === 'budget' ? shortSamples.filter((x) => !x.good).length : shortSamples.length) >= d.minEvents;
      return { rule: r.name, long, short, burning: d.enabled && enough && long >= r.factor && short >= r.factor };
    });
    const values = s.flatMap((x) => (x.value === undefined ? [] : [x.value]));
    const meeting = d.kind === 'budget' ? bad <= (d.maxEvents ?? 0) : sli === null || sli >= d.target;
    return { definition: d, good, valid: s.length, sli, budgetRemaining, burnRates, p95: d.id === 'council_review_latency_p95' || d.id === 'time_to_first_plan' || d.id === 'approval_wait' ? p95(values) : null, meeting };
  }

  list(): SloStatus[] {
    const now = this.o.clock.now();
    return this.definitions().map((d) => this.status(d, now));
  }

  /** Evaluates every rule now; returns the alerts that fired or resolved (each at most once). */
  evaluate(): AlertChange[] {
    const now = this.o.clock.now();
    const changes: AlertChange[] = [];
    for (const st of this.list()) {
      const d = st.definition;
      for (const [i, rule] of d.rules.entries()) {
        const b = st.burnRates[i]!;
        const firing = firingAlert(this.o.db, d.id, rule.name);
        if (b.burning && !firing) {
          const prior = latestAlert(this.o.db, d.id, rule.name);
          if (prior?.silencedUntil && prior.silencedUntil > now) continue;
          const alert: AlertView = {
            id: `${d.id}:${rule.name}:${now}`,
            sloId: d.id,
            rule: rule.name,
            severity: rule.severity,
            state: 'firing',
            firedAt: now,
            resolvedAt: null,
            summary: `${d.name}: burning the error budget ${b.short.toFixed(1)}× (short window) and ${b.long.toFixed(1)}× (long) the sustainable rate; over ${rule.factor}×`,
            acknowledgedBy: null,
            acknowledgedAt: null,
            silencedUntil: null,
            silencedBy: null,
          };
          this.o.db.transaction(() => {
            insertAlert(this.o.db, alert);
            appendAlertHistory(this.o.db, now, alert.id, 'fired', null, { long: b.long, short: b.short, factor: rule.factor });
          })();
          changes.push({ kind: 'fired', alert, silenced: false });
        } else if (!b.burning && firing) {
          this.o.db.transaction(() => {
            resolveAlertRow(this.o.db, firing.id, now);
            appendAlertHistory(this.o.db, now, firing.id, 'resolved', null, { long: b.long, short: b.short });
          })();
          changes.push({ kind: 'resolved', alert: getAlert(this.o.db, firing.id)!, silenced: (firing.silencedUntil ?? 0) > now });
        }
      }
    }
    for (const c of changes) {
      this.o.logger.warn({ alert: c.alert.id, kind: c.kind }, `alert ${c.kind}: ${c.alert.summary}`);
      this.emit(c);
    }
    return changes;
  }

  private emit(c: AlertChange): void {
    for (const l of this.listeners) {
      try {
        l(c);
      } catch {
        // A faulty listener must not stop the others.
      }
    }
  }

  onAlert(listener: (c: AlertChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  alerts(state: 'firing' | 'resolved' | 'all' = 'all', limit = 100): { alerts: AlertView[]; history: AlertHistoryEntry[] } {
    return { alerts: listAlertRows(this.o.db, state, limit), history: listAlertHistory(this.o.db, limit) };
  }

  acknowledge(id: string, actor: string): AlertView {
    const a = this.require(id);
    const now = this.o.clock.now();
    this.o.db.transaction(() => {
      acknowledgeAlertRow(this.o.db, id, actor, now);
      appendAlertHistory(this.o.db, now, id, 'acknowledged', actor, {});
    })();
    const alert = getAlert(this.o.db, a.id)!;
    this.emit({ kind: 'acknowledged', alert, silenced: (alert.silencedUntil ?? 0) > now });
    return alert;
  }

  silence(id: string, actor: string, untilMs: number): AlertView {
    this.require(id);
    const now = this.o.clock.now();
    if (untilMs <= now) throw new AppFailure('invalid_input', 'untilMs: must lie in the future');
    this.o.db.transaction(() => {
      silenceAlertRow(this.o.db, id, actor, untilMs);
      appendAlertHistory(this.o.db, now, id, 'silenced', actor, { until: untilMs });
    })();
    const alert = getAlert(this.o.db, id)!;
    this.emit({ kind: 'silenced', alert, silenced: true });
    return alert;
  }

  private require(id: string): AlertView {
    const a = getAlert(this.o.db, id);
    if (!a) throw new AppFailure('not_found', `id: no alert ${id}`);
    return a;
  }
}

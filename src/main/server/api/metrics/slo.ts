import type { Core } from '../../../core/core';
import { countAlertsFired, listAlertRows } from '../../../core/db/queries/slo';
import type { MetricsRegistry } from './registry';

/**
 * SLO and alert series, named after Prometheus conventions (base units, `_ratio`, `_total`); the
 * Grafana dashboard and alert rules in resources/observability/ read exactly these names.
 * Computed from the journal at scrape time, so a restart loses nothing.
 */
export function registerSloMetrics(registry: MetricsRegistry, core: Core): void {
  // One computation per scrape serves every SLO family below.
  let cache: { at: number; statuses: ReturnType<Core['slo']['list']> } | undefined;
  const statuses = () => {
    const now = Date.now();
    if (!cache || now - cache.at > 1000) cache = { at: now, statuses: core.slo.list() };
    return cache.statuses;
  };
  registry.gauge({
    name: 'agent_agency_slo_objective_ratio',
    help: 'Target of each objective (share of good events; for budget objectives, the share of the budget that must stay unspent).',
    collect: () => statuses().map((s) => ({ labels: { slo: s.definition.id }, value: s.definition.target })),
  });
  registry.gauge({
    name: 'agent_agency_slo_sli_ratio',
    help: 'Measured share of good events over the objective\'s window (absent with no events).',
    collect: () => statuses().flatMap((s) => (s.sli === null ? [] : [{ labels: { slo: s.definition.id }, value: s.sli }])),
  });
  registry.gauge({
    name: 'agent_agency_slo_events',
    help: 'Events judged by each objective over its window.',
    collect: () => statuses().flatMap((s) => [
      { labels: { slo: s.definition.id, outcome: 'good' }, value: s.good },
      { labels: { slo: s.definition.id, outcome: 'bad' }, value: s.valid - s.good },
    ]),
  });
  registry.gauge({
    name: 'agent_agency_slo_error_budget_remaining_ratio',
    help: 'Share of the error budget left over the objective\'s window (negative once overspent).',
    collect: () => statuses().map((s) => ({ labels: { slo: s.definition.id }, value: s.budgetRemaining })),
  });
  registry.gauge({
    name: 'agent_agency_slo_burn_rate',
    help: 'Error-budget burn rate per alert rule and window (1 spends exactly the budget over the objective\'s window).',
    collect: () =>
      statuses().flatMap((s) =>
        s.burnRates.flatMap((b) => [
          { labels: { slo: s.definition.id, rule: b.rule, window: 'long' }, value: b.long },
          { labels: { slo: s.definition.id, rule: b.rule, window: 'short' }, value: b.short },
        ]),
      ),
  });
  registry.gauge({
    name: 'agent_agency_alert_firing',
    help: 'Alerts firing now (1 per alert), by objective, rule and severity.',
    collect: () => listAlertRows(core.db, 'firing', 1000).map((a) => ({ labels: { slo: a.sloId, rule: a.rule, severity: a.severity }, value: 1 })),
  });
  registry.gauge({
    name: 'agent_agency_alerts_fired_total',
    help: 'Alerts fired since the database was created, by objective.',
    type: 'counter',
    collect: () => countAlertsFired(core.db).map((r) => ({ labels: { slo: r.sloId }, value: r.n })),
  });
}

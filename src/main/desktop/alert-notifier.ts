import type { AlertView } from '../../shared/channels/slo';
import type { AlertChange, SloService } from '../core/slo/service';
import { shorten } from './tray-model';

/*
 * The seam between the objectives' alerts and the desktop: alert changes go in, notices and one
 * menu-bar line come out through an `AlertNotifier`. This file does not import electron, so the
 * binding is tested with a recording notifier against real alerts (alert-notifier.test.ts); the
 * Electron notifier (alert-notifications.ts) only draws what it is handed.
 */

/** A native notification about one alert. */
export type AlertNotice = {
  /** One notice per key: an alert's firing and its resolution are each announced once. */
  key: string;
  alertId: string;
  kind: 'fired' | 'resolved';
  title: string;
  body: string;
  /** A page-severity firing: shown with sound and kept on screen where the system allows. */
  urgent: boolean;
};

/** The menu-bar line for alerts; null when none is firing. */
export type AlertTrayLine = { label: string; firing: number; unacknowledged: number } | null;

export interface AlertNotifier {
  notify(notice: AlertNotice): void;
  showTrayLine(line: AlertTrayLine): void;
}

const SEVERITY: Record<AlertView['severity'], string> = { page: 'page', ticket: 'ticket' };

/** What a change says as a notification; null for what is not news (acknowledged, silenced, a silenced alert resolving). */
export function alertNotice(change: AlertChange): AlertNotice | null {
  const a = change.alert;
  if (change.kind === 'fired' && !change.silenced) {
    return { key: `${a.id}:fired`, alertId: a.id, kind: 'fired', title: `Alert (${SEVERITY[a.severity]}): ${a.sloId.replace(/_/g, ' ')}`, body: shorten(a.summary, 220), urgent: a.severity === 'page' };
  }
  if (change.kind === 'resolved' && !change.silenced) {
    return { key: `${a.id}:resolved`, alertId: a.id, kind: 'resolved', title: `Resolved: ${a.sloId.replace(/_/g, ' ')} (${a.rule})`, body: shorten(a.summary, 220), urgent: false };
  }
  return null;
}

/** The line for the firing alerts, newest first; alerts silenced at `now` are left out. */
export function alertTrayLine(firing: readonly AlertView[], now: number): AlertTrayLine {
  const loud = firing.filter((a) => a.state === 'firing' && !((a.silencedUntil ?? 0) > now));
  if (loud.length === 0) return null;
  const newest = [...loud].sort((x, y) => y.firedAt - x.firedAt)[0]!;
  const unacknowledged = loud.filter((a) => !a.acknowledgedBy).length;
  const ack = unacknowledged < loud.length ? `, ${loud.length - unacknowledged} acknowledged` : '';
  return { label: `Alerts firing (${loud.length}${ack}): ${shorten(newest.summary.split(':')[0] ?? newest.summary, 40)} — ${newest.rule}`, firing: loud.length, unacknowledged };
}

/**
 * Feeds the notifier from the objectives' alert events: each firing and resolution once, and the
 * menu-bar line redrawn after every change (acknowledge and silence included) and once at start.
 */
export function startAlertNotifications(slo: Pick<SloService, 'onAlert' | 'alerts'>, notifier: AlertNotifier, clock: { now(): number }): () => void {
  const seen = new Set<string>();
  const redraw = () => notifier.showTrayLine(alertTrayLine(slo.alerts('firing', 200).alerts, clock.now()));
  redraw();
  return slo.onAlert((change) => {
    const notice = alertNotice(change);
    if (notice && !seen.has(notice.key)) {
      seen.add(notice.key);
      // Bounded: a long session sees many alerts.
      if (seen.size > 2_000) seen.delete(seen.values().next().value as string);
      notifier.notify(notice);
    }
    redraw();
  });
}

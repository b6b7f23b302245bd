import { Notification } from 'electron';
import type { AlertNotice, AlertNotifier, AlertTrayLine } from './alert-notifier';

/**
 * The Electron side of the alert seam: a native notification per notice (a firing page-severity
 * alert is urgent: sound, and kept on screen where the system allows it) whose click opens the
 * Alerts page, and the menu-bar line handed to the tray. What to say and when is decided in
 * alert-notifier.ts, which is tested; this only draws it (checked by hand, docs/desktop-alerts-manual-check.md).
 */
export class ElectronAlertNotifier implements AlertNotifier {
  // Electron drops a notification's events once it is garbage collected; keep the live ones.
  private readonly live = new Set<Notification>();

  constructor(private readonly deps: { openAlerts(): void; onTrayLine(line: AlertTrayLine): void }) {}

  notify(notice: AlertNotice): void {
    if (!Notification.isSupported()) return;
    const n = new Notification({
      title: notice.title,
      body: notice.body,
      silent: !notice.urgent,
      urgency: notice.urgent ? 'critical' : 'normal',
      timeoutType: notice.urgent ? 'never' : 'default',
    });
    this.live.add(n);
    n.on('click', () => this.deps.openAlerts());
    n.on('close', () => this.live.delete(n));
    n.show();
  }

  showTrayLine(line: AlertTrayLine): void {
    this.deps.onTrayLine(line);
  }

  close(): void {
    for (const n of this.live) n.close();
    this.live.clear();
  }
}

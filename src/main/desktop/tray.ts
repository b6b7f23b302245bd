import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron';
import type { PressureLevel } from '../../shared/domain/scheduler';
import type { Core } from '../core/composition/app-core';
import type { AlertTrayLine } from './alert-notifier';
import { trayMenu, type ShellAction, type TrayItem } from './tray-model';
import { UNFINISHED } from './shell-actions';

/** Rebuilds at most this often: a flood of events must not rebuild a native menu a thousand times a second. */
const REFRESH_MS = 1_000;

/** The menu-bar control: firing alerts, running tasks, approvals, pause/resume all, thermal state, loaded models. */
export function startTray(core: Core, onAction: (action: ShellAction) => void, options: { alertLine?: () => AlertTrayLine } = {}): { stop(): void; refresh(): void } {
  const tray = new Tray(trayIcon());
  let timer: ReturnType<typeof setTimeout> | undefined;
  let loaded: string[] | null = null;
  let closed = false;

  const render = () => {
    timer = undefined;
    if (closed) return;
    let pressure: { level: PressureLevel; slots: number; inUse: number } | null;
    try {
      const s = core.scheduler.state();
      pressure = { level: s.level, slots: s.slots, inUse: s.inUse };
    } catch {
      // Without a reading the menu leaves the thermal line out rather than guess.
      pressure = null;
    }
    const model = trayMenu({
      tasks: core.tasks.list({ states: UNFINISHED, limit: 200 }),
      pressure,
      loadedModels: loaded,
      engine: Boolean(core.engine),
      alerts: options.alertLine?.() ?? null,
    });
    tray.setToolTip(model.tooltip);
    if (process.platform === 'darwin') tray.setTitle(model.title);
    tray.setContextMenu(Menu.buildFromTemplate(model.items.map((i) => toMenuItem(i, onAction))));
  };
  const schedule = () => {
    timer ??= setTimeout(render, REFRESH_MS);
  };
  const refreshModels = () => {
    void core.models.views().then(
      (views) => {
        loaded = views.filter((v) => v.state === 'loaded').map((v) => v.entry.name);
        schedule();
      },
      () => {
        loaded = null;
      },
    );
  };

  const offJournal = core.journal.subscribe(schedule);
  const offScheduler = core.scheduler.onDecision(schedule);
  const offModels = core.models.events.subscribe(refreshModels);
  refreshModels();
  render();
  return {
    stop: () => {
      closed = true;
      if (timer) clearTimeout(timer);
      offJournal();
      offScheduler();
      offModels();
      tray.destroy();
    },
    refresh: schedule,
  };
}

function toMenuItem(item: TrayItem, onAction: (action: ShellAction) => void): MenuItemConstructorOptions {
  switch (item.type) {
    case 'separator':
      return { type: 'separator' };
    case 'submenu':
      return { label: item.label, submenu: item.items.map((i) => toMenuItem(i, onAction)) };
    case 'item': {
      const action = item.action;
      return { label: item.label, enabled: item.enabled, ...(action ? { click: () => onAction(action) } : {}) };
    }
  }
}

/**
 * A small ring drawn in code, so the menu-bar icon needs no asset file in the package. On macOS it
 * is a template image (the system tints it for light and dark menu bars).
 */
function trayIcon(): NativeImage {
  const size = 32;
  const pixels = Buffer.alloc(size * size * 4);
  const mac = process.platform === 'darwin';
  const [b, g, r] = mac ? [0, 0, 0] : [0xd8, 0x66, 0x0a];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x + 0.5 - size / 2, y + 0.5 - size / 2);
      const ring = d > 9 && d < 13;
      const dot = d < 4.5;
      if (!ring && !dot) continue;
      const o = (y * size + x) * 4;
      pixels[o] = b;
      pixels[o + 1] = g;
      pixels[o + 2] = r;
      pixels[o + 3] = 255;
    }
  }
  const image = nativeImage.createFromBitmap(pixels, { width: size, height: size, scaleFactor: 2 });
  if (mac) image.setTemplateImage(true);
  return image;
}

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

export type Rect = { x: number; y: number; width: number; height: number };

const WindowState = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().min(200).max(20_000),
  height: z.number().int().min(200).max(20_000),
  maximized: z.boolean().default(false),
  fullScreen: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowState>;

export const windowStateFile = (dataDir: string) => join(dataDir, 'window-state.json');

/** The saved size and position, or undefined when there is none or it cannot be read. */
export function loadWindowState(file: string): WindowState | undefined {
  try {
    const parsed = WindowState.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
  renameSync(tmp, file);
}

/** Least part of the title bar that must be on a screen for a saved position to be reused. */
const VISIBLE = { width: 120, height: 40 };

/**
 * Where to open the window: the saved bounds if enough of the window is on one of today's
 * screens (a display may have been unplugged since), else the saved size, centred, shrunk to fit.
 */
export function placeWindow(saved: WindowState | undefined, workAreas: readonly Rect[], fallback: { width: number; height: number }): Partial<Rect> & { width: number; height: number } {
  const primary = workAreas[0];
  const size = saved ?? fallback;
  const fit = (r: { width: number; height: number }) =>
    primary ? { width: Math.min(r.width, primary.width), height: Math.min(r.height, primary.height) } : { width: r.width, height: r.height };
  if (!saved) return fit(size);
  const onScreen = workAreas.some((a) => overlap(a, saved).width >= VISIBLE.width && overlap(a, { ...saved, height: VISIBLE.height }).height >= VISIBLE.height);
  return onScreen ? { x: saved.x, y: saved.y, width: saved.width, height: saved.height } : fit(size);
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/helpers';
import { loadWindowState, placeWindow, saveWindowState, windowStateFile } from './window-state';

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
const folder = () => {
  const d = tempDir('aa-window-');
  dirs.push(d);
  return d.dir;
};
const laptop = { x: 0, y: 25, width: 1440, height: 875 };
const external = { x: 1440, y: 0, width: 2560, height: 1415 };

describe('window state', () => {
  it('is saved in the data folder and read back', () => {
    const file = windowStateFile(folder());
    saveWindowState(file, { x: 100, y: 80, width: 1200, height: 800, maximized: true, fullScreen: false });
    expect(loadWindowState(file)).toEqual({ x: 100, y: 80, width: 1200, height: 800, maximized: true, fullScreen: false });
  });

  it('ignores a missing or damaged file', () => {
    const dir = folder();
    expect(loadWindowState(join(dir, 'none.json'))).toBeUndefined();
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"x": "left"}');
    expect(loadWindowState(file)).toBeUndefined();
  });

  it('reopens where it was when that place is still on a screen', () => {
    const saved = { x: 1600, y: 100, width: 1200, height: 800, maximized: false, fullScreen: false };
    expect(placeWindow(saved, [laptop, external], { width: 1280, height: 820 })).toEqual({ x: 1600, y: 100, width: 1200, height: 800 });
  });

  it('comes back onto the screen when the display it was on is gone, shrunk to fit', () => {
    const saved = { x: 1600, y: 100, width: 2000, height: 1200, maximized: false, fullScreen: false };
    expect(placeWindow(saved, [laptop], { width: 1280, height: 820 })).toEqual({ width: 1440, height: 875 });
    expect(placeWindow(undefined, [laptop], { width: 1280, height: 820 })).toEqual({ width: 1280, height: 820 });
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP, secureWebPreferences } from './secure-preferences';

const dir = import.meta.dirname;
const sourceFiles = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
const read = (f: string) => readFileSync(join(dir, f), 'utf8');

describe('window security', () => {
  it('every window preference set is the locked-down one', () => {
    expect(secureWebPreferences('/p.cjs')).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
    });
  });

  it('windows are made only by createSecureWindow, whose literal preferences are the locked-down ones', () => {
    for (const f of sourceFiles) {
      const count = read(f).match(/new BrowserWindow\(/g)?.length ?? 0;
      expect([f, count]).toEqual([f, f === 'secure-window.ts' ? 1 : 0]);
    }
    const src = read('secure-window.ts');
    const literal = /new BrowserWindow\(\{\s*\.\.\.options,\s*webPreferences: \{([^}]*)\},\s*\}\)/.exec(src)?.[1];
    expect(literal, 'createSecureWindow spreads the options first, then its own webPreferences').toBeDefined();
    const entries = literal!
      .split(/,\s*/)
      .map((e) => e.trim())
      .filter(Boolean);
    const expected = Object.entries(secureWebPreferences('x')).map(([k, v]) => (k === 'preload' ? 'preload' : `${k}: ${typeof v === 'string' ? `'${v}'` : String(v)}`));
    expect(entries.sort()).toEqual(expected.sort());
    // Nowhere else in the shell does anything set web preferences.
    for (const f of sourceFiles.filter((x) => x !== 'secure-window.ts' && x !== 'secure-preferences.ts')) {
      expect(read(f), f).not.toMatch(/webPreferences\s*:|(nodeIntegration|contextIsolation|sandbox|webSecurity)\s*:\s*(true|false)/);
    }
  });

  it('every window blocks navigation, new windows and webviews, and the session denies permissions', () => {
    const creators = sourceFiles.filter((f) => f !== 'secure-window.ts' && /createSecureWindow\(/.test(read(f)));
    expect(creators.length).toBeGreaterThan(0);
    for (const f of creators) {
      const src = read(f);
      expect(src, f).toMatch(/on\('will-navigate',\s*\(event\)\s*=>\s*event\.preventDefault\(\)\)/);
      expect(src, f).toMatch(/on\('will-attach-webview',\s*\(event\)\s*=>\s*event\.preventDefault\(\)\)/);
      expect(src, f).toMatch(/setWindowOpenHandler\([\s\S]*?return \{ action: 'deny' \}/);
    }
    const window = read('window.ts');
    expect(window).toMatch(/setPermissionRequestHandler\(\(_wc, _permission, callback\) => callback\(false\)\)/);
    expect(window).toMatch(/setPermissionCheckHandler\(\(\) => false\)/);
    expect(read('index.ts')).toMatch(/requestSingleInstanceLock\(\)/);
    const all = sourceFiles.map(read).join('\n');
    // Only https links leave the app, and only to the user's browser.
    for (const m of all.matchAll(/openExternal\(/g)) {
      expect(all.slice(Math.max(0, m.index - 80), m.index)).toMatch(/\/\^https:\\\/\\\/\/\.test\(url\)/);
    }
    // Nothing runs code in the page or opens the Node side to it.
    expect(all).not.toMatch(/executeJavaScript|allowpopups|enableRemoteModule|experimentalFeatures|enableBlinkFeatures|webviewTag:\s*true/);
  });

  it('the content security policy allows no remote or inline script', () => {
    expect(RENDERER_CSP).toContain("script-src 'self'");
    expect(RENDERER_CSP).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|https?:/);
  });
});

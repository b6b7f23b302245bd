import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RENDERER_CSP, secureWebPreferences } from './secure-window';

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
    });
  });

  it('no BrowserWindow in the desktop shell is created with other preferences', () => {
    const dir = import.meta.dirname;
    const sources = readdirSync(dir)
      // secure-window.ts is where the locked-down values are defined.
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'secure-window.ts')
      .map((f) => readFileSync(join(dir, f), 'utf8'));
    const all = sources.join('\n');
    const creations = all.match(/new BrowserWindow\(/g) ?? [];
    expect(creations.length).toBeGreaterThan(0);
    // Each window takes its webPreferences from secureWebPreferences and nothing overrides them.
    expect(all.match(/webPreferences:\s*secureWebPreferences\(/g)?.length).toBe(creations.length);
    expect(all).not.toMatch(/(nodeIntegration|contextIsolation|sandbox|webSecurity)\s*:\s*(true|false)/);
  });

  it('the content security policy allows no remote or inline script', () => {
    expect(RENDERER_CSP).toContain("script-src 'self'");
    expect(RENDERER_CSP).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|https?:/);
  });
});

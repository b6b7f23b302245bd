import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from './import-rules';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx|mts)$/.test(d.name) ? [p] : [];
  });
}

describe('import rules', () => {
  it('the source tree follows them', () => {
    const root = join(import.meta.dirname, '..');
    const files = sourceFiles(join(root, 'src'));
    expect(files.length).toBeGreaterThan(20);
    const problems = files.flatMap((f) => checkFile(relative(root, f), readFileSync(f, 'utf8')));
    expect(problems).toEqual([]);
  });

  it.each([
    ['src/main/core/x.ts', "import { app } from 'electron';", /only the desktop shell and preload/],
    ['src/main/core/x.ts', "const e = require('electron');", /only the desktop shell and preload/],
    ['src/main/core/x.ts', "import { h } from '../server/host';", /core must not import server/],
    ['src/main/core/x.ts', "import type { W } from '../desktop/window';", /core must not import desktop/],
    ['src/renderer/src/x.ts', "import { createCore } from '../../main/core/composition/app-core';", /renderer must not import core/],
    ['src/renderer/src/x.ts', "import { readFileSync } from 'node:fs';", /must not import Node built-ins/],
    ['src/renderer/src/x.ts', "export * from '../../preload/index';", /renderer must not import preload/],
    ['src/preload/index.ts', "import pino from 'pino';", /preload may import only electron/],
    ['src/preload/index.ts', "const m = await import('../main/core/paths');", /preload must not import core/],
    ['src/shared/x.ts', "import { Task } from '../main/core/tasks/task-service';", /shared must not import core/],
    ['src/shared/x.ts', "import yaml from 'yaml';", /shared may import only zod/],
    ['src/main/server/x.ts', "import { bindContract } from '../desktop/ipc';", /server must not import desktop/],
    ['src/renderer/src/x.ts', "import c from '../../../resources/models/catalogue.json';", /outside src/],
  ])('catches %s importing %s', (file, source, message) => {
    expect(checkFile(file, source).join('\n')).toMatch(message);
  });

  it('lets each layer import what DESIGN.md allows', () => {
    expect(checkFile('src/main/desktop/x.ts', "import { app } from 'electron';\nimport { createCore } from '../core/composition/app-core';")).toEqual([]);
    expect(checkFile('src/renderer/src/x.ts', "import { z } from 'react';\nimport { channels } from '../../shared/contract';")).toEqual([]);
    expect(checkFile('src/preload/index.ts', "import { contextBridge } from 'electron';\nimport { channels } from '../shared/contract';")).toEqual([]);
    expect(checkFile('src/cli/x.ts', "import { startHeadlessHost } from '../main/server/host';")).toEqual([]);
    expect(checkFile('src/main/core/models/c.ts', "import c from '../../../../resources/models/catalogue.json';")).toEqual([]);
  });
});

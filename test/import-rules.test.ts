import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { checkFile, KNOWN_CORE_EXCEPTIONS, KNOWN_UNREADABLE_IMPORTS, specifiers, unreadableImports } from './import-rules';

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
    // Every layer's forbidden neighbours, and every way of importing them.
    ['src/main/desktop/x.ts', "import { App } from '../../renderer/src/App';", /desktop must not import renderer/],
    ['src/main/desktop/x.ts', "const { run } = await import('../../cli/main');", /desktop must not import cli/],
    ['src/main/server/x.ts', "import { run } from '../../cli/main';", /server must not import cli/],
    ['src/main/server/x.ts', "import { BrowserWindow } from 'electron';", /only the desktop shell and preload/],
    ['src/cli/x.ts', "import { createWindow } from '../main/desktop/window';", /cli must not import desktop/],
    ['src/cli/x.ts', "export { App } from '../renderer/src/App';", /cli must not import renderer/],
    ['src/renderer/src/x.ts', "const core = import('../../main/core/paths');", /renderer must not import core/],
    ['src/renderer/src/x.ts', "import type { HeadlessHost } from '../../main/server/host';", /renderer must not import server/],
    ['src/main/core/x.ts', "import { tempDir } from '../../../test/helpers';", /outside src/],
    ['src/shared/x.ts', "export * as api from '../main/server/api/routes';", /shared must not import server/],
  ])('catches %s importing %s', (file, source, message) => {
    expect(checkFile(file, source).join('\n')).toMatch(message);
  });

  // Direction inside the core: db and journal at the bottom, orchestration above the services,
  // composition alone wires everything. Static, re-exported and dynamic imports alike.
  it.each([
    ['src/main/core/db/queries/x.ts', "import { TaskEngine } from '../../engine/engine';", /db is at the bottom of the core and must not import engine/],
    ['src/main/core/journal/x.ts', "import type { ModelService } from '../models/model-service';", /journal is at the bottom of the core and must not import models/],
    ['src/main/core/db/x.ts', "const m = await import('../provenance/chain');", /db is at the bottom of the core and must not import provenance/],
    ['src/main/core/journal/x.ts', "export { sign } from '../provenance/service';", /journal is at the bottom/],
    ['src/main/core/models/x.ts', "import type { StepContext } from '../engine/step';", /models is below engine and must not import it/],
    ['src/main/core/workspace/x.ts', "import { AgentLoop } from '../agent/loop';", /workspace is below agent/],
    ['src/main/core/tools/x.ts', "import { Council } from '../council/council';", /tools is below council/],
    ['src/main/core/caws/x.ts', "const { Planner } = await import('../planner/planner');", /caws is below planner/],
    ['src/main/core/provenance/x.ts', 'const p = import(`../planner/planner`);', /provenance is below planner/],
    ['src/main/core/engine/x.ts', "import { createCore } from '../composition/app-core';", /only the composition root wires the core; engine must not import composition/],
    ['src/main/core/api/x.ts', "import { productionSteps } from '../composition/production-steps';", /api must not import composition/],
    ['src/main/core/common/x.ts', "import type { Journal } from '../journal/journal';\nimport { sandbox } from '../sandbox';", /common is at the bottom of the core and must not import sandbox/],
    ['src/main/core/observability/x.ts', "const c = require('../composition/app-core');", /observability is at the bottom of the core and must not import composition/],
    ['src/main/core/knowledge/x.ts', "import {\n  Council,\n  type Verdict,\n} from '../council/council';", /knowledge is below council/],
    ['src/main/core/retrieval/x.ts', "export * from '../agent/loop';", /retrieval is below agent/],
    ['src/main/core/federation/x.ts', "import '../engine/engine';", /federation is below engine/],
    ['src/main/core/core.ts', "import { createCore } from './composition/app-core';", /only the composition root wires the core; core.ts must not import composition/],
  ])('catches %s: %s', (file, source, message) => {
    expect(checkFile(file, source).join('\n')).toMatch(message);
  });

  it('lets the core import downwards, and composition import everything', () => {
    expect(checkFile('src/main/core/engine/x.ts', "import { getTask } from '../db/queries/tasks';\nimport type { Clock } from '../journal/journal';")).toEqual([]);
    expect(checkFile('src/main/core/governance-steps/x.ts', "import { Council } from '../council/council';\nimport { Planner } from '../planner/planner';")).toEqual([]);
    expect(checkFile('src/main/core/composition/x.ts', "import { AgentLoop } from '../agent/loop';\nimport { TaskEngine } from '../engine/engine';")).toEqual([]);
    expect(checkFile('src/main/core/db/queries/x.ts', "import { canonicalHash } from '../canonical';\nimport type { Logger } from '../../observability/logger';")).toEqual([]);
    // Tests may build whole cores.
    expect(checkFile('src/main/core/models/x.test.ts', "import { createCore } from '../composition/app-core';")).toEqual([]);
  });

  it.each([
    ['src/main/core/x.ts', 'const m = await import(modulePath);'],
    ['src/main/core/engine/x.ts', 'const m = await import(`../${folder}/index`);'],
    ['src/main/server/x.ts', 'const m = require(name);'],
    ['src/renderer/src/x.ts', 'const page = import(\n  pages[name]\n);'],
  ])('refuses a computed import the rules cannot follow in %s', (file, source) => {
    expect(checkFile(file, source).join('\n')).toMatch(/imports a computed specifier/);
  });

  it('lets literal dynamic imports, method calls named require, and tests through', () => {
    expect(checkFile('src/main/core/x.ts', "const m = await import('./y');\nconst t = await import(`./z`);\nthis.require(id); registry.require(name);\nclass A { private require(id: string): Job { return x; } }")).toEqual([]);
    expect(checkFile('src/main/core/x.test.ts', 'const m = await import(path);')).toEqual([]);
  });

  it('each file allowed a computed import still has one (remove it from the list once it has none)', () => {
    const root = join(import.meta.dirname, '..');
    for (const k of KNOWN_UNREADABLE_IMPORTS) {
      expect(unreadableImports('elsewhere.ts', readFileSync(join(root, k.file), 'utf8')), k.file).not.toEqual([]);
    }
  });

  it('each known crossing inside the core still exists (remove it from the list once fixed)', () => {
    const root = join(import.meta.dirname, '..');
    for (const e of KNOWN_CORE_EXCEPTIONS) {
      expect(existsSync(join(root, e.from)), e.from).toBe(true);
      const targets = specifiers(readFileSync(join(root, e.from), 'utf8')).map((s) => join(e.from, '..', s));
      expect(targets, `${e.from} -> ${e.to}`).toContain(e.to);
    }
  });

  it('lets each layer import what DESIGN.md allows', () => {
    expect(checkFile('src/main/desktop/x.ts', "import { app } from 'electron';\nimport { createCore } from '../core/composition/app-core';")).toEqual([]);
    expect(checkFile('src/renderer/src/x.ts', "import { z } from 'react';\nimport { channels } from '../../shared/contract';")).toEqual([]);
    expect(checkFile('src/preload/index.ts', "import { contextBridge } from 'electron';\nimport { channels } from '../shared/contract';")).toEqual([]);
    expect(checkFile('src/cli/x.ts', "import { startHeadlessHost } from '../main/server/host';")).toEqual([]);
    expect(checkFile('src/main/core/models/c.ts', "import c from '../../../../resources/models/catalogue.json';")).toEqual([]);
  });
});

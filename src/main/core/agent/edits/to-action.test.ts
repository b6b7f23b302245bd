import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage, GenerateOptions, Generation, ModelClient } from '../../models/types';
import { silentLogger } from '../../observability/logger';
import { proposeAction } from '../propose';
import { parseTextAction, type TextEditAction } from './format';
import { resolveTextAction, type ReadText } from './to-action';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function repo(files: Record<string, string>): { dir: string; read: ReadText; readFile: (p: string) => Promise<{ data: Buffer; sha256: string } | null> } {
  const dir = mkdtempSync(join(tmpdir(), 'to-action-'));
  dirs.push(dir);
  for (const [p, t] of Object.entries(files)) writeFileSync(join(dir, p), t);
  const readFile = async (p: string) => {
    const f = join(dir, p);
    if (!existsSync(f)) return null;
    const data = readFileSync(f);
    return { data, sha256: createHash('sha256').update(data).digest('hex') };
  };
  return { dir, readFile, read: async (p) => {
    const f = await readFile(p);
    return f ? { text: f.data.toString('utf8'), sha256: f.sha256 } : null;
  } };
}

const action = (text: string): TextEditAction => {
  const r = parseTextAction(text, { tools: false });
  if (!r.ok || r.action.action === 'tool_call') throw new Error(r.ok ? 'tool' : r.message);
  return r.action;
};

const HEAD = 'ACTION: edit\nREASON: fix it\nCONFIDENCE: 0.7\nCRITERIA: A1\n';

describe('resolveTextAction', () => {
  it('places blocks in the current file and returns a whole-file write expecting the hash it was placed in', async () => {
    const r = repo({ 'a.js': 'const a = 1;\r\nconst b = 2;\r\n' });
    const out = await resolveTextAction(action(`${HEAD}EDIT a.js\n<<<<<<< SEARCH\nconst b = 2;\n=======\nconst b = 3;\n>>>>>>> REPLACE\nWRITE new.js\n<<<<<<< CONTENT\nexport {};\n>>>>>>> END\n`), r.read);
    if (!out.ok) throw new Error(out.message);
    expect(out.action).toMatchObject({ action: 'write', criteria_met: ['A1'], edits: [{ op: 'write', path: 'a.js', content: 'const a = 1;\r\nconst b = 3;\r\n' }, { op: 'write', path: 'new.js', content: 'export {};\n' }] });
    expect(out.seen.get('a.js')).toBe(createHash('sha256').update('const a = 1;\r\nconst b = 2;\r\n').digest('hex'));
  });

  it('refuses the whole action with every reason when a block cannot be placed', async () => {
    const r = repo({ 'a.js': 'x\ny\nx\n' });
    const out = await resolveTextAction(action(`${HEAD}EDIT a.js\n<<<<<<< SEARCH\nx\n=======\nz\n>>>>>>> REPLACE\nEDIT missing.js\n<<<<<<< SEARCH\nq\n=======\nr\n>>>>>>> REPLACE\n`), r.read);
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.message).toContain('a.js: the SEARCH block matches 2 places (lines 1, 3)');
      expect(out.message).toContain('missing.js does not exist; create it with WRITE');
    }
  });

  it('refuses rewriting a long existing file whole', async () => {
    const r = repo({ 'big.js': 'x\n'.repeat(500) });
    const out = await resolveTextAction(action(`${HEAD}WRITE big.js\n<<<<<<< CONTENT\ny\n>>>>>>> END\n`), r.read);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.message).toMatch(/500 lines; change it with EDIT/);
  });
});

/** Scripted words only: the answers a model gives, in order; the machinery around them is real. */
function scriptedChat(answers: string[]): ModelClient & { seen: ChatMessage[][]; options: GenerateOptions[] } {
  const seen: ChatMessage[][] = [];
  const options: GenerateOptions[] = [];
  const gen = (text: string): Generation => ({ text, tokens: text.length, model: 'scripted', durationMs: 0 });
  return {
    seen,
    options,
    chat: async (m: ChatMessage[], o: GenerateOptions = {}) => {
      seen.push(m);
      options.push(o);
      return gen(answers.shift() ?? 'ACTION: no-op\nREASON: out of script\nCONFIDENCE: 0.0\nCRITERIA:\n');
    },
    complete: async () => gen(''),
    generateJson: async () => Promise.reject(new Error('not used')),
    embed: async () => [],
    countTokens: async (t: string) => t.length,
  };
}

describe('proposeAction in the text format', () => {
  it('asks under the grammar, tells the model exactly why a block missed, and returns the placed edit on the retry', async () => {
    const r = repo({ 'a.js': 'function f() {\n  return 1;\n}\n' });
    const model = scriptedChat([
      `${HEAD}EDIT a.js\n<<<<<<< SEARCH\n  return 2;\n=======\n  return 3;\n>>>>>>> REPLACE\n`,
      `${HEAD}EDIT a.js\n<<<<<<< SEARCH\n  return 1;\n=======\n  return 3;\n>>>>>>> REPLACE\n`,
    ]);
    const proposal = await proposeAction(
      { model, logger: silentLogger(), taskId: 't1', editFormat: 'text', workspace: { readFile: r.readFile }, maxInvalidRetries: 2 },
      [{ role: 'user', content: 'make f return 3' }],
      false,
    );
    expect(model.options[0]!.grammar).toContain('root ::=');
    expect(model.seen[1]!.at(-1)!.content).toMatch(/a\.js: the SEARCH block was not found[\s\S]*2\| {3}return 1;/);
    expect(proposal).toMatchObject({ ok: true, action: { action: 'write', edits: [{ op: 'write', path: 'a.js', content: 'function f() {\n  return 3;\n}\n' }] } });
    // Nothing was written: the workspace changes only through the loop's changeset.
    expect(readFileSync(join(r.dir, 'a.js'), 'utf8')).toBe('function f() {\n  return 1;\n}\n');
  });

  it('gives up with the last reason after the retries, so the next iteration is told', async () => {
    const model = scriptedChat(['nonsense', 'still nonsense']);
    const proposal = await proposeAction({ model, logger: silentLogger(), taskId: 't1', editFormat: 'text', maxInvalidRetries: 1 }, [{ role: 'user', content: 'x' }], false);
    expect(proposal).toMatchObject({ ok: false, outcome: 'invalid_output' });
    if (!proposal.ok) expect(proposal.message).toMatch(/not a valid action: line 1 \("still nonsense"\).*after 2 attempts/);
  });
});

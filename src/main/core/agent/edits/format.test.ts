import { describe, expect, it } from 'vitest';
import { parseTextAction, renderTextAction, type TextEditAction } from './format';

const ANSWER = `ACTION: edit
REASON: Round the total.
CONFIDENCE: 0.8
CRITERIA: A1 A2
EDIT src/total.js
<<<<<<< SEARCH
  return "sum";
=======
  return Math.round(sum); // "quoted" \\n stays as written
>>>>>>> REPLACE
<<<<<<< SEARCH
const a = 1;
=======
const a = 2;
>>>>>>> REPLACE
WRITE src/new.js
<<<<<<< CONTENT
export const x = 1;
>>>>>>> END
DELETE src/old.js
RENAME src/a.js -> src/b.js
`;

describe('parseTextAction', () => {
  it('reads headers, SEARCH/REPLACE blocks (code as written), writes, deletes and renames', () => {
    const r = parseTextAction(ANSWER, { tools: false });
    if (!r.ok) throw new Error(r.message);
    expect(r.action).toEqual({
      action: 'edit',
      reason: 'Round the total.',
      confidence: 0.8,
      criteria_met: ['A1', 'A2'],
      edits: [
        {
          op: 'replace',
          path: 'src/total.js',
          blocks: [
            { search: '  return "sum";\n', replace: '  return Math.round(sum); // "quoted" \\n stays as written\n' },
            { search: 'const a = 1;\n', replace: 'const a = 2;\n' },
          ],
        },
        { op: 'write', path: 'src/new.js', content: 'export const x = 1;\n' },
        { op: 'delete', path: 'src/old.js' },
        { op: 'rename', path: 'src/a.js', to: 'src/b.js' },
      ],
    });
  });

  it('round-trips what renderTextAction writes', () => {
    const r = parseTextAction(ANSWER, { tools: false });
    if (!r.ok) throw new Error(r.message);
    const again = parseTextAction(renderTextAction(r.action as TextEditAction), { tools: false });
    expect(again).toEqual(r);
  });

  it('tolerates what a model writes without a grammar: fences, key case, marker lengths, quoted paths', () => {
    const loose = '```\naction: Edit\nreason: fix\nconfidence: 1\nFILE: `./src/a.js`\n<<<<<<<< SEARCH\nold\n========\nnew\n>>>>>>>> REPLACE\n```\n';
    const r = parseTextAction(loose, { tools: false });
    if (!r.ok) throw new Error(r.message);
    expect(r.action).toMatchObject({ action: 'edit', edits: [{ op: 'replace', path: 'src/a.js', blocks: [{ search: 'old\n', replace: 'new\n' }] }] });
  });

  it('refuses answers that are not a valid action, naming what is wrong', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"action":"patch"}', /line 1/],
      ['ACTION: edit\nREASON: x\nCONFIDENCE: 0.5\n', /edits.*at least one/],
      ['ACTION: no-op\nREASON: done\nCONFIDENCE: 3\n', /confidence.*between 0 and 1/],
      ['ACTION: no-op\nCONFIDENCE: 0.5\n', /reason/],
      ['ACTION: edit\nREASON: x\nCONFIDENCE: 0.5\nEDIT a.js\n<<<<<<< SEARCH\nold\n=======\nnew\n', /never ends.*cut off/],
      ['ACTION: edit\nREASON: x\nCONFIDENCE: 0.5\nEDIT a.js\n<<<<<<< SEARCH\nold\n>>>>>>> REPLACE\n', /no "=======" line/],
      ['ACTION: edit\nREASON: x\nCONFIDENCE: 0.5\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n', /must follow an "EDIT path"/],
      ['ACTION: shrug\nREASON: x\nCONFIDENCE: 0.5\n', /ACTION: must be one of/],
      ['ACTION: tool_call\nREASON: look\nTOOL: fs.read\nARGS: {}\n', /no tools are available/],
    ];
    for (const [text, pattern] of cases) {
      const r = parseTextAction(text, { tools: false });
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.message, text).toMatch(pattern);
    }
  });

  it('reads a tool call with JSON arguments when tools are offered', () => {
    const r = parseTextAction('ACTION: tool_call\nREASON: look\nTOOL: fs.read_file\nARGS: {"path":"a.js"}\n', { tools: true });
    expect(r).toEqual({ ok: true, action: { action: 'tool_call', tool: 'fs.read_file', reason: 'look', args: { path: 'a.js' } } });
    const bad = parseTextAction('ACTION: tool_call\nREASON: look\nTOOL: fs.read_file\nARGS: {oops\n', { tools: true });
    expect(bad.ok).toBe(false);
  });

  it('refuses a SEARCH block with two "=======" lines rather than guess where SEARCH ends', () => {
    // An reStructuredText heading underline inside the old text: either divider could be the real one.
    const answer = 'ACTION: edit\nREASON: r\nCONFIDENCE: 0.5\nCRITERIA:\nEDIT docs/options.rst\n<<<<<<< SEARCH\nOptions\n=======\n\nintro\n=======\nOptions\n=========\n\nintro\n>>>>>>> REPLACE\n';
    const r = parseTextAction(answer, { tools: false });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/more than one "=======" line \(line 11 too\)/);
  });
});

import { describe, expect, it } from 'vitest';
import { applyReplacements } from './apply';

/** Where a context line the model left out of SEARCH (and so of REPLACE) goes against its new lines. */
describe('a context line left out of SEARCH, next to a change', () => {
  it('keeps it before lines that are modified copies of the deleted lines after it', () => {
    const file = '{\n  "name": "ky",\n  "version": "2.0.1",\n  "type": "module"\n}\n';
    const r = applyReplacements('package.json', file, [{ search: '{\n  "version": "2.0.1",\n  "type": "module"\n', replace: '{\n  "version": "2.0.2",\n  "type": "module"\n' }]);
    expect(r.ok && r.text).toBe(file.replace('2.0.1', '2.0.2'));
  });

  it('splits new lines between deleted lines on both sides of it by which they were made from', () => {
    const file = 'start();\nconst width = measureWidth(box);\n// unchanged note\nconst height = measureHeight(box);\nend();\n';
    const r = applyReplacements('m.js', file, [
      {
        search: 'start();\nconst width = measureWidth(box);\nconst height = measureHeight(box);\nend();\n',
        replace: 'start();\nconst width = measureWidth(box, dpi);\nconst height = measureHeight(box, dpi);\nend();\n',
      },
    ]);
    expect(r.ok && r.text).toBe('start();\nconst width = measureWidth(box, dpi);\n// unchanged note\nconst height = measureHeight(box, dpi);\nend();\n');
  });

  it('places new lines drawn after it there, though they could slide over a blank line up to it', () => {
    // The model left out "});" closing the test before; its new test starts after the blank line.
    const file = "\tt.is(count, 5);\n});\n\ntest('old', t => {\n\tt.pass();\n});\n";
    const search = "\tt.is(count, 5);\n\ntest('old', t => {\n";
    const replace = "\tt.is(count, 5);\n\ntest('new', t => {\n\tt.true(true);\n});\n\ntest('old', t => {\n";
    const r = applyReplacements('test.ts', file, [{ search, replace }]);
    expect(r.ok && r.text).toBe("\tt.is(count, 5);\n});\n\ntest('new', t => {\n\tt.true(true);\n});\n\ntest('old', t => {\n\tt.pass();\n});\n");
  });

  it('refuses when deleted lines lie on one side and some new line is no copy of them (it may belong on the other side)', () => {
    // The real change put the new paragraph before "Notes:" and rewrote the list after it; from the
    // model's text alone the paragraph could go on either side, so nothing is written.
    const file = [
      'Useful with ky.extend() to create instances.',
      '',
      'Notes:',
      ' - After `prefixUrl` and `input` are joined, the result is resolved against the base URL of the page.',
      ' - Leading slashes in `input` are disallowed when using this option.',
      '',
      '@example',
      '',
    ].join('\n');
    const search = ['Useful with ky.extend() to create instances.', '', ' - After `prefixUrl` and `input` are joined, the result is resolved against the base URL of the page.', ' - Leading slashes in `input` are disallowed when using this option.', '', '@example', ''].join('\n');
    const replace = [
      'Useful with ky.extend() to create instances.',
      '',
      '*In most cases, you should use the `baseUrl` option instead, as the result is resolved against the page.*',
      '',
      ' - The `prefix` and `input` are joined with a slash.',
      ' - After `prefix` and `input` are joined, the result is resolved against the `baseUrl` option.',
      '',
      '@example',
      '',
    ].join('\n');
    const r = applyReplacements('options.ts', file, [{ search, replace }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/line 3 \("Notes:"\) is in the file but not in the SEARCH text/);
  });
});

/** Deleted lines on one side of the left-out line: new lines before their modified copy go with it. */
describe('a left-out context line next to a changed line', () => {
  // The model left out "});", closing the test it edits; its new comment comes before the changed line.
  const file = "test('length', async t => {\n\tconst error = await t.throwsAsync(request);\n\tt.is(error.cause?.code, 'MISMATCH');\n});\n\ntest('next', t => {\n";
  const search = "\tconst error = await t.throwsAsync(request);\n\tt.is(error.cause?.code, 'MISMATCH');\n\ntest('next', t => {\n";

  it('puts a new comment line with the modified line it stands before, on the deleted line\'s side', () => {
    const replace = "\tconst error = await t.throwsAsync(request);\n\t// The cause is wrapped one level deeper.\n\tt.is(error.cause?.cause?.code, 'MISMATCH');\n\ntest('next', t => {\n";
    const r = applyReplacements('test.ts', file, [{ search, replace }]);
    expect(r.ok && r.text).toBe(file.replace("\tt.is(error.cause?.code, 'MISMATCH');\n", "\t// The cause is wrapped one level deeper.\n\tt.is(error.cause?.cause?.code, 'MISMATCH');\n"));
  });

  it('refuses when the new line after the modified one is like no deleted line (it may follow the left-out line)', () => {
    // The model left out "await server.close();": is the new log line before or after it? Both read well.
    const withClose = file.replace("'MISMATCH');\n", "'MISMATCH');\n\tawait server.close();\n");
    const replace = "\tconst error = await t.throwsAsync(request);\n\tt.is(error.cause?.cause?.code, 'MISMATCH');\n\tconsole.log('done');\n});\n";
    const r = applyReplacements('test.ts', withClose, [{ search: "\tconst error = await t.throwsAsync(request);\n\tt.is(error.cause?.code, 'MISMATCH');\n});\n", replace }]);
    expect(r.ok).toBe(false);
  });

  it('puts a new line with the changed line before a left-out closing bracket (after it the line would hang under nothing)', () => {
    const replace = "\tconst error = await t.throwsAsync(request);\n\tt.is(error.cause?.cause?.code, 'MISMATCH');\n\tconsole.log('done');\n\ntest('next', t => {\n";
    const r = applyReplacements('test.ts', file, [{ search, replace }]);
    expect(r.ok && r.text).toBe(file.replace("\tt.is(error.cause?.code, 'MISMATCH');\n", "\tt.is(error.cause?.cause?.code, 'MISMATCH');\n\tconsole.log('done');\n"));
  });

  it('pairs alike deleted lines in order with their rewritten copies, so a new line before them goes with them', () => {
    const py = ['@pytest.mark.parametrize(', '    [', '        ("--bounds", "(Possible options: --bound, --count)"),', '        ("--bount", "(Possible options: --bound, --count)"),', '    ],', ')', ''].join('\n');
    const s = ['@pytest.mark.parametrize(', '    [', '        ("--bounds", "(Possible options: --bound, --count)"),', '        ("--bount", "(Possible options: --bound, --count)"),', ')', ''].join('\n');
    const rep = ['@pytest.mark.parametrize(', '    [', '        ("--cat", "Did you mean \'--count\'?"),', '        ("--bounds", "(Did you mean one of: \'--bound\', \'--count\'?)"),', '        ("--bount", "(Did you mean one of: \'--bound\', \'--count\'?)"),', ')', ''].join('\n');
    const r = applyReplacements('t.py', py, [{ search: s, replace: rep }]);
    expect(r.ok && r.text).toBe(rep.replace(')\n', '    ],\n)\n'));
  });

  it('refuses when a line moved across the left-out line makes resemblance and structure disagree', () => {
    // "\t\t});" is left out; the rewrite nests everything one level deeper, so the new "response.end();"
    // looks like a copy of the deleted one after it, while the structure wants it before.
    const file = ["test('a', async t => {", "\tserver.get('/', (_request, response) => {", '\t\tresponse.writeHead(302, {', "\t\t\tlocation: 'https://example.com/',", '\t\t});', '\t\tresponse.end();', '\t});', '', "\tconst {headers} = await got('');", '});', ''].join('\n');
    const s = file.replace('\t\t});\n', '');
    const rep = ["test('a', async t => {", '\tawait withServer.exec(t, async (t, server2) => {', "\t\tserver1.get('/', (_request, response) => {", '\t\t\tresponse.writeHead(302, {', '\t\t\t\tlocation: `http://localhost:${server2.port}/`,', '\t\t\t});', '\t\t\tresponse.end();', '', "\t\tconst {headers} = await got('');", '\t});', '});', ''].join('\n');
    expect(applyReplacements('t.ts', file, [{ search: s, replace: rep }]).ok).toBe(false);
  });

  it('refuses when the deleted lines come back twice (code moved and repeated says nothing about which copy stays)', () => {
    const py = ['    if locate:', '        args = ["explorer", url]', '    else:', '        args = ["start", url]', '    try:', '        return subprocess.call(args)', '    except OSError:', '        return 127', ''].join('\n');
    const s = ['    if locate:', '        args = ["explorer", url]', '        args = ["start", url]', '    try:', '        return subprocess.call(args)', '    except OSError:', '        return 127', ''].join('\n');
    const rep = ['    if locate:', '        args = ["explorer", url]', '        try:', '            return subprocess.call(args)', '        except OSError:', '            return 127', '        try:', '            os.startfile(url)', '        except OSError:', '            return 127', '        return 0', ''].join('\n');
    const r = applyReplacements('t.py', py, [{ search: s, replace: rep }]);
    expect(r.ok).toBe(false);
  });

  it('refuses when the only resemblance is a comment of another kind (text moved into a new comment, not the line rewritten)', () => {
    const ts = ['}', '', '/**', ' * A token that changes whenever the database may have changed: rows written by this connection', ' * or a commit by another one.', ' */', ''].join('\n');
    const s = ['}', '', ' * A token that changes whenever the database may have changed: rows written by this connection', ' * or a commit by another one.', ' */', ''].join('\n');
    const rep = ['}', '', '// Together these say whether the database may have changed: rows written by this connection', 'export const x = 1;', '', ' * Changes when another connection commits.', ' */', ''].join('\n');
    const r = applyReplacements('t.ts', ts, [{ search: s, replace: rep }]);
    expect(r.ok).toBe(false);
  });

  it('refuses when a new line looks like a deleted line only out of order (it may be new, before the left-out line)', () => {
    const md = ['```js', "import got from 'got';", "import {chunk, chunkFromAsync} from 'chunk-data';", "import {Readable} from 'node:stream';", '```', ''].join('\n');
    const s = ['```js', "import {chunk, chunkFromAsync} from 'chunk-data';", "import {Readable} from 'node:stream';", '```', ''].join('\n');
    const rep = ['```js', "import fs from 'node:fs';", "import {chunkFromAsync} from 'chunk-data';", '```', ''].join('\n');
    const r = applyReplacements('doc.md', md, [{ search: s, replace: rep }]);
    expect(r.ok).toBe(false);
  });
});

/** New lines alone next to a left-out line: the readings the block structure leaves must give one text. */
describe('a left-out context line next to new lines alone', () => {
  // A file whose blocks end with closing brackets (so a line less indented than the one before it closes a block).
  const earlier = ['one', 'two', 'three', 'four', 'five'].map((name) => `test('${name}', t => {\n\tt.pass();\n});\n\n`).join('');
  const tests = `${earlier}test('count', t => {\n\tt.is(count, 1);\n});\n\ntest('old', async t => {\n\tconst server = 1;\n\tt.is(server, 1);\n});\n`;
  // The model left out "test('old', async t => {" and adds a whole test before it.
  const search = "\tt.is(count, 1);\n});\n\n\tconst server = 1;\n";
  const added = "test('new', async t => {\n\tconst server = 2;\n\tt.is(server, 2);\n});\n\n";

  it('puts a new test before the test header it left out: inside that test a new header could not stand', () => {
    const r = applyReplacements('test.ts', tests, [{ search, replace: search.replace('});\n\n', `});\n\n${added}`) }]);
    expect(r.ok && r.text).toBe(tests.replace("});\n\ntest('old'", `});\n\n${added}test('old'`));
  });

  it('puts new lines of a block before the closing bracket it left out', () => {
    const file = `${earlier}test('a', t => {\n\tt.is(count, 1);\n});\n\ntest('b', t => {\n`;
    const r = applyReplacements('test.ts', file, [{ search: "\tt.is(count, 1);\n\ntest('b', t => {\n", replace: "\tt.is(count, 1);\n\t// Count once more.\n\tt.is(recount(), 1);\n\ntest('b', t => {\n" }]);
    expect(r.ok && r.text).toBe(`${earlier}test('a', t => {\n\tt.is(count, 1);\n\t// Count once more.\n\tt.is(recount(), 1);\n});\n\ntest('b', t => {\n`);
  });

  it('refuses when the left-out line fits before or after the new line (two texts)', () => {
    // Did ":members:" go under Path or under the left-out Choice? Both read well.
    const rst = '.. autoclass:: Path\n\n.. autoclass:: Choice\n\n.. autoclass:: IntRange\n';
    const r = applyReplacements('api.rst', rst, [{ search: '.. autoclass:: Path\n\n\n.. autoclass:: IntRange\n', replace: '.. autoclass:: Path\n\n   :members:\n\n.. autoclass:: IntRange\n' }]);
    expect(r.ok).toBe(false);
  });
  it('does not read a block comment\'s star lines as a block closing (the rewritten comment may end right before the left-out header)', () => {
    const fns = ['a', 'b', 'c', 'd', 'e'].map((n) => `function ${n}() {\n  if (x) {\n    y();\n  }\n}\n\n`).join('');
    const file = `${fns}/** The role, read from its system prompt. */\nexport function detectRole(messages) {\n  const system = first(messages);\n  return system;\n}\n`;
    const search = '/** The role, read from its system prompt. */\n  const system = first(messages);\n';
    const replace = '/**\n * The role: a judge names it at the end of its message,\n * the others in their system prompt.\n */\n  const system = first(messages);\n';
    const r = applyReplacements('roles.ts', file, [{ search, replace }]);
    const right = file.replace('/** The role, read from its system prompt. */\n', '/**\n * The role: a judge names it at the end of its message,\n * the others in their system prompt.\n */\n');
    expect(!r.ok || r.text === right).toBe(true);
  });
});

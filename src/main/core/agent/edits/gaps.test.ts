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

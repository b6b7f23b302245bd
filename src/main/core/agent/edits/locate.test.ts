import { describe, expect, it } from 'vitest';
import { applyReplacements } from './apply';
import { locate } from './locate';

const lines = (s: string) => s.split('\n');

describe('locate, fuzzy tier', () => {
  // Two places: at lines 1-4 the SEARCH text with one line left out (one mistake); at lines 6-8 the
  // same lines with two of them mistyped (two mistakes), nearly as alike by similarity alone.
  const FILE = lines(
    [
      'const settings = loadSettingsFromDisk(path);',
      'const theme = settings.theme ?? defaultTheme;',
      'const language = settings.language ?? defaultLanguage;',
      'const fontSize = settings.fontSize ?? defaultFontSize;',
      '',
      'const settings = loadSettingsFromDisk(path);',
      'const languages = settings.language ?? defaultLanguages;',
      'const fontSizes = settings.fontSize ?? defaultFontSizes;',
    ].join('\n'),
  );
  const SEARCH = ['const settings = loadSettingsFromDisk(path);', 'const language = settings.language ?? defaultLanguage;', 'const fontSize = settings.fontSize ?? defaultFontSize;'];

  it('takes the place that needs fewer mistakes when the other needs at least one more', () => {
    const r = locate(FILE, SEARCH);
    expect(r).toMatchObject({ ok: true, placement: { tier: 'fuzzy', start: 0, end: 4, pairs: [0, 2, 3] } });
  });

  it('still refuses two places that need as many mistakes', () => {
    // The second place now also differs from SEARCH by one left-out line.
    const twin = [...FILE.slice(0, 5), 'const settings = loadSettingsFromDisk(path);', 'const direction = settings.direction ?? defaultDirection;', ...SEARCH.slice(1)];
    const r = locate(twin, SEARCH);
    expect(r).toMatchObject({ ok: false, kind: 'ambiguous', tier: 'fuzzy', lines: [1, 6] });
  });

  it('pairs a SEARCH line with the equal file line beside the span, not with a similar line inside it', () => {
    // The model left out the middle import; "import {HTTPError}" must not be taken for a mistyped
    // "import {TimeoutError}" with the real line left outside the place.
    const file = "import {HTTPError} from '../errors/HTTPError.js';\nimport {TimeoutError} from '../errors/TimeoutError.js';\nimport {RetryError} from '../errors/RetryError.js';\n\nexport const x = 1;\n";
    const r = applyReplacements('g.ts', file, [
      {
        search: "import {HTTPError} from '../errors/HTTPError.js';\nimport {RetryError} from '../errors/RetryError.js';\n",
        replace: "import {KyError} from '../errors/KyError.js';\nimport {HTTPError} from '../errors/HTTPError.js';\nimport {RetryError} from '../errors/RetryError.js';\n",
      },
    ]);
    expect(r.ok && r.text).toBe(`import {KyError} from '../errors/KyError.js';\n${file}`);
  });

  it('counts a SEARCH blank line left unpaired as a mistake, so it cannot make one of two places look exact', () => {
    // SEARCH left out "runs-on" after its blank line; the second job matches it exactly but for the blank.
    const file = lines('jobs:\n  a:\n\n    runs-on: ubuntu\n    steps:\n      - uses: checkout@v5\n        with:\n          depth: 1\n  b:\n    checks: write\n    steps:\n      - uses: checkout@v5\n        with:\n          depth: 1');
    const r = locate(file, ['', '    steps:', '      - uses: checkout@v5', '        with:']);
    expect(r).toMatchObject({ ok: false, kind: 'ambiguous' });
  });
});

describe('locate, one SEARCH line with no exact match', () => {
  const long = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512"><path d="M10 10h492v492H10z"/></svg>';
  const mistyped = long.replace('viewBox', 'veiwBox');

  it('places a long line nearly equal to one file line and unlike the others', () => {
    const r = locate([long], [mistyped]);
    expect(r.ok && r.placement).toMatchObject({ tier: 'fuzzy', start: 0, end: 1, pairs: [0] });
  });

  it('does not place a short line (too little text to tell a mistype from another line)', () => {
    // 35 characters, one transposition: similar enough (0.91), too short to be sure it is no other line.
    expect(locate(['const totalPriceOfAll = sum(items);', 'return total;'], ['const totalPriceOfAll = sum(itmes);']).ok).toBe(false);
  });

  it('does not choose between two lines nearly equal to it', () => {
    const r = locate([long, long.replace('492v492', '492v491')], [mistyped]);
    expect(r.ok).toBe(false);
  });
});

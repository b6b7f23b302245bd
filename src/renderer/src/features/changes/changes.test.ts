import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../../shared/domain/events';
import { DiffViewer } from './DiffViewer';
import { Iterations } from './Iterations';
import { iterationsFromEvents } from './iterations';
import { parseUnifiedDiff, unquote } from './parse-diff';

const PATCH = [
  'diff --git a/sum.js b/sum.js',
  'index 1111111111111111111111111111111111111111..2222222222222222222222222222222222222222 100644',
  '--- a/sum.js',
  '+++ b/sum.js',
  '@@ -1,3 +1,3 @@',
  ' export function sum(a, b) {',
  '-  return a - b;',
  '+  return a + b;',
  ' }',
  'diff --git a/docs/new.md b/docs/new.md',
  'new file mode 100644',
  'index 0000000000000000000000000000000000000000..3333333333333333333333333333333333333333',
  '--- /dev/null',
  '+++ b/docs/new.md',
  '@@ -0,0 +1,2 @@',
  '+# New',
  '+--- not a header',
  '\\ No newline at end of file',
  'diff --git a/old.txt b/old.txt',
  'deleted file mode 100644',
  'index 4444444444444444444444444444444444444444..0000000000000000000000000000000000000000',
  '--- a/old.txt',
  '+++ /dev/null',
  '@@ -1 +0,0 @@',
  '-gone',
  'diff --git "a/caf\\303\\251 menu.txt" "b/caf\\303\\251 menu.txt"',
  'index 5555555555555555555555555555555555555555..6666666666666666666666666666666666666666 100644',
  'GIT binary patch',
  'literal 3',
  'KcmZ?wW&i>J00RI3',
  '',
].join('\n');

const ev = (seq: number, type: AgentEvent['type'], payload: unknown): AgentEvent => ({ seq, taskId: 'tsk_0000000000', taskSeq: seq, ts: seq, type, payload }) as AgentEvent;

describe('diff parsing', () => {
  it('reads files, statuses, hunks and line numbers from a git patch', () => {
    const files = parseUnifiedDiff(PATCH);
    expect(files.map((f) => [f.path, f.status, f.added, f.removed, f.binary])).toEqual([
      ['sum.js', 'modified', 1, 1, false],
      ['docs/new.md', 'added', 2, 0, false],
      ['old.txt', 'deleted', 0, 1, false],
      ['café menu.txt', 'modified', 0, 0, true],
    ]);
    expect(files[0]!.hunks[0]!.lines).toEqual([
      { kind: 'context', text: 'export function sum(a, b) {', oldNo: 1, newNo: 1 },
      { kind: 'del', text: '  return a - b;', oldNo: 2 },
      { kind: 'add', text: '  return a + b;', newNo: 2 },
      { kind: 'context', text: '}', oldNo: 3, newNo: 3 },
    ]);
    // An added line that looks like a header stays a line; the "no newline" marker is a note.
    expect(files[1]!.hunks[0]!.lines.map((l) => l.kind)).toEqual(['add', 'add', 'note']);
  });

  it('decodes git-quoted paths', () => {
    expect(unquote('"a/caf\\303\\251\\ttab"')).toBe('a/café\ttab');
    expect(unquote('plain')).toBe('plain');
  });
});

describe('DiffViewer', () => {
  it('renders a readable diff: file list, counts, line numbers, added and removed lines', () => {
    const html = renderToStaticMarkup(createElement(DiffViewer, { patch: PATCH, sha256: 'ab'.repeat(32) }));
    expect(html).toContain('4 files');
    expect(html).toContain('+3');
    expect(html).toContain('return a + b;');
    expect(html).toContain('chg-line-add');
    expect(html).toContain('chg-line-del');
    expect(html).toContain('café menu.txt');
    expect(html).toContain('Binary file');
    expect(html).toContain('ab'.repeat(32));
    expect(html).toMatch(/<span class="visually-hidden">removed<\/span>/);
  });

  it('says when there is nothing to show, and folds very long files', () => {
    expect(renderToStaticMarkup(createElement(DiffViewer, { patch: '' }))).toContain('No changes.');
    const long = ['diff --git a/x b/x', '--- a/x', '+++ b/x', '@@ -0,0 +1,50 @@', ...Array.from({ length: 50 }, (_, i) => `+line ${i}`), ''].join('\n');
    const html = renderToStaticMarkup(createElement(DiffViewer, { patch: long, maxLinesPerFile: 10 }));
    expect(html).toContain('40 more lines not shown');
    expect(html).not.toContain('line 12');
  });
});

describe('Iterations', () => {
  const events = [
    ev(1, 'iteration.started', { iteration: 1 }),
    ev(2, 'iteration.evaluated', { iteration: 1, score: 0.2, outcome: 'improved', rolledBack: false, summary: 'first try', confidence: 0.6, files: 1, linesAdded: 1, linesRemoved: 1, gates: [{ gate: 'tests', status: 'fail' }] }),
    ev(3, 'iteration.started', { iteration: 2, guidance: 1 }),
    ev(4, 'iteration.evaluated', { iteration: 2, score: 0.2, outcome: 'rolled_back', rolledBack: true, detail: 'score fell from 0.20 to 0.10; rolled back' }),
    ev(5, 'iteration.started', { iteration: 3 }),
    ev(6, 'iteration.evaluated', { iteration: 3, score: 0.98, outcome: 'improved', stopReason: 'satisficed', detail: 'score 0.98 with every acceptance criterion met', gates: [{ gate: 'tests', status: 'pass' }] }),
  ];

  it('folds events into one row per iteration with the stop reason', () => {
    const { iterations, stop } = iterationsFromEvents(events);
    expect(iterations.map((i) => [i.iteration, i.score, i.outcome, i.rolledBack, i.guidance])).toEqual([
      [1, 0.2, 'improved', false, 0],
      [2, 0.2, 'rolled_back', true, 1],
      [3, 0.98, 'improved', false, 0],
    ]);
    expect(stop).toEqual({ reason: 'satisficed', iteration: 3, detail: 'score 0.98 with every acceptance criterion met', score: 0.98 });
  });

  it('keeps a stop at a boundary (pause, or before the first iteration) without inventing an iteration', () => {
    const paused = iterationsFromEvents([...events.slice(0, 2), ev(3, 'iteration.evaluated', { iteration: 1, score: 0.2, stopReason: 'intervention', detail: 'paused by the user' })]);
    expect(paused.iterations).toHaveLength(1);
    expect(paused.iterations[0]!.outcome).toBe('improved');
    expect(paused.stop).toMatchObject({ reason: 'intervention', detail: 'paused by the user' });
    const early = iterationsFromEvents([ev(1, 'iteration.evaluated', { iteration: 0, score: 1, stopReason: 'satisficed' })]);
    expect(early).toEqual({ iterations: [], stop: { reason: 'satisficed', iteration: 0, detail: null, score: 1 } });
    // Resuming starts new iterations and clears the old stop.
    const resumed = iterationsFromEvents([...events.slice(0, 2), ev(3, 'iteration.evaluated', { iteration: 1, score: 0.2, stopReason: 'intervention' }), ev(4, 'iteration.started', { iteration: 2 })]);
    expect(resumed.stop).toBeNull();
    expect(resumed.iterations.map((i) => [i.iteration, i.evaluated])).toEqual([
      [1, true],
      [2, false],
    ]);
  });

  it('renders each iteration, its score and outcome, and a readable stop reason', () => {
    const { iterations, stop } = iterationsFromEvents(events);
    const html = renderToStaticMarkup(createElement(Iterations, { iterations, stop, maxIterations: 5 }));
    expect(html).toContain('Good enough: every acceptance criterion is met');
    expect(html).toContain('data-stop-reason="satisficed"');
    expect(html).toContain('rolled back (score fell)');
    expect(html).toContain('first try');
    expect(html).toContain('confidence 60%');
    expect(html).toContain('with your guidance');
    expect(html).toContain('aria-valuenow="98"');
    expect(html).toContain('3 of at most 5');
    expect(renderToStaticMarkup(createElement(Iterations, { iterations: [] }))).toContain('has not started');
  });
});

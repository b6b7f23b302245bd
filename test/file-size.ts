/**
 * Small files with one purpose: a source file over 400 lines (a test file over 600: many cases are
 * fine) says at its top why it is one file, in a comment with "on purpose", e.g.
 * `// Over 400 lines on purpose: the worker slots, live runs and queue share private state; …`.
 */
export const SOURCE_LIMIT = 400;
export const TEST_LIMIT = 600;

const REASON = /^\s*(?:\/\/|\/\*\*?|\*).*\bon purpose\b\W+\w+/im;

export function checkFileSize(file: string, source: string): string[] {
  const lines = source.split('\n').length - (source.endsWith('\n') ? 1 : 0);
  const isTest = /\.test\.tsx?$/.test(file);
  const limit = isTest ? TEST_LIMIT : SOURCE_LIMIT;
  if (lines <= limit) return [];
  const top = source.split('\n').slice(0, 20).join('\n');
  if (REASON.test(top)) return [];
  return [`${file}: ${lines} lines (over ${limit}) without a reason at its top; split it by purpose, or say why it is one file in a comment with "on purpose"`];
}

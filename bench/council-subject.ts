/**
 * The change the council bench reviews: a small but ordinary agent change (a helper made to
 * validate and clamp its input, with its tests; about 50 diff lines), so the shared review material
 * and each judge's own part stand in the proportion they do in the app, not a three-line toy.
 */
import { DEFAULT_POLICY } from '../src/shared/domain/governance';
import type { WorkingSpec } from '../src/shared/domain/working-spec';
import { serializeSpec } from '../src/main/core/caws/yaml';
import type { ReviewSubject } from '../src/main/core/council/types';

const spec: WorkingSpec = {
  id: 'FIX-0001',
  title: 'Clamp the input of the math helper',
  risk_tier: 3,
  mode: 'fix',
  lifecycle_state: 'active',
  blast_radius: { modules: ['math'], data_migration: false },
  scope: { in: ['src/math.ts', 'test/math.test.ts'] },
  invariants: ['add still adds', 'clamp never returns a value outside [lo, hi]'],
  acceptance: [
    { id: 'A1', given: 'n above hi', when: 'clamp runs', then: 'it returns hi' },
    { id: 'A2', given: 'lo greater than hi', when: 'clamp runs', then: 'it throws a RangeError naming both bounds' },
  ],
  non_functional: {},
  contracts: [],
};

const diff = `--- a/src/math.ts
+++ b/src/math.ts
@@ -1,12 +1,31 @@
 export const add = (a: number, b: number): number => a + b;
 
-export const clamp = (n: number) => n;
+/**
+ * n limited to [lo, hi]. NaN stays NaN (callers check it); bounds in the wrong order are a bug in
+ * the caller and throw rather than silently swapping.
+ */
+export function clamp(n: number, lo: number, hi: number): number {
+  if (Number.isNaN(lo) || Number.isNaN(hi)) throw new RangeError('clamp: bounds must be numbers');
+  if (lo > hi) throw new RangeError(\`clamp: lo (\${lo}) is greater than hi (\${hi})\`);
+  if (Number.isNaN(n)) return n;
+  return Math.min(hi, Math.max(lo, n));
+}
 
-export function average(xs: number[]): number {
-  return xs.reduce(add, 0) / xs.length;
+export function average(xs: readonly number[]): number {
+  if (xs.length === 0) throw new RangeError('average: no values');
+  return xs.reduce(add, 0) / xs.length;
 }
--- a/test/math.test.ts
+++ b/test/math.test.ts
@@ -1,9 +1,26 @@
 import { describe, expect, it } from 'vitest';
-import { add } from '../src/math';
+import { add, average, clamp } from '../src/math';
 
 describe('math', () => {
   it('adds', () => {
     expect(add(2, 3)).toBe(5);
   });
+
+  it('clamps above and below the bounds', () => {
+    expect(clamp(12, 0, 10)).toBe(10);
+    expect(clamp(-3, 0, 10)).toBe(0);
+    expect(clamp(4, 0, 10)).toBe(4);
+  });
+
+  it('refuses bounds in the wrong order', () => {
+    expect(() => clamp(1, 5, 2)).toThrow(/lo \\(5\\) is greater than hi \\(2\\)/);
+  });
+
+  it('keeps NaN for the caller to see', () => {
+    expect(clamp(Number.NaN, 0, 1)).toBeNaN();
+  });
+
+  it('refuses the average of nothing', () => {
+    expect(() => average([])).toThrow(RangeError);
+  });
 });
`;

/**
 * Review `n` of a run: its own task line, so no review starts from another's evaluated prompt (a
 * council reviews each change once); the judges of one review share theirs, as in the app.
 */
export function councilBenchSubject(n: number): ReviewSubject {
  return {
    kind: 'change',
    taskId: 'tsk_benchcouncil0',
    description: `Review ${n}: clamp the input of the math helper and refuse bounds in the wrong order`,
    riskTier: 3,
    mode: 'dry-run',
    spec,
    specYaml: serializeSpec(spec),
    budget: DEFAULT_POLICY.budgets[3],
    waivers: [],
    change: {
      changedFiles: [
        { path: 'src/math.ts', linesAdded: 13, linesRemoved: 3 },
        { path: 'test/math.test.ts', linesAdded: 18, linesRemoved: 1 },
      ],
      diff,
    },
  };
}

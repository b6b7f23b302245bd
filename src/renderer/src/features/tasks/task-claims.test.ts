import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { ClaimView } from '../../../../shared/domain/claims';
import { TaskClaims } from './TaskClaims';

const claim = (over: Partial<ClaimView>): ClaimView => ({
  id: 1,
  stage: 'execute',
  round: 1,
  author: 'worker',
  kind: 'file_changed',
  subject: 'src/a.ts',
  text: 'Updated src/a.ts.',
  status: 'verified',
  evidence: 'the diff modifies src/a.ts',
  extractedBy: 'rules',
  createdAt: 0,
  ...over,
});

describe('the claim table', () => {
  it('marks a claim whose source changed since it was checked as stale, with the version it was checked against', () => {
    const html = renderToStaticMarkup(
      createElement(TaskClaims, {
        claims: [
          claim({ id: 1, stale: true, sources: [{ source: 'workspace', path: 'src/a.ts', location: null, sha256: 'ab'.repeat(32), stale: true }] }),
          claim({ id: 2, round: 2, stale: false, sources: [{ source: 'workspace', path: 'src/a.ts', location: null, sha256: 'cd'.repeat(32), stale: false }] }),
        ],
        criteria: [],
      }),
    );
    expect(html.match(/data-testid="claim-stale"/g)).toHaveLength(1);
    expect(html).toContain('1 stale (checked against a file that changed since)');
    expect(html).toContain('checked against src/a.ts abababab, changed since');
    expect(html).toContain('checked against src/a.ts cdcdcdcd)');
  });
});

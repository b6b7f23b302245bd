import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db/open';
import { silentLogger } from '../observability/logger';
import { KnowledgeService } from './knowledge-service';

/**
 * A fixture corpus with known answers: Markdown notes, a PDF made with pdf-lib (parsed for real by
 * unpdf) and a PNG rendered by headless Chromium whose text is the only place its answer appears
 * (read for real by tesseract.js with the packaged English data). Recall@5 is measured and printed.
 */
const DOCS: Record<string, string> = {
  'retry-policy.md': '# Retry policy\n\nFailed steps are retried with exponential backoff, at most three attempts, with jitter between 100 and 400 milliseconds.\n',
  'signing.md': '# Signing\n\nAudit bundles are signed with Ed25519 keys kept in the operating system keychain; the public key is printed by the keys command.\n',
  'council.md': '# Council\n\nFour judges review each plan: correctness, security, scope and maintainability. A veto from the security judge rejects the change.\n',
  'sandbox.md': '# Sandbox\n\nCommands run under bubblewrap with no network, a read-only root and the workspace mounted writable.\n',
  'budget.md': '# Budgets\n\nA tier two task may change at most twenty five files and five hundred lines before the budget gate blocks it.\n',
  'models.md': '# Models\n\nLocal GGUF models are loaded with node-llama-cpp; the context size is derived from free memory at load time.\n',
  'waivers.md': '# Waivers\n\nA waiver needs an approver, a reason and an expiry date; an expired waiver never lets a gate pass.\n',
};
const PDF_PAGES = ['Release process overview. Nothing about ports here.', 'The telemetry collector listens on port 4318 for OTLP over HTTP.'];
const IMAGE_TEXT = 'ZEBRA PROTOCOL VERSION ELEVEN';
const QUERIES: Array<{ q: string; expect: string; location?: string }> = [
  { q: 'how many attempts does the retry backoff make', expect: 'retry-policy.md' },
  { q: 'which key type signs audit bundles', expect: 'signing.md' },
  { q: 'what happens on a security veto', expect: 'council.md' },
  { q: 'is the network available in the sandbox bubblewrap', expect: 'sandbox.md' },
  { q: 'maximum files for a tier two budget', expect: 'budget.md' },
  { q: 'how is the model context size chosen', expect: 'models.md' },
  { q: 'can an expired waiver pass a gate', expect: 'waivers.md' },
  { q: 'telemetry collector port', expect: 'collector.pdf', location: 'page 2' },
  { q: 'zebra protocol version', expect: 'diagram.png' },
];

describe('knowledge base', () => {
  let dir: string;
  let db: Db;
  let kb: KnowledgeService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aa-kb-'));
    for (const [name, text] of Object.entries(DOCS)) writeFileSync(join(dir, name), text);
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    for (const text of PDF_PAGES) pdf.addPage([600, 400]).drawText(text, { x: 40, y: 300, size: 14, font });
    writeFileSync(join(dir, 'collector.pdf'), await pdf.save());
    const html = join(dir, 'diagram.html');
    writeFileSync(html, `<html><body style="margin:0;background:#fff"><p style="font:48px sans-serif;color:#000;padding:30px">${IMAGE_TEXT}</p></body></html>`);
    execFileSync('/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', `--screenshot=${join(dir, 'diagram.png')}`, '--window-size=1200,200', `file://${html}`], { stdio: 'ignore', timeout: 60_000 });
    writeFileSync(join(dir, 'blob.bin'), Buffer.from([0, 1, 2, 3]));
    db = openDatabase({ file: ':memory:', logger: silentLogger() });
    kb = new KnowledgeService({ db, logger: silentLogger(), clock: { now: () => 1_800_000_000_000 } });
  }, 120_000);
  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds text, a real PDF (pages) and a real OCR image; refuses an unknown type with the reason; re-adding is a no-op', async () => {
    expect(existsSync(join(dir, 'diagram.png'))).toBe(true);
    const files = [...Object.keys(DOCS), 'collector.pdf', 'diagram.png', 'blob.bin', 'missing.md'].map((f) => join(dir, f));
    const added = await kb.add(files);
    const by = (name: string) => added.find((a) => a.file.endsWith(name))!;
    expect(by('collector.pdf')).toMatchObject({ status: 'added', extraction: 'pdf', chunks: 2 });
    expect(by('diagram.png')).toMatchObject({ status: 'added', extraction: 'ocr' });
    expect(by('blob.bin')).toMatchObject({ status: 'refused', reason: expect.stringContaining('unknown type ".bin"') });
    expect(by('missing.md')).toMatchObject({ status: 'refused', reason: expect.stringContaining('ENOENT') });
    expect((await kb.add([join(dir, 'signing.md')]))[0]).toMatchObject({ status: 'unchanged' });
    expect(kb.count()).toBe(9);
  }, 180_000);

  it('recall@5 on the fixture corpus, the PDF page and the image-only answer', () => {
    let found = 0;
    for (const q of QUERIES) {
      const hits = kb.search(q.q, 5);
      const hit = hits.find((h) => h.title === q.expect);
      if (hit) found++;
      if (q.location) expect(hit?.location).toBe(q.location);
      if (q.expect === 'diagram.png') expect(hit).toMatchObject({ extraction: 'ocr' });
    }
    const recall = found / QUERIES.length;
    console.log(`knowledge recall@5: ${found}/${QUERIES.length} = ${recall.toFixed(2)}`);
    expect(recall).toBeGreaterThanOrEqual(0.85);
  });
});

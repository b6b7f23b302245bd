import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedModel } from '../../../../test/fake-model';
import { tempDir, testCore } from '../../../../test/helpers';
import { SubmitTaskInput } from '../../../shared/domain/task';
import { describeZodError } from '../../../shared/errors';
import { ContractSession } from '../api/session';
import { Council } from '../council/council';
import { eventsForTask } from '../db/queries/events';
import { getTask, listTasks } from '../db/queries/tasks';
import { createGovernanceSteps, type GovernanceStepContext } from '../governance-steps/steps';
import type { ModelGateway } from '../models/types';
import { silentLogger } from '../observability/logger';
import { Planner } from '../planner/planner';

const PROJECTS = join(__dirname, '../../../../test/fixtures/projects');
const IMAGE_TEXT = 'CLAMP UPPER BOUND FORTY TWO';
const draft = {
  id: 'FEAT-0042',
  title: 'Clamp inputs in the math helpers',
  mode: 'feature',
  blast_radius: { modules: ['math'], data_migration: false },
  scope: { in: ['src/'], out: [], support: ['test/'] },
  invariants: ['add keeps returning the sum'],
  acceptance: [{ id: 'A1', given: 'a value above the range', when: 'clamp runs', then: 'it returns the upper bound', test: 'npm test' }],
  non_functional: { security: [], reliability: [], a11y: [] },
  contracts: [{ name: 'math-behaviour', type: 'behavior', path: '' }],
};

/**
 * Task attachments on real parts: a PDF made with pdf-lib (parsed by unpdf), a PNG rendered by
 * headless Chromium (read by tesseract.js with the packaged English data), a broken PDF, and the
 * submit channel, the knowledge base and the planning step of a real core.
 */
describe('task attachments', () => {
  const files = tempDir('aa-attach-');
  const b64 = (name: string) => readFileSync(join(files.dir, name)).toString('base64');
  let core: ReturnType<typeof testCore>;

  beforeAll(async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    pdf.addPage([600, 400]).drawText('Design notes. Nothing about limits on this page.', { x: 40, y: 300, size: 14, font });
    pdf.addPage([600, 400]).drawText('The clamp helper must cap values at the configured upper bound.', { x: 40, y: 300, size: 12, font });
    writeFileSync(join(files.dir, 'design.pdf'), await pdf.save());
    const html = join(files.dir, 'mock.html');
    writeFileSync(html, `<html><body style="margin:0;background:#fff"><p style="font:48px sans-serif;color:#000;padding:30px">${IMAGE_TEXT}</p></body></html>`);
    execFileSync('/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', `--screenshot=${join(files.dir, 'mock.png')}`, '--window-size=1400,200', `file://${html}`], { stdio: 'ignore', timeout: 60_000 });
    writeFileSync(join(files.dir, 'notes.md'), '# Notes\n\nUsers reported that clamp lets values above the range through.\n');
    writeFileSync(join(files.dir, 'broken.pdf'), '%PDF-1.7\nthis is not really a PDF\n');
    core = testCore();
    cpSync(join(PROJECTS, 'node-pass'), core.repo, { recursive: true });
  }, 120_000);
  afterAll(() => {
    core?.cleanup();
    files.cleanup();
  });

  it('refuses an unknown type, a file too large and an unreadable one, naming the file and the reason; nothing is stored', async () => {
    const session = new ContractSession(core, () => undefined);
    const submit = (attachments: unknown[]) => session.call('submitTask', { description: 'Clamp inputs', repoPath: core.repo, attachments });
    const before = listTasks(core.db, { limit: 100 }).length;

    const exe = await submit([{ name: 'tool.exe', dataBase64: 'AAAA' }]);
    expect(exe).toMatchObject({ ok: false, error: { code: 'invalid_input', message: expect.stringMatching(/attachments\[0\]\.name: "tool\.exe" has a type that is not accepted \(\.exe\)/) } });
    // Checked without decoding: a 9 MB file is refused by its size.
    const big = SubmitTaskInput.safeParse({ description: 'x', repoPath: core.repo, attachments: [{ name: 'huge.png', dataBase64: 'A'.repeat(12 * 1024 * 1024) }] });
    expect(big.success).toBe(false);
    expect(describeZodError(big.error!).message).toMatch(/"huge\.png" is too large \(9\.0 MB; at most 8\.0 MB\)/);
    const nul = await submit([{ name: 'log.txt', dataBase64: Buffer.from('a\u0000b').toString('base64') }]);
    expect(nul).toMatchObject({ ok: false, error: { message: expect.stringContaining('"log.txt" cannot be read as text: it holds NUL bytes') } });
    const fake = await submit([{ name: 'ok.md', dataBase64: b64('notes.md') }, { name: 'shot.png', dataBase64: b64('notes.md') }]);
    expect(fake).toMatchObject({ ok: false, error: { message: expect.stringMatching(/attachments\[1\]: "shot\.png" cannot be read: its content is not a PNG, JPEG, GIF, WebP, BMP file/) } });
    expect(listTasks(core.db, { limit: 100 })).toHaveLength(before);
  });

  it('a submitted task keeps its attachments; planning reads them (PDF pages, OCR said to be OCR), says which was not read, and the planner cites the chunks', async () => {
    const session = new ContractSession(core, () => undefined);
    const submitted = await session.call('submitTask', {
      description: 'Make clamp cap values at the upper bound',
      repoPath: core.repo,
      mode: 'dry-run',
      attachments: [
        { name: 'notes.md', dataBase64: b64('notes.md') },
        { name: 'design.pdf', dataBase64: b64('design.pdf') },
        { name: 'mock.png', dataBase64: b64('mock.png') },
        { name: 'broken.pdf', dataBase64: b64('broken.pdf') },
      ],
    });
    if (!submitted.ok) throw new Error(submitted.error.message);
    const task = submitted.value as { id: string };
    const pending = core.attachments.list(task.id);
    expect(pending.map((a) => [a.name, a.kind, a.status])).toEqual([
      ['notes.md', 'markdown', 'pending'],
      ['design.pdf', 'pdf', 'pending'],
      ['mock.png', 'image', 'pending'],
      ['broken.pdf', 'pdf', 'pending'],
    ]);

    const planner = new ScriptedModel([draft], 'planner-model');
    const gateway: ModelGateway = { client: () => planner };
    const steps = createGovernanceSteps({
      planner: new Planner({ client: planner, logger: silentLogger() }),
      council: new Council({ gateway, logger: silentLogger() }),
      policy: core.policy,
      waivers: core.waivers,
      records: core.governance,
      claims: core.claims,
      knowledge: { index: (id) => core.attachments.index(id), references: (id, q) => core.attachments.references(id, q) },
      changes: async () => ({ workspaceDir: core.repo, changedFiles: [] }),
      logger: silentLogger(),
    });
    const ctx: GovernanceStepContext = {
      taskId: task.id,
      task: getTask(core.db, task.id)!,
      round: 1,
      attempt: 1,
      signal: new AbortController().signal,
      guidance: [],
      emit: (event, key) => core.journal.append(task.id, event, `${task.id}:${key ?? Math.random()}`).event,
      progress: () => undefined,
    };
    await steps.plan(ctx);

    const read = core.attachments.list(task.id);
    expect(read.map((a) => [a.name, a.status, a.extraction])).toEqual([
      ['notes.md', 'read', 'text'],
      ['design.pdf', 'read', 'pdf'],
      ['mock.png', 'read', 'ocr'],
      ['broken.pdf', 'not_read', null],
    ]);
    expect(read[1]!.detail).toBe('2 page(s) read as text');
    expect(read[2]!.detail).toMatch(/^image: text read by OCR \(\d+ words\); the model is given the OCR text, not the image$/);
    expect(read[3]!.detail).toMatch(/^the PDF could not be read: /);
    // The journal says what was and was not read, so the task page and the audit bundle do too.
    const events = eventsForTask(core.db, task.id);
    expect(events.filter((e) => e.type === 'attachment.read').map((e) => [e.payload.name, e.payload.status])).toEqual([
      ['notes.md', 'read'],
      ['design.pdf', 'read'],
      ['mock.png', 'read'],
      ['broken.pdf', 'not_read'],
    ]);
    const retrieved = events.find((e) => e.type === 'knowledge.retrieved');
    expect(retrieved?.payload.chunks.map((c) => `${c.title} ${c.location}`)).toEqual(expect.arrayContaining(['design.pdf page 2', 'mock.png image (OCR)', 'notes.md lines 1-4']));

    // The planner's prompt carries each chunk under a citation: file and location; OCR is said to be OCR.
    const prompt = planner.calls[0]!.messages.map((m) => m.content).join('\n');
    expect(prompt).toContain('[design.pdf, page 2] (text of a PDF page):\nThe clamp helper must cap values at the configured upper bound.');
    expect(prompt).toMatch(/\[mock\.png, image \(OCR\)\] \(OCR text of an image; characters may be misread\):\nCLAMP UPPER BOUND FORTY TWO/);
    expect(prompt).toContain('[notes.md, lines 1-4]');
    // Only this task searches its attachments; the user's knowledge base does not show them.
    expect(core.knowledge.search('clamp upper bound', 5).length).toBe(0);
    expect(core.knowledge.search('clamp upper bound', 5, task.id).length).toBeGreaterThan(0);
    // Reading again is a no-op: each attachment was read once.
    expect(await core.attachments.index(task.id)).toEqual([]);
    expect(existsSync(join(core.dataDir, 'attachments', task.id, '3-mock.png'))).toBe(true);
  }, 120_000);
});

import { writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { makeGitFixture, type FixtureRepo } from './fixtures/fixture-repo';
import { startGovernedHost, type GovernedHost } from './fixtures/governed-host';

/**
 * LONG TEST (about 30 s): 1,000 events per second for 10 s appended through the core journal of
 * a real host while the task's page is open. The page must keep answering clicks and end on the
 * final state, which the real engine reaches and journals: the task (a dry-run on the production
 * steps, only the models' words scripted) waits paused through the flood, then is resumed and run
 * to completion. Figures go to e2e-artifacts/flood.json.
 */
const RATE = 1_000;
/**
 * The flood must really have been one: the producer keeps to the schedule unless the journal falls
 * behind, and a slower flood would prove less than the test claims. The figure is printed too.
 */
const MIN_RATE_FRACTION = 0.5;
const SECONDS = 10;
/** A click on a navigation link must be handled and painted within this, even mid-flood on a shared CI machine. */
const CLICK_BOUND_MS = 1_000;

let host: GovernedHost;
let repo: FixtureRepo;

test.beforeAll(async () => {
  host = await startGovernedHost({ scheduler: { autoStart: false } });
  repo = makeGitFixture();
});
test.afterAll(async () => {
  await host?.close();
  repo?.cleanup();
});

type Probe = { longest: number; longTasks: number; maxFrameGap: number; clicks: number[]; realClicks: number[] };
/** The browser globals the probes use (this file is type-checked without the DOM library). */
type El = { click(): void; getAttribute(n: string): string | null };
type PageGlobals = {
  __flood: Probe;
  __floodStop?: () => void;
  requestAnimationFrame(cb: (now: number) => void): number;
  setTimeout(cb: () => void, ms: number): number;
  clearTimeout(id: number): void;
  performance: { now(): number };
  document: {
    querySelector(s: string): El | null;
    addEventListener(t: 'click', l: (e: { timeStamp: number; target: unknown }) => void, capture: boolean): void;
  };
  PerformanceObserver: new (cb: (list: { getEntries(): { duration: number }[] }) => void) => { observe(o: { type: string; buffered: boolean }): void };
};

/**
 * Measured in the page, so the figures are the page's own and not the test runner's (which shares
 * its process and CPU with the host producing the flood):
 * - long tasks and the longest gap between two frames;
 * - a click every `everyMs` on a navigation link, alternating between the task list and the task:
 *   the time from when the click was due to the first frame painted with the new page (so any
 *   main-thread blockage before the click counts against it);
 * - real clicks from the test: from the input event's timestamp to the first frame after it.
 */
async function installProbes(page: Page, taskId: string, everyMs: number) {
  await page.evaluate(
    ({ taskId, everyMs }) => {
      const w = globalThis as unknown as PageGlobals;
      w.__flood = { longest: 0, longTasks: 0, maxFrameGap: 0, clicks: [], realClicks: [] };
      new w.PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          w.__flood.longTasks++;
          w.__flood.longest = Math.max(w.__flood.longest, e.duration);
        }
      }).observe({ type: 'longtask', buffered: false });
      let last = w.performance.now();
      const frame = (now: number) => {
        w.__flood.maxFrameGap = Math.max(w.__flood.maxFrameGap, now - last);
        last = now;
        w.requestAnimationFrame(frame);
      };
      w.requestAnimationFrame(frame);

      let synthetic = false;
      w.document.addEventListener(
        'click',
        (e) => {
          if (synthetic) return;
          const t = e.timeStamp;
          w.requestAnimationFrame(() => w.setTimeout(() => w.__flood.realClicks.push(w.performance.now() - t), 0));
        },
        true,
      );
      const links = [`a[href="#/tasks"]`, `a[href="#/tasks/${taskId}"]`];
      let n = 0;
      let timer = 0;
      const clickNext = () => {
        const due = w.performance.now() + everyMs;
        timer = w.setTimeout(() => {
          const link = w.document.querySelector(links[n++ % 2]!);
          if (link) {
            synthetic = true;
            link.click();
            synthetic = false;
            // Painted: the frame after the route change, then the task that follows it.
            w.requestAnimationFrame(() =>
              w.setTimeout(() => {
                w.__flood.clicks.push(w.performance.now() - due);
                clickNext();
              }, 0),
            );
          } else {
            clickNext();
          }
        }, everyMs);
      };
      clickNext();
      w.__floodStop = () => w.clearTimeout(timer);
    },
    { taskId, everyMs },
  );
}

test('flood: 1,000 events per second for 10 s keep the page responsive and end on the final state', async ({ page }) => {
  test.setTimeout(120_000);
  const engine = host.core.engine;
  if (!engine) throw new Error('the governed host was built without the engine');
  const actor = { who: 'flood test', via: 'api' } as const;
  // Paused before the engine picks it up (it does so on a later microtask), so the flood comes first.
  const task = host.core.tasks.submit({ description: 'Flood of events', repoPath: repo.dir, mode: 'dry-run', riskTier: 2, priority: 'normal', maxIterations: 5 });
  expect(engine.pause(task.id, actor).state.kind).toBe('paused');
  await page.goto(host.launchUrl);
  await page.getByRole('link', { name: 'Flood of events' }).click();
  await expect(page.getByRole('heading', { name: 'Flood of events' })).toBeVisible();
  await installProbes(page, task.id, 500);

  // The producer runs on this process's event loop: every 10 ms it appends what is due so far.
  const total = RATE * SECONDS;
  let sent = 0;
  const started = Date.now();
  const producer = new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * RATE));
      host.core.journal.transaction(() => {
        for (; sent < due; sent++) {
          const type = sent % 4 === 0 ? 'model.tokens' : 'progress';
          host.core.journal.append(
            task.id,
            type === 'progress'
              ? { type, payload: { percent: Math.min(99, (sent / total) * 100), message: `event ${sent + 1} of ${total}` } }
              : { type, payload: { model: 'flood-model', role: 'worker', text: 'tok '.repeat(8), count: 8 } },
            `flood-${sent}`,
          );
        }
      });
      if (sent >= total) resolve();
      else setTimeout(tick, 10);
    };
    tick();
  });

  // Meanwhile the test itself clicks too, through the browser's input pipeline (measured in the
  // page; the page's own clicker may move on at any moment, so nothing here waits for a page).
  let realClicksSent = 0;
  while (sent < total - RATE) {
    await page.getByRole('link', { name: realClicksSent % 2 === 0 ? 'Metrics' : 'Tasks', exact: true }).click();
    realClicksSent++;
    await page.waitForTimeout(300);
  }
  await producer;
  const producedMs = Date.now() - started;
  await page.evaluate(() => (globalThis as unknown as PageGlobals).__floodStop?.());
  // End on the task's page, whichever page the last click left open.
  await page.getByRole('link', { name: 'Tasks', exact: true }).click();
  await page.getByRole('link', { name: 'Flood of events' }).click();

  // The engine takes the task from here: plan, council, worker, gates, to its final state.
  const tFinal = Date.now();
  engine.resume(task.id, actor);
  await expect(page.getByTestId('task-facts').locator('[data-state]')).toHaveText('completed', { timeout: 90_000 });
  await expect(page.getByRole('progressbar', { name: 'Task progress' })).toHaveAttribute('aria-valuenow', '100');
  const finalVisibleMs = Date.now() - tFinal;
  // The last state change on the page is the engine's own, the one the journal holds.
  const journaled = host.core.tasks.get(task.id).events.filter((e) => e.type === 'task.state');
  const last = journaled.at(-1);
  expect(last?.type === 'task.state' && last.payload.to.kind).toBe('completed');
  await expect(page.locator('[data-event-type="task.state"]').last()).toContainText(last?.type === 'task.state' ? last.payload.cause : 'no state event');
  expect(host.gateway().calls.length).toBeGreaterThan(0);

  const probe = await page.evaluate(() => (globalThis as unknown as PageGlobals).__flood);
  const stats = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return { count: xs.length, medianMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0), maxMs: Math.round(sorted[sorted.length - 1] ?? 0) };
  };
  const figures = {
    events: total,
    targetRatePerSecond: RATE,
    producedMs,
    achievedRatePerSecond: Math.round((total / producedMs) * 1000),
    pageClicks: stats(probe.clicks),
    realClicks: stats(probe.realClicks),
    realClicksSent,
    finalStateVisibleMs: finalVisibleMs,
    longTasks: probe.longTasks,
    longestTaskMs: Math.round(probe.longest),
    maxFrameGapMs: Math.round(probe.maxFrameGap),
  };
  writeFileSync('e2e-artifacts/flood.json', `${JSON.stringify(figures, null, 2)}\n`);
  test.info().annotations.push({ type: 'flood', description: JSON.stringify(figures) });
  await page.screenshot({ path: 'e2e-artifacts/flood-final.png', fullPage: false });

  // The flood the test claims: its achieved rate, printed above beside its target.
  expect(figures.achievedRatePerSecond).toBeGreaterThanOrEqual(RATE * MIN_RATE_FRACTION);
  // About one page click every half second during the flood, each handled and painted in time.
  expect(figures.pageClicks.count).toBeGreaterThanOrEqual(10);
  expect(figures.pageClicks.maxMs).toBeLessThan(CLICK_BOUND_MS);
  // The test's own clicks compete with the producer for this process's CPU, so there are few;
  // the page's latency for each is what is bounded.
  expect(realClicksSent).toBeGreaterThanOrEqual(1);
  expect(figures.realClicks.maxMs).toBeLessThan(CLICK_BOUND_MS);
});

import type { DownloadView } from '../../shared/domain/model';
import type { AgencyClient } from '../client/types';
import type { CommandContext } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { progressBar, table, truncate } from '../format';

const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FINAL = new Set<DownloadView['state']>(['completed', 'failed', 'cancelled']);

/** One line of a download's progress: bar, bytes and speed. */
export function downloadLine(d: DownloadView, width: number): string {
  const pct = d.totalBytes ? (100 * d.receivedBytes) / d.totalBytes : 0;
  const bytes = d.totalBytes ? `${mib(d.receivedBytes)} of ${mib(d.totalBytes)}` : mib(d.receivedBytes);
  const speed = d.state === 'running' && d.bytesPerSecond > 0 ? `, ${mib(d.bytesPerSecond)}/s` : '';
  return truncate(`${progressBar(pct, 24)}  ${d.state === 'running' ? '' : `${d.state} `}${bytes}${speed}`, Math.max(20, width - 1));
}

/**
 * Follows a started download until it ends: a bar redrawn in place on a terminal, a line per 10% when
 * piped. Exit 0 only when the file arrived, was verified and registered.
 */
export async function followDownload(ctx: CommandContext, client: AgencyClient, started: DownloadView, pollMs = 500): Promise<ExitCode> {
  const tty = ctx.io.isTTY && !ctx.json;
  let lastStep = -1;
  let current = started;
  for (;;) {
    const snap = await client.call('modelsSnapshot', {});
    if (!snap.ok) return ctx.fail(snap.error);
    current = snap.value.downloads.find((d) => d.id === started.id) ?? current;
    if (!ctx.json) {
      if (tty) ctx.io.out(`\r${downloadLine(current, ctx.io.columns).padEnd(Math.min(ctx.io.columns - 1, 80))}`);
      else {
        const step = current.totalBytes ? Math.floor((10 * current.receivedBytes) / current.totalBytes) : 0;
        if (step !== lastStep || FINAL.has(current.state)) {
          lastStep = step;
          ctx.io.out(`${downloadLine(current, ctx.io.columns)}\n`);
        }
      }
    }
    if (FINAL.has(current.state)) break;
    await sleep(pollMs);
  }
  if (tty) ctx.io.out('\n');
  if (current.state === 'completed') {
    ctx.print(current, () => `Downloaded and verified ${current.fileName}${current.model ? `; registered as ${current.model}` : ''}.`);
    return EXIT.ok;
  }
  if (ctx.json) ctx.io.out(`${JSON.stringify({ download: current }, null, 2)}\n`);
  const reason = current.error ?? 'no reason given';
  ctx.io.err(`agent-agency: ${/^download /.test(reason) ? reason : `download ${current.state}: ${reason}`}\n`);
  return EXIT.failure;
}

/** `models catalogue`: the recommended models' ids, with size, quantization, context and fit here. */
export async function printCatalogue(ctx: CommandContext, client: AgencyClient): Promise<ExitCode> {
  const r = await client.call('modelsSnapshot', {});
  if (!r.ok) return ctx.fail(r.error);
  const rows = r.value.catalogue;
  ctx.print(
    rows.map((c) => ({ id: c.entry.id, name: c.entry.name, sizeBytes: c.entry.sizeBytes, quantization: c.entry.quantization, contextSize: c.entry.contextSize, memoryBytes: c.entry.memoryBytes, license: c.entry.license, fit: c.fit, installed: c.installed })),
    () =>
      rows.length === 0
        ? 'The catalogue is empty.'
        : `${table(
            ['ID', 'SIZE', 'QUANT', 'CONTEXT', 'MEMORY', 'FIT', 'NAME'],
            rows.map((c) => [c.entry.id, gib(c.entry.sizeBytes), c.entry.quantization, `${Math.round(c.entry.contextSize / 1024)}k`, gib(c.entry.memoryBytes), `${c.fit.replace('_', ' ')}${c.installed ? ' (installed)' : ''}`, c.entry.name]),
            ctx.io.columns,
          )}\n\nDownload one with: agent-agency models pull <id>`,
  );
  return EXIT.ok;
}

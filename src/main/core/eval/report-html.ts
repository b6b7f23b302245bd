import type { EvalTaskResult, EvalTotals } from '../../../shared/domain/eval';

export type ReportInput = { runId: string; suite: string; mode: string; models: Record<string, string>; startedAt: number; results: readonly EvalTaskResult[]; totals: EvalTotals };

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
const num = (x: number | null, digits = 0) => (x === null ? 'n/a' : x.toFixed(digits));

/** A horizontal bar chart as inline SVG: one labelled bar per row, scaled to the largest value. */
function bars(title: string, rows: { label: string; value: number; text?: string; color?: string }[]): string {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const rowH = 22;
  const labelW = 210;
  const barW = 420;
  const h = rows.length * rowH + 30;
  const body = rows
    .map((r, i) => {
      const y = 24 + i * rowH;
      const w = Math.round((r.value / max) * barW);
      return `<text x="0" y="${y + 14}" font-size="12">${esc(r.label)}</text><rect x="${labelW}" y="${y + 2}" width="${w}" height="${rowH - 6}" fill="${r.color ?? '#4e79a7'}"/><text x="${labelW + w + 6}" y="${y + 14}" font-size="12">${esc(r.text ?? String(r.value))}</text>`;
    })
    .join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" width="${labelW + barW + 120}" height="${h}" xmlns="http://www.w3.org/2000/svg">${body}</svg></figure>`;
}

/** One self-contained HTML file: totals, charts (inline SVG, no scripts) and a row per attempt. */
export function renderReport(r: ReportInput): string {
  const t = r.totals;
  const byLang = [...new Set(r.results.map((x) => x.language))].map((lang) => {
    const of = r.results.filter((x) => x.language === lang);
    const ok = of.filter((x) => x.resolved).length;
    return { label: lang, value: of.length === 0 ? 0 : ok / of.length, text: `${ok}/${of.length}` };
  });
  const council = [
    { label: 'true accept', value: t.council.trueAccept, color: '#59a14f' },
    { label: 'false accept', value: t.council.falseAccept, color: '#e15759' },
    { label: 'true reject', value: t.council.trueReject, color: '#76b7b2' },
    { label: 'false reject', value: t.council.falseReject, color: '#f28e2b' },
    { label: 'change never reviewed', value: t.council.unreviewed, color: '#bab0ac' },
  ];
  const tokens = r.results.map((x) => ({ label: `${x.evalTask}#${x.attempt}`, value: x.promptTokens + x.completionTokens, color: x.resolved ? '#59a14f' : '#4e79a7' }));
  const time = r.results.map((x) => ({ label: `${x.evalTask}#${x.attempt}`, value: x.wallMs / 1000, text: `${(x.wallMs / 1000).toFixed(1)} s`, color: x.resolved ? '#59a14f' : '#4e79a7' }));
  const rows = r.results
    .map(
      (x) =>
        `<tr><td>${esc(x.evalTask)}</td><td>${x.attempt}</td><td>${esc(x.language)}</td><td class="${x.resolved ? 'ok' : 'no'}">${x.resolved ? 'yes' : 'no'}</td><td>${esc(x.council)}</td><td>${esc(x.councilOutcome.replace('_', ' '))}</td><td>${x.iterations}</td><td>${x.modelCalls}</td><td>${x.promptTokens}</td><td>${x.completionTokens}</td><td>${(x.wallMs / 1000).toFixed(1)}</td><td>${esc(x.stopReason)}</td><td>${esc(x.taskId ?? '')}</td></tr>`,
    )
    .join('\n');
  const models = Object.entries(r.models).map(([role, m]) => `${esc(role)}: ${esc(m)}`).join(', ') || 'none assigned';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Eval ${esc(r.suite)} — ${esc(r.runId)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}
.ok{background:#e3f4df}.no{background:#fbe4e4}dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px}figure{margin:1em 0}figcaption{font-weight:600;margin-bottom:4px}</style></head>
<body><h1>Eval of ${esc(r.suite)}</h1>
<p>Run ${esc(r.runId)}, ${esc(new Date(r.startedAt).toISOString())}, mode ${esc(r.mode)}. Models: ${models}.</p>
<dl>
<dt>Resolved</dt><dd>${t.resolved} of ${t.attempts} (${pct(t.resolvedRate)})</dd>
<dt>Council precision</dt><dd>${pct(t.council.precision)} (accepted changes that pass the hidden tests)</dd>
<dt>Council recall</dt><dd>${pct(t.council.recall)} (passing changes the council accepted)</dd>
<dt>Model calls</dt><dd>${t.modelCalls}</dd>
<dt>Tokens</dt><dd>${t.promptTokens} prompt, ${t.completionTokens} completion; per resolved task ${num(t.tokensPerResolved)}</dd>
<dt>Wall time</dt><dd>${(t.wallMs / 1000).toFixed(1)} s; per resolved task ${t.wallMsPerResolved === null ? 'n/a' : `${(t.wallMsPerResolved / 1000).toFixed(1)} s`}</dd>
</dl>
${bars('Resolved share by language', byLang.map((b) => ({ ...b, value: b.value })))}
${bars('Council decisions against the hidden tests', council)}
${bars('Tokens per attempt (green: resolved)', tokens)}
${bars('Wall time per attempt, seconds (green: resolved)', time)}
<h2>Attempts</h2>
<table><thead><tr><th>task</th><th>#</th><th>language</th><th>resolved</th><th>council</th><th>vs hidden</th><th>iterations</th><th>model calls</th><th>prompt tok</th><th>completion tok</th><th>wall s</th><th>stop reason</th><th>engine task</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}

import type { OutputStream } from './model-output';
import './task-detail.css';

const phaseText = (p: string | null) => (p ? p.replace(/_/g, ' ') : 'before the first phase');

/**
 * What the models are writing, as they write it: the latest few streams, each cut to its newest
 * text. Not a live region on purpose: a screen reader would read every token.
 */
export function ModelOutput({ streams }: { streams: readonly OutputStream[] }) {
  return (
    <section className="card" aria-labelledby="model-output-title">
      <h3 id="model-output-title">Model output</h3>
      {streams.length === 0 ? (
        <p className="empty">No model output yet.</p>
      ) : (
        <ul className="model-streams" aria-label="Model output streams">
          {streams.map((s, i) => (
            <li key={s.key} data-role={s.role} data-phase={s.phase ?? ''}>
              <details open={i === 0}>
                <summary>
                  <strong>{s.role}</strong> <span className="muted">in {phaseText(s.phase)} · {s.model} · {s.tokens.toLocaleString()} tokens</span>
                </summary>
                <pre className="model-text mono" tabIndex={0} aria-label={`Output of ${s.role}`}>
                  {s.clipped ? '… ' : ''}
                  {s.text}
                </pre>
              </details>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

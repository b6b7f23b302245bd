import { useId, useState } from 'react';
import { ATTACHMENT_EXTENSIONS, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS } from '../../../../shared/domain/attachments';

/** A file picked for a task, read in the page so it travels in the submit call (every transport the same). */
export type PickedFile = { name: string; size: number; dataBase64: string };

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function toBase64(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let text = '';
  // In slices: String.fromCharCode takes its bytes as arguments, and there is a limit to those.
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/**
 * Text, Markdown, PDF and image files for a task. A file too large is refused here with its name; the
 * type and content are checked again by the core, which names the file and the reason.
 */
export function AttachmentPicker({ files, onChange, error }: { files: PickedFile[]; onChange: (files: PickedFile[]) => void; error: string | undefined }) {
  const id = useId();
  const [problem, setProblem] = useState<string | null>(null);
  const [reading, setReading] = useState(false);

  const pick = async (list: FileList | null) => {
    if (!list) return;
    setProblem(null);
    setReading(true);
    const added: PickedFile[] = [];
    const refused: string[] = [];
    for (const f of Array.from(list)) {
      if (f.size > MAX_ATTACHMENT_BYTES) refused.push(`${f.name}: too large (${mb(f.size)}; at most ${mb(MAX_ATTACHMENT_BYTES)})`);
      else if (files.some((x) => x.name === f.name) || added.some((x) => x.name === f.name)) refused.push(`${f.name}: already attached`);
      else {
        try {
          added.push({ name: f.name, size: f.size, dataBase64: toBase64(await f.arrayBuffer()) });
        } catch (e) {
          refused.push(`${f.name}: could not be read (${e instanceof Error ? e.message : String(e)})`);
        }
      }
    }
    const next = [...files, ...added];
    if (next.length > MAX_ATTACHMENTS) refused.push(`at most ${MAX_ATTACHMENTS} files`);
    setReading(false);
    onChange(next.slice(0, MAX_ATTACHMENTS));
    if (refused.length) setProblem(refused.join('; '));
  };

  const shown = error ?? problem;
  return (
    <div className="field attachments">
      <label htmlFor={`${id}-input`}>Attachments (optional)</label>
      <input
        id={`${id}-input`}
        data-testid="attachments-input"
        type="file"
        multiple
        accept={ATTACHMENT_EXTENSIONS.join(',')}
        onChange={(e) => {
          void pick(e.target.files);
          e.target.value = '';
        }}
        aria-describedby={`${id}-help${shown ? ` ${id}-error` : ''}`}
      />
      <span className="hint" id={`${id}-help`}>
        Text, Markdown, PDF or images (a screenshot, a design mock), up to {mb(MAX_ATTACHMENT_BYTES)} each. The planner reads them; images are read by OCR.
      </span>
      {reading ? <span role="status">Reading files…</span> : null}
      {files.length > 0 ? (
        <ul className="attachment-list" aria-label="Attached files">
          {files.map((f) => (
            <li key={f.name}>
              <span className="mono">{f.name}</span> <span className="muted">({mb(f.size)})</span>{' '}
              <button type="button" className="link-button" onClick={() => onChange(files.filter((x) => x.name !== f.name))} aria-label={`Remove ${f.name}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {shown ? (
        <span className="field-error" id={`${id}-error`} role="alert">
          {shown}
        </span>
      ) : null}
    </div>
  );
}

import type { AttachmentView } from '../../../../shared/domain/attachments';

const HOW: Record<NonNullable<AttachmentView['extraction']>, string> = { text: 'read as text', pdf: 'PDF text, by page', ocr: 'image, read by OCR', image: 'given to the model as an image' };

/**
 * The files the task was submitted with, and what became of each: read (and how: text, PDF pages,
 * OCR), waiting for planning, or not read with the reason — never silently left out.
 */
export function TaskAttachments({ attachments }: { attachments: readonly AttachmentView[] }) {
  if (attachments.length === 0) return null;
  const unread = attachments.filter((a) => a.status === 'not_read');
  return (
    <section className="card" aria-labelledby="attachments-title" data-testid="task-attachments">
      <h3 id="attachments-title">Attachments</h3>
      {unread.length > 0 ? (
        <p className="banner banner-danger" role="alert" data-testid="attachments-not-read">
          Not read: {unread.map((a) => `${a.name} (${a.detail})`).join('; ')}. The task goes on without {unread.length === 1 ? 'it' : 'them'}.
        </p>
      ) : null}
      <table className="gov-table">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Size</th>
            <th scope="col">Status</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {attachments.map((a) => (
            <tr key={a.ordinal} data-testid={`attachment-${a.name}`}>
              <td className="mono">{a.name}</td>
              <td>{(a.bytes / 1024).toFixed(1)} KB</td>
              <td>
                <span className={`badge claim-${a.status}`}>{a.status === 'read' ? (a.extraction ? HOW[a.extraction] : 'read') : a.status === 'pending' ? 'read when planning starts' : 'not read'}</span>
              </td>
              <td>{a.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

import { useQuery } from '@tanstack/react-query';
import { api } from '../../api';
import { keys, unwrap } from '../../queries/client';

/**
 * The model that embeds knowledge chunks and the retrieval index into sqlite-vec, chosen among the
 * installed models; none keeps knowledge search and file retrieval keyword-based.
 */
export function EmbeddingModelField({ value, error, onChange }: { value: string; error: string | undefined; onChange: (name: string) => void }) {
  const models = useQuery({ queryKey: keys.models, queryFn: () => unwrap(api.modelsSnapshot({})) });
  const names = (models.data?.models ?? []).map((m) => m.entry.name);
  const missing = value !== '' && models.data !== undefined && !names.includes(value);
  return (
    <div className="field">
      <label htmlFor="knowledgeEmbeddingModel">Embedding model</label>
      <select
        id="knowledgeEmbeddingModel"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={Boolean(error) || missing}
        aria-describedby="knowledgeEmbeddingModel-help"
      >
        <option value="">None: keyword search only</option>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
        {missing && <option value={value}>{value} (not installed)</option>}
      </select>
      <span id="knowledgeEmbeddingModel-help" className={error || missing ? 'field-error' : 'hint'}>
        {error ??
          (missing
            ? `${value} is no longer installed: searches fall back to keywords until you choose another model.`
            : 'Embeds knowledge chunks and the files of each task’s repository into sqlite-vec, so search and file retrieval also rank by meaning. Choose a model made for embeddings; applies at once.')}
      </span>
    </div>
  );
}

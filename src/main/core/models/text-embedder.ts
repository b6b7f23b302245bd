/**
 * What embeds text for a search index: the model assigned to embed (none: the index is lexical only)
 * and its embed call. A port, so the composition root decides which model that is; the knowledge
 * base (knowledge/chunk-vectors.ts) and the retrieval index (retrieval/file-vectors.ts) both take one.
 */
export type TextEmbedder = {
  /** The registry name of the embedding model, or undefined when none is assigned. */
  model(): string | undefined;
  embed(model: string, texts: string[], signal?: AbortSignal): Promise<number[][]>;
};

/**
 * Embeds `texts` with `model` in batches of `batch`, handing each batch's vectors to `onBatch` as it
 * comes (so what was stored before a failure stays stored). Throws when the embedder fails or
 * answers with a different number of vectors than it was given texts.
 */
export async function embedInBatches(
  embedder: TextEmbedder,
  model: string,
  texts: readonly string[],
  batch: number,
  onBatch: (start: number, vectors: number[][]) => void,
  signal?: AbortSignal,
): Promise<void> {
  for (let i = 0; i < texts.length; i += batch) {
    signal?.throwIfAborted();
    const slice = texts.slice(i, i + batch);
    const vectors = await embedder.embed(model, slice, signal);
    if (vectors.length !== slice.length) throw new Error(`embedder returned ${vectors.length} vectors for ${slice.length} texts`);
    onBatch(i, vectors);
  }
}

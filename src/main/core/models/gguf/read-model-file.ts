import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { GgmlType, GgufFileInfo } from 'node-llama-cpp';
import { nodeLlama, type NodeLlama } from '../providers/node-llama';
import type { GgufFacts } from '../../../../shared/domain/model';
import { AppFailure } from '../../../../shared/errors';
import { throwIfAborted } from '../abort';

export type ModelFileInfo = {
  path: string;
  sizeBytes: number;
  sha256: string;
  facts: GgufFacts;
  /** general.name, else the file name without `.gguf`. */
  suggestedName: string;
};

/** [elements per block, bytes per block] of the ggml tensor types, for the truncation check. */
function blockTable(G: typeof GgmlType): Partial<Record<GgmlType, readonly [number, number]>> {
  return {
    [G.F32]: [1, 4],
    [G.F16]: [1, 2],
    [G.BF16]: [1, 2],
    [G.F64]: [1, 8],
    [G.I8]: [1, 1],
    [G.I16]: [1, 2],
    [G.I32]: [1, 4],
    [G.I64]: [1, 8],
    [G.Q4_0]: [32, 18],
    [G.Q4_1]: [32, 20],
    [G.Q5_0]: [32, 22],
    [G.Q5_1]: [32, 24],
    [G.Q8_0]: [32, 34],
    [G.Q8_1]: [32, 36],
    [G.Q2_K]: [256, 84],
    [G.Q3_K]: [256, 110],
    [G.Q4_K]: [256, 144],
    [G.Q5_K]: [256, 176],
    [G.Q6_K]: [256, 210],
    [G.Q8_K]: [256, 292],
    [G.IQ4_NL]: [32, 18],
    [G.IQ4_XS]: [256, 136],
  };
}

const GGUF_MAGIC = Buffer.from('GGUF', 'latin1');

type NodeLlamaEnums = Pick<NodeLlama, 'GgmlType' | 'GgufFileType'>;

/**
 * Reads what the registry keeps about a GGUF file: size, sha256 and the facts in its header. A missing
 * file, a file that is not GGUF, and a truncated or damaged file are each refused with a message that
 * says which, never a crash.
 */
export async function readModelFile(path: string, options: { signal?: AbortSignal } = {}): Promise<ModelFileInfo> {
  const { sizeBytes, info, facts } = await readHeader(path);
  throwIfAborted(options.signal);
  const sha256 = await sha256File(path, options.signal);
  const general = info.metadata.general as { name?: unknown } | undefined;
  const fromHeader = typeof general?.name === 'string' ? general.name : '';
  return { path, sizeBytes, sha256, facts, suggestedName: fromHeader || basename(path).replace(/\.gguf$/i, '') };
}

/** The facts in a GGUF file's header alone, without reading the whole file for its checksum. */
export async function readModelFacts(path: string): Promise<GgufFacts> {
  return (await readHeader(path)).facts;
}

async function readHeader(path: string): Promise<{ sizeBytes: number; info: GgufFileInfo; facts: GgufFacts }> {
  const sizeBytes = await fileSize(path);
  await checkMagic(path);
  const lib = await nodeLlama();
  let info: GgufFileInfo;
  try {
    info = await lib.readGgufFileInfo(path, { readTensorInfo: true, sourceType: 'filesystem', logWarnings: false, spliceSplitFiles: false });
  } catch (cause) {
    throw new AppFailure('invalid_input', `${path} is a damaged or truncated GGUF file: ${reason(cause)}`);
  }
  return { sizeBytes, info, facts: factsOf(lib, info, path, sizeBytes) };
}

async function fileSize(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new AppFailure('invalid_input', `${path} is not a file`);
    return s.size;
  } catch (cause) {
    if (cause instanceof AppFailure) throw cause;
    throw new AppFailure('not_found', `no model file at ${path}`);
  }
}

async function checkMagic(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead < 4 || !head.equals(GGUF_MAGIC)) {
      throw new AppFailure('invalid_input', `${path} is not a GGUF model file (it does not start with "GGUF")`);
    }
  } finally {
    await handle.close();
  }
}

function factsOf(lib: NodeLlamaEnums, info: GgufFileInfo, path: string, sizeBytes: number): GgufFacts {
  const blocks = blockTable(lib.GgmlType);
  // The reader is lenient with a cut-off header (it yields empty names); the offsets tell the truth.
  if (Number(info.infoEndOffset) > sizeBytes) {
    throw new AppFailure('invalid_input', `${path} is a damaged or truncated GGUF file: its header runs past the end of the file (${sizeBytes} bytes)`);
  }
  const tensors = info.fullTensorInfo ?? info.tensorInfo ?? [];
  if (tensors.length === 0) throw new AppFailure('invalid_input', `${path} has no tensors; it is not a usable model`);
  let parameters = 0;
  const bytesByType = new Map<GgmlType, number>();
  for (const t of tensors) {
    const elements = t.dimensions.reduce<number>((a, d) => a * Number(d), 1);
    parameters += elements;
    const block = blocks[t.ggmlType];
    const offset = Number(t.fileOffset);
    const bytes = block ? Math.ceil(elements / block[0]) * block[1] : 0;
    // The file must hold every tensor's data; a cut-off download fails here, not at load time.
    if (offset + bytes > sizeBytes) {
      throw new AppFailure(
        'invalid_input',
        `${path} is truncated: tensor ${t.name} ends at byte ${offset + bytes} but the file has ${sizeBytes} bytes`,
      );
    }
    bytesByType.set(t.ggmlType, (bytesByType.get(t.ggmlType) ?? 0) + bytes);
  }
  const general = (info.metadata.general ?? {}) as { architecture?: unknown; file_type?: unknown };
  const architecture = typeof general.architecture === 'string' ? general.architecture : 'unknown';
  const arch = (info.architectureMetadata ?? {}) as Record<string, unknown>;
  const attention = (arch['attention'] ?? {}) as Record<string, unknown>;
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'bigint' ? Number(v) : null);
  const layers = num(arch['block_count']) ?? 0;
  const embedding = num(arch['embedding_length']);
  const heads = num(attention['head_count']) ?? null;
  const kvHeads = num(attention['head_count_kv']) ?? heads;
  const headDimK = num(attention['key_length']) ?? (embedding && heads ? embedding / heads : 0);
  const headDimV = num(attention['value_length']) ?? headDimK;
  const kvBytesPerToken = layers * (kvHeads ?? 0) * (headDimK + headDimV) * 2;
  const tokenizer = (info.metadata.tokenizer as { ggml?: { tokens?: unknown } } | undefined)?.ggml;
  const vocabularySize = Array.isArray(tokenizer?.tokens) ? tokenizer.tokens.length : 0;
  return {
    architecture,
    parameters,
    quantization: quantizationName(lib, num(general.file_type), bytesByType),
    contextLength: num(arch['context_length']),
    layers,
    embeddingLength: embedding,
    kvBytesPerToken,
    headDims: headDimK > 0 ? { k: headDimK, v: headDimV } : null,
    vocabularySize,
  };
}

function quantizationName({ GgmlType, GgufFileType }: NodeLlamaEnums, fileType: number | null, bytesByType: Map<GgmlType, number>): string {
  if (fileType !== null && GgufFileType[fileType] !== undefined) {
    return GgufFileType[fileType].replace(/^(ALL|MOSTLY)_/, '');
  }
  let best: GgmlType | undefined;
  for (const [type, bytes] of bytesByType) if (best === undefined || bytes > (bytesByType.get(best) ?? 0)) best = type;
  return best === undefined ? 'unknown' : (GgmlType[best] ?? 'unknown');
}

export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const stream = createReadStream(path, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function reason(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

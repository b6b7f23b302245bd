import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import { z } from 'zod';
import type { DiskModel } from '../../../../shared/channels/discovery';

/** Folders LM Studio keeps GGUF files in (current and older layouts). */
export function lmStudioDirs(home = homedir()): string[] {
  return [join(home, '.lmstudio', 'models'), join(home, '.cache', 'lm-studio', 'models')];
}

/** Ollama's model stores: the user's, and the system service's on Linux. */
export function ollamaDirs(home = homedir()): string[] {
  return [join(home, '.ollama', 'models'), '/usr/share/ollama/.ollama/models'];
}

const Manifest = z.object({ layers: z.array(z.object({ mediaType: z.string(), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/), size: z.number().optional() })) });

/** GGUF files under `dir`, at most `depth` folders down and `limit` in all; symbolic links are not followed. */
async function findGguf(dir: string, depth: number, limit: number, out: string[]): Promise<void> {
  if (depth < 0 || out.length >= limit) return;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (out.length >= limit) return;
    const full = join(dir, e.name);
    if (e.isDirectory()) await findGguf(full, depth - 1, limit, out);
    else if (e.isFile() && e.name.toLowerCase().endsWith('.gguf') && !/mmproj/i.test(e.name)) out.push(full);
  }
}

/** Ollama names its weights by digest; the manifests say which blob is which model (`library/qwen2.5-coder:7b`). */
async function ollamaModels(root: string, limit: number): Promise<DiskModel[]> {
  const manifests = join(root, 'manifests');
  if (!existsSync(manifests)) return [];
  const files: string[] = [];
  const walk = async (dir: string, depth: number) => {
    if (depth < 0 || files.length >= limit) return;
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full, depth - 1);
      else if (e.isFile()) files.push(full);
    }
  };
  await walk(manifests, 5);
  const found: DiskModel[] = [];
  for (const file of files) {
    try {
      const manifest = Manifest.parse(JSON.parse(await readFile(file, 'utf8')));
      const layer = manifest.layers.find((l) => l.mediaType === 'application/vnd.ollama.image.model');
      if (!layer) continue;
      const blob = join(root, 'blobs', layer.digest.replace(':', '-'));
      const info = await stat(blob).catch(() => null);
      if (!info?.isFile()) continue;
      const parts = file.slice(manifests.length + 1).split(/[\\/]/);
      const name = `${parts.at(-2) ?? 'model'}:${parts.at(-1) ?? 'latest'}`;
      found.push({ source: 'ollama', path: blob, name, sizeBytes: info.size });
    } catch {
      // Not a manifest this reader understands: skip it.
    }
  }
  return found;
}

/** GGUF files LM Studio and Ollama already keep on disk, to add by reference (nothing is copied). */
export async function discoverDiskModels(options: { home?: string; limit?: number } = {}): Promise<DiskModel[]> {
  const limit = options.limit ?? 200;
  const lm: string[] = [];
  for (const dir of lmStudioDirs(options.home)) await findGguf(dir, 4, limit, lm);
  const lmModels = await Promise.all(
    lm.map(async (path) => ({ source: 'lmstudio' as const, path, name: basename(path, '.gguf'), sizeBytes: (await stat(path).catch(() => null))?.size ?? 0 })),
  );
  const ollama = (await Promise.all(ollamaDirs(options.home).map((d) => ollamaModels(d, limit)))).flat();
  return [...lmModels, ...ollama].slice(0, limit);
}

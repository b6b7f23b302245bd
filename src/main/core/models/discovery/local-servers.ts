import { z } from 'zod';
import type { LocalServer } from '../../../../shared/channels/discovery';

/** Where the usual local model servers listen by default (loopback only). */
export const DEFAULT_SERVERS: readonly { kind: LocalServer['kind']; baseUrl: string }[] = [
  { kind: 'ollama', baseUrl: 'http://127.0.0.1:11434' },
  { kind: 'lmstudio', baseUrl: 'http://127.0.0.1:1234' },
  { kind: 'llama.cpp', baseUrl: 'http://127.0.0.1:8080' },
];

const OllamaTags = z.object({ models: z.array(z.object({ name: z.string(), size: z.number().optional() })).max(500) });
const OpenAiModels = z.object({ data: z.array(z.object({ id: z.string() })).max(500) });

export type DiscoverOptions = {
  /** Extra OpenAI-compatible base URLs to look at (AGENT_AGENCY_MODEL_SERVERS), loopback only. */
  extra?: readonly string[];
  timeoutMs?: number;
  fetch?: typeof fetch;
};

/** Only loopback addresses are probed: discovery never reaches out to the network. */
export function isLoopbackUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return (u.protocol === 'http:' || u.protocol === 'https:') && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

async function getJson(f: typeof fetch, url: string, timeoutMs: number): Promise<unknown> {
  const res = await f(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const text = await res.text();
  if (text.length > 2_000_000) throw new Error('answer too large');
  return JSON.parse(text) as unknown;
}

/** One server: Ollama's own model list, else the OpenAI-compatible `/v1/models`. Null when nothing answers. */
async function probe(f: typeof fetch, kind: LocalServer['kind'], baseUrl: string, timeoutMs: number): Promise<LocalServer | null> {
  const base = baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
  if (kind === 'ollama') {
    try {
      const tags = OllamaTags.parse(await getJson(f, `${base}/api/tags`, timeoutMs));
      // Ollama serves the OpenAI-compatible API under /v1 with the same model names.
      return { kind, baseUrl: `${base}/v1`, models: tags.models.map((m) => m.name) };
    } catch {
      return null;
    }
  }
  try {
    const list = OpenAiModels.parse(await getJson(f, `${base}/v1/models`, timeoutMs));
    return { kind, baseUrl: `${base}/v1`, models: list.data.map((m) => m.id) };
  } catch {
    return null;
  }
}

/** Running local model servers (Ollama, LM Studio, llama.cpp server, and any extra address) with their models. */
export async function discoverServers(options: DiscoverOptions = {}): Promise<LocalServer[]> {
  const f = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 800;
  const candidates = [
    ...DEFAULT_SERVERS,
    ...(options.extra ?? []).filter(isLoopbackUrl).map((baseUrl) => ({ kind: 'openai' as const, baseUrl })),
  ];
  const found = await Promise.all(candidates.map((c) => probe(f, c.kind, c.baseUrl, timeoutMs)));
  const seen = new Set<string>();
  return found.filter((s): s is LocalServer => {
    if (!s || seen.has(s.baseUrl)) return false;
    seen.add(s.baseUrl);
    return true;
  });
}

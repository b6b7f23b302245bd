import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { tempDir, testCore } from '../../../../test/helpers';
import { fixedMemoryProbe } from '../../core/models/memory-probe';
import { ensureTestModel } from '../../core/models/testing/test-model';
import { startHeadlessHost, type HeadlessHost } from '../host';

// Two instances of the app: `serving` has the test model and serves it over /v1; `using` registers
// it as a remote OpenAI-compatible model and calls it through its own model service.
const modelOptions = {
  threads: 1,
  gpu: false as const,
  idleUnloadMs: 0,
  memory: fixedMemoryProbe({ totalBytes: 64 * 1024 ** 3, availableBytes: 48 * 1024 ** 3, gpu: 'cpu' }),
};
let serving: ReturnType<typeof testCore>;
let using: ReturnType<typeof testCore>;
let host: HeadlessHost;
let renderer: ReturnType<typeof tempDir>;
let openai: OpenAI;

const Verdict = z.strictObject({ verdict: z.enum(['pass', 'fail', 'uncertain']), confidence: z.number(), reasons: z.array(z.string()) });
const verdictSchema = {
  type: 'object',
  properties: { verdict: { enum: ['pass', 'fail', 'uncertain'] }, confidence: { type: 'number' }, reasons: { type: 'array', items: { type: 'string' } } },
  required: ['verdict', 'confidence', 'reasons'],
  additionalProperties: false,
};

beforeAll(async () => {
  serving = testCore({ models: modelOptions });
  using = testCore({ models: modelOptions });
  renderer = tempDir('aa-renderer-');
  writeFileSync(join(renderer.dir, 'index.html'), '<!doctype html><title>Agent Agency</title>');
  await serving.models.addByPath({ path: await ensureTestModel(), name: 'tiny' });
  host = await startHeadlessHost({ core: serving, rendererDir: renderer.dir, port: 0, api: { rateLimit: false } });
  openai = new OpenAI({ baseURL: `${host.url}/v1`, apiKey: host.token, maxRetries: 0, timeout: 20_000 });
  await using.models.addRemote({ name: 'far-tiny', baseUrl: `${host.url}/v1`, model: 'tiny', apiKey: host.token });
});

afterAll(async () => {
  host?.app.server.closeAllConnections();
  await host?.close();
  using?.cleanup();
  serving?.cleanup();
  renderer?.cleanup();
});

describe('OpenAI-compatible endpoint (official openai client)', () => {
  it('lists the registered models', async () => {
    const page = await openai.models.list();
    expect(page.data.map((m) => m.id)).toEqual(['tiny']);
    expect((await openai.models.retrieve('tiny')).id).toBe('tiny');
  });

  it('answers a chat completion with usage', async () => {
    const r = await openai.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 8 });
    expect(r.object).toBe('chat.completion');
    expect(r.choices[0]!.message.role).toBe('assistant');
    expect(typeof r.choices[0]!.message.content).toBe('string');
    expect(r.choices[0]!.finish_reason).toBe('length');
    expect(r.usage).toMatchObject({ completion_tokens: 8 });
    expect(r.usage!.prompt_tokens).toBeGreaterThan(0);
  });

  it('streams a chat completion chunk by chunk', async () => {
    const stream = await openai.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Stream' }],
      max_tokens: 12,
      stream: true,
      stream_options: { include_usage: true },
    });
    const pieces: string[] = [];
    let finish: string | null = null;
    let completionTokens = 0;
    for await (const chunk of stream) {
      const c = chunk.choices[0];
      if (c?.delta.content) pieces.push(c.delta.content);
      if (c?.finish_reason) finish = c.finish_reason;
      if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
    }
    expect(pieces.length).toBeGreaterThan(1);
    expect(finish).toBe('length');
    expect(completionTokens).toBe(12);
  });

  it('constrains output to a JSON schema that parses and validates', async () => {
    const r = await openai.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'Judge the change.' }],
      max_tokens: 300,
      response_format: { type: 'json_schema', json_schema: { name: 'verdict', schema: verdictSchema, strict: true } },
    });
    expect(Verdict.safeParse(JSON.parse(r.choices[0]!.message.content!)).success).toBe(true);
  });

  it('streams schema-constrained JSON too', async () => {
    const stream = await openai.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'Judge.' }],
      max_tokens: 300,
      stream: true,
      response_format: { type: 'json_schema', json_schema: { name: 'verdict', schema: verdictSchema } },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(Verdict.safeParse(JSON.parse(text)).success).toBe(true);
  });

  it('returns embeddings (the client asks for base64 and decodes it)', async () => {
    const r = await openai.embeddings.create({ model: 'tiny', input: ['alpha', 'beta'] });
    expect(r.data).toHaveLength(2);
    expect(r.data[0]!.embedding).toHaveLength(64);
    expect(r.data[0]!.embedding.every(Number.isFinite)).toBe(true);
    const asFloats = await openai.embeddings.create({ model: 'tiny', input: 'alpha', encoding_format: 'float' });
    expect(asFloats.data[0]!.embedding[0]).toBeCloseTo(r.data[0]!.embedding[0]!, 5);
  });

  it('refuses a wrong token, an unknown model and a malformed request in the OpenAI error shape', async () => {
    const wrong = new OpenAI({ baseURL: `${host.url}/v1`, apiKey: 'nope', maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
    await expect(openai.chat.completions.create({ model: 'missing', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
    const res = await fetch(`${host.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', messages: [] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_input' } });
  });
});

describe('OpenAI-compatible endpoint: what it does not do is refused by name', () => {
  const post = (path: string, body: unknown) =>
    fetch(`${host.url}/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('refuses n > 1, tools and function calling with a 400 naming the field', async () => {
    const base = { model: 'tiny', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 2 };
    const cases: [Record<string, unknown>, string][] = [
      [{ n: 2 }, 'n'],
      [{ tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }, 'tools'],
      [{ tool_choice: 'auto' }, 'tool_choice'],
      [{ functions: [{ name: 'f' }] }, 'functions'],
    ];
    for (const [extra, field] of cases) {
      const res = await post('/chat/completions', { ...base, ...extra });
      expect(res.status, field).toBe(400);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message, field).toMatch(new RegExp(`^${field}: `));
    }
    const completion = await post('/completions', { model: 'tiny', prompt: 'Hi', max_tokens: 2, n: 3 });
    expect(completion.status).toBe(400);
    // n = 1 and an empty tool list mean "no tools": accepted.
    const fine = await post('/chat/completions', { ...base, n: 1, tools: [], tool_choice: 'none' });
    expect(fine.status).toBe(200);
  });

  it('reports finish_reason length when generation ran into the token limit without a max_tokens', async () => {
    // The test model never stops by itself; without max_tokens the server's cap ends it.
    const r = await openai.completions.create({ model: 'tiny', prompt: 'Once upon a time' });
    expect(r.choices[0]!.finish_reason).toBe('length');
    expect(r.usage!.completion_tokens).toBeGreaterThan(4);
    const chat = await openai.chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'Tell a story' }], max_completion_tokens: 3 });
    expect(chat.choices[0]!.finish_reason).toBe('length');
  });
});

describe('remote provider against a second instance', () => {
  it('completes, chats and streams through the remote endpoint', async () => {
    const worker = using.models.client('worker');
    const completion = await worker.complete('Once', { maxTokens: 6 });
    expect(completion).toMatchObject({ model: 'far-tiny', tokens: 6 });
    const pieces: string[] = [];
    const chat = await worker.chat([{ role: 'user', content: 'Hi' }], { maxTokens: 10, onToken: (t) => pieces.push(t) });
    expect(chat.tokens).toBe(10);
    expect(pieces.join('')).toBe(chat.text);
    expect(pieces.length).toBeGreaterThan(1);
  });

  it('generates schema-constrained JSON and embeddings through the remote endpoint', async () => {
    const judge = using.models.client('judge.quality');
    const { value } = await judge.generateJson([{ role: 'user', content: 'Judge.' }], verdictSchema, { maxTokens: 300 });
    expect(Verdict.safeParse(value).success).toBe(true);
    const vectors = await judge.embed(['one', 'two']);
    expect(vectors.map((v) => v.length)).toEqual([64, 64]);
  });

  it('aborts a remote stream promptly', async () => {
    const controller = new AbortController();
    let n = 0;
    const call = using.models.client('worker').chat([{ role: 'user', content: 'Go on' }], {
      maxTokens: 800,
      signal: controller.signal,
      onToken: () => {
        if (++n === 2) controller.abort();
      },
    });
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('reports an unreachable endpoint as a clear load failure and keeps serving the others', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    await using.models.addRemote({ name: 'gone', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'x' });
    using.models.assignRole('judge.integration', 'gone');
    await expect(using.models.client('judge.integration').chat([{ role: 'user', content: 'x' }])).rejects.toThrow(
      `model endpoint http://127.0.0.1:${port}/v1 (x) cannot be reached (ECONNREFUSED)`,
    );
    const failed = using.models.events.since(0).events.filter((e) => e.type === 'model.load_failed');
    expect(failed.map((e) => (e.type === 'model.load_failed' ? e.model : ''))).toEqual(['gone']);
    expect((await using.models.client('worker').complete('still here', { maxTokens: 2 })).tokens).toBe(2);
  });

  it('reports a wrong API key from the endpoint as unauthorized', async () => {
    await using.models.addRemote({ name: 'bad-key', baseUrl: `${host.url}/v1`, model: 'tiny', apiKey: 'wrong' });
    await expect(using.models.load('bad-key')).rejects.toMatchObject({ code: 'unauthorized' });
  });
});

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../journal/journal';
import { OpenAiLoadedModel } from './openai-model';

/** An endpoint on 127.0.0.1 that answers whatever the test says. */
let server: Server | undefined;
async function endpoint(answer: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/models') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[]}');
        return;
      }
      answer(req, res, body);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

const connect = (baseUrl: string, extra: { requestTimeoutMs?: number } = {}) =>
  OpenAiLoadedModel.connect({ clock: systemClock, name: 'remote', baseUrl, model: 'm', ...extra });
const json = (res: ServerResponse, status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
const reply = (content: string) => ({ choices: [{ message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { completion_tokens: 3 } });

describe('OpenAI-compatible provider: bad answers become clear errors', () => {
  it('sends the schema as response_format and reports output that is not JSON', async () => {
    let sent: unknown;
    const url = await endpoint((_req, res, body) => {
      sent = JSON.parse(body);
      json(res, 200, reply('this is not json'));
    });
    const model = await connect(url);
    await expect(model.generateJson([{ role: 'user', content: 'x' }], { type: 'object' })).rejects.toThrow(
      `remote at ${url} returned output that is not valid JSON`,
    );
    expect(sent).toMatchObject({ model: 'm', response_format: { type: 'json_schema', json_schema: { name: 'output', schema: { type: 'object' }, strict: true } } });
  });

  it('reports a reply of the wrong shape', async () => {
    const url = await endpoint((_req, res) => json(res, 200, { choices: [] }));
    const model = await connect(url);
    await expect(model.chat([{ role: 'user', content: 'x' }])).rejects.toThrow(`model endpoint ${url} (m) sent a malformed chat completion reply`);
  });

  it('passes the endpoint error message on, with a code from its status', async () => {
    const url = await endpoint((_req, res) => json(res, 503, { error: { message: 'model is loading' } }));
    const model = await connect(url);
    await expect(model.chat([{ role: 'user', content: 'x' }])).rejects.toMatchObject({
      code: 'unavailable',
      message: `model endpoint ${url} (m) answered POST /chat/completions with HTTP 503: model is loading`,
    });
  });

  it('gives up with a timeout when the endpoint never answers', async () => {
    let hungUp!: () => void;
    const clientLeft = new Promise<void>((resolve) => (hungUp = resolve));
    const url = await endpoint((_req, res) => res.on('close', hungUp));
    const model = await connect(url, { requestTimeoutMs: 150 });
    // Without the limit the default one (ten minutes) would hold this call past the test's own timeout.
    await expect(model.chat([{ role: 'user', content: 'x' }])).rejects.toMatchObject({ code: 'timeout' });
    // It let go of the request too, rather than leaving it open on the endpoint.
    await clientLeft;
  });

  it('reads a stream that ends without [DONE] and counts usage when given', async () => {
    const url = await endpoint((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n');
      res.write('data: {"choices":[{"delta":{"content":"lo"}}]}\r\n\r\n');
      res.end('data: {"choices":[],"usage":{"completion_tokens":2}}\n\n');
    });
    const model = await connect(url);
    const pieces: string[] = [];
    const g = await model.chat([{ role: 'user', content: 'x' }], { onToken: (t) => pieces.push(t) });
    expect(pieces).toEqual(['Hel', 'lo']);
    expect(g).toMatchObject({ text: 'Hello', tokens: 2, model: 'remote' });
  });
});

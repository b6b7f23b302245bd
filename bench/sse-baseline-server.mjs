/* global process */
// Baseline for the streaming figure of bench/api.bench.mjs: a bare node:http server of the same kind
// as the API's event stream — a POST publishes one event, every open GET /events stream receives it
// as Server-Sent Events — with nothing else (no token, no parsing, no database, no journal).
// Prints {"url": …} once listening.
import { createServer } from 'node:http';

const streams = new Set();
let seq = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/events') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(': open\n\n');
    streams.add(res);
    req.on('close', () => streams.delete(res));
    return;
  }
  if (req.method === 'POST' && req.url === '/publish') {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const event = { seq: ++seq, ts: Date.now(), type: 'task.created', payload: { task: JSON.parse(body) } };
      const frame = `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
      for (const s of streams) s.write(frame);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true, value: event }));
    });
    return;
  }
  res.writeHead(404).end();
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));

import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { WsRequest, type WsServerFrame } from '../../shared/contract';
import { describeZodError, err } from '../../shared/errors';
import type { Core } from '../core/composition/app-core';
import { ContractSession } from '../core/api/session';
import { originAllowed } from './access';

/**
 * Most bytes one client frame may have; anything larger is refused, not parsed. A task submitted with
 * attachments carries them in its frame (16 MB of files as base64), so frames may be that large.
 */
export const MAX_FRAME_BYTES = 24 * 1024 * 1024;

/**
 * The contract over a WebSocket at `/ws`. The upgrade is refused unless the token matches and the
 * page comes from this host's own origin.
 */
export function registerWsTransport(app: FastifyInstance, core: Core, port: () => number): void {
  app.get(
    '/ws',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        const query = request.query as Record<string, string | undefined>;
        if (!core.apiToken.matches(query['token'])) {
          return reply.code(401).send({ ok: false, error: { code: 'unauthorized', message: 'missing or wrong token' } });
        }
        if (!originAllowed(request.headers.origin, port())) {
          return reply.code(403).send({ ok: false, error: { code: 'forbidden', message: 'origin not allowed' } });
        }
      },
    },
    (socket: WebSocket) => {
      const send = (frame: WsServerFrame) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
      };
      // The headless host's WebSocket serves the app's own window (token and origin checked).
      const session = new ContractSession(core, (event) => send({ kind: 'event', event }), { via: 'window', human: true });
      socket.on('message', (data, isBinary) => {
        void handleFrame(session, data, isBinary, send);
      });
      socket.on('close', () => session.close());
      socket.on('error', () => session.close());
    },
  );
}

async function handleFrame(
  session: ContractSession,
  data: unknown,
  isBinary: boolean,
  send: (frame: WsServerFrame) => void,
): Promise<void> {
  const text = isBinary ? null : Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : null;
  if (text === null || text.length > MAX_FRAME_BYTES) {
    send({ kind: 'reply', id: -1, result: err('invalid_input', `frames must be JSON text under ${MAX_FRAME_BYTES / 1024 / 1024} MB`) });
    return;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    send({ kind: 'reply', id: -1, result: err('invalid_input', 'frame is not valid JSON') });
    return;
  }
  const request = WsRequest.safeParse(json);
  if (!request.success) {
    const { message, issues } = describeZodError(request.error);
    const id = typeof (json as { id?: unknown })?.id === 'number' ? (json as { id: number }).id : -1;
    send({ kind: 'reply', id, result: err('invalid_input', message, issues) });
    return;
  }
  const result = await session.call(request.data.channel, request.data.input);
  send({ kind: 'reply', id: request.data.id, result });
}

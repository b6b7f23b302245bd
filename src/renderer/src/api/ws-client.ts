import type { AgentAgencyApi, ChannelName, ConnectionStatus, WsServerFrame } from '../../../shared/contract';
import { CHANNEL_NAMES } from '../../../shared/contract';
import type { AgentEvent } from '../../../shared/domain/events';
import { err, type Result } from '../../../shared/errors';

type Pending = { resolve: (r: Result<unknown>) => void; timer: ReturnType<typeof setTimeout> };

const REQUEST_TIMEOUT_MS = 30_000;
const MAX_BACKOFF_MS = 5_000;

/**
 * The contract over the headless host's WebSocket, shaped exactly like the Electron preload's
 * `window.agentAgency`, so the app cannot tell the two apart. Reconnects with backoff; the store
 * resubscribes from its last sequence number when the connection comes back.
 */
/** `url` is read at every (re)connection, so a rotated token is used from the next one on. */
/**
 * `checkToken` answers whether the host refuses the page's token: a refused WebSocket upgrade reaches the
 * page only as an abnormal close (1006), so after a close that never opened the client asks over HTTP.
 */
export function createWsApi(url: () => string, checkToken?: () => Promise<'ok' | 'refused' | 'unknown'>): AgentAgencyApi {
  let socket: WebSocket | undefined;
  let nextId = 1;
  let attempt = 0;
  let status: ConnectionStatus = 'reconnecting';
  const pending = new Map<number, Pending>();
  const eventListeners = new Set<(e: AgentEvent) => void>();
  const statusListeners = new Set<(s: ConnectionStatus) => void>();
  let opened: Promise<void>;
  let markOpen: () => void = () => undefined;

  const setStatus = (s: ConnectionStatus) => {
    status = s;
    for (const l of statusListeners) l(s);
  };

  const connect = () => {
    opened = new Promise((resolve) => (markOpen = resolve));
    const ws = new WebSocket(url());
    socket = ws;
    let wasOpen = false;
    ws.onopen = () => {
      wasOpen = true;
      attempt = 0;
      markOpen();
      setStatus('connected');
    };
    ws.onmessage = (msg) => {
      let frame: WsServerFrame;
      try {
        frame = JSON.parse(String(msg.data)) as WsServerFrame;
      } catch {
        return;
      }
      if (frame.kind === 'event') {
        for (const l of eventListeners) l(frame.event);
      } else {
        const p = pending.get(frame.id);
        if (p) {
          clearTimeout(p.timer);
          pending.delete(frame.id);
          p.resolve(frame.result);
        }
      }
    };
    ws.onclose = (e) => {
      for (const [id, p] of pending) {
        clearTimeout(p.timer);
        p.resolve(err('unavailable', 'connection to the app was lost; try again'));
        pending.delete(id);
      }
      if (e.code === 1008 || e.code === 4401) {
        setStatus('disconnected');
        return;
      }
      setStatus('reconnecting');
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt++);
      if (!wasOpen && checkToken) {
        void checkToken().then((verdict) => {
          if (verdict === 'refused') setStatus('unauthorized');
          else setTimeout(connect, delay);
        });
        return;
      }
      setTimeout(connect, delay);
    };
  };
  connect();

  const call = async (channel: ChannelName, input: unknown): Promise<Result<unknown>> => {
    if (status === 'unauthorized') return err('unauthorized', 'this page\'s access token is not valid; open the current address (agent-agency open prints it)');
    await opened;
    const id = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        resolve(err('timeout', `${channel} took longer than ${REQUEST_TIMEOUT_MS / 1000} s`));
      }, REQUEST_TIMEOUT_MS);
      pending.set(id, { resolve, timer });
      socket?.send(JSON.stringify({ id, channel, input }));
    });
  };

  const methods = Object.fromEntries(CHANNEL_NAMES.map((name) => [name, (input: unknown) => call(name, input)]));
  return {
    ...methods,
    onEvent(listener: (e: AgentEvent) => void) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onConnection(listener: (s: ConnectionStatus) => void) {
      statusListeners.add(listener);
      listener(status);
      return () => statusListeners.delete(listener);
    },
  } as unknown as AgentAgencyApi;
}

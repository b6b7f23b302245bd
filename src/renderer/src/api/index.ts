import type { AgentAgencyApi } from '../../../shared/contract';
import { createWsApi } from './ws-client';

declare global {
  interface Window {
    agentAgency?: AgentAgencyApi;
  }
}

const TOKEN_KEY = 'agent-agency.token';

/** The headless host hands the token over once in the URL fragment; the page keeps it for the tab. */
function takeToken(): string | null {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', `${location.pathname}#/tasks`);
    return match[1];
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Asks the REST API with the page's token: 401 means the token is stale or wrong. */
async function checkToken(): Promise<'ok' | 'refused' | 'unknown'> {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return 'refused';
  try {
    const res = await fetch('/api/v1/tasks?limit=1', { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
    return res.status === 401 ? 'refused' : 'ok';
  } catch {
    return 'unknown';
  }
}

/** Whether the page has a token at all (the address it was opened with carried one). */
export const hasToken = (): boolean => Boolean(window.agentAgency) || Boolean(sessionStorage.getItem(TOKEN_KEY));

function pickTransport(): AgentAgencyApi {
  if (window.agentAgency) return window.agentAgency;
  takeToken();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return createWsApi(
    () => `${scheme}://${location.host}/ws?token=${encodeURIComponent(sessionStorage.getItem(TOKEN_KEY) ?? '')}`,
    checkToken,
  );
}

export const api: AgentAgencyApi = pickTransport();

/** After a rotation this page keeps using the new token when it reconnects. */
export function rememberToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

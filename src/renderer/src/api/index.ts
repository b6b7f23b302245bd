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

function pickTransport(): AgentAgencyApi {
  if (window.agentAgency) return window.agentAgency;
  takeToken();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return createWsApi(() => `${scheme}://${location.host}/ws?token=${encodeURIComponent(sessionStorage.getItem(TOKEN_KEY) ?? '')}`);
}

export const api: AgentAgencyApi = pickTransport();

/** After a rotation this page keeps using the new token when it reconnects. */
export function rememberToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

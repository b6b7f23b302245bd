import { contextBridge, ipcRenderer } from 'electron';
import { CHANNEL_NAMES, IPC_EVENT_CHANNEL, ipcChannel, type AgentAgencyApi } from '../shared/contract';
import type { AgentEvent } from '../shared/domain/events';

// One named method per contract channel; nothing else crosses into the page.
const methods = Object.fromEntries(
  CHANNEL_NAMES.map((name) => [name, (input: unknown) => ipcRenderer.invoke(ipcChannel(name), input)]),
);

const api = {
  ...methods,
  onEvent(listener: (event: AgentEvent) => void) {
    const handler = (_e: unknown, event: AgentEvent) => listener(event);
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
    };
  },
  onConnection(listener: (status: 'connected') => void) {
    // IPC never drops while the window lives.
    listener('connected');
    return () => undefined;
  },
} as AgentAgencyApi;

contextBridge.exposeInMainWorld('agentAgency', api);

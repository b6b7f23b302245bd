import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { CHANNEL_NAMES, IPC_EVENT_CHANNEL, ipcChannel } from '../../shared/contract';
import { err } from '../../shared/errors';
import type { Core } from '../core/composition/app-core';
import { ContractSession } from '../core/api/session';

/**
 * Binds every contract channel to ipcMain. Each window gets its own session; a call from any frame
 * that is not one of our own pages is refused.
 */
export function bindContract(core: Core, isTrustedUrl: (url: string) => boolean): () => void {
  const sessions = new Map<number, ContractSession>();
  const sessionFor = (contents: WebContents): ContractSession => {
    let session = sessions.get(contents.id);
    if (!session) {
      const created = new ContractSession(
        core,
        (event) => {
          if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event);
        },
        { via: 'window', human: true },
      );
      sessions.set(contents.id, created);
      contents.once('destroyed', () => {
        created.close();
        sessions.delete(contents.id);
      });
      session = created;
    }
    return session;
  };
  for (const name of CHANNEL_NAMES) {
    ipcMain.handle(ipcChannel(name), (event: IpcMainInvokeEvent, input: unknown) => {
      const url = event.senderFrame?.url ?? '';
      if (!isTrustedUrl(url)) return err('forbidden', 'this page may not use the app contract');
      return sessionFor(event.sender).call(name, input);
    });
  }
  return () => {
    for (const name of CHANNEL_NAMES) ipcMain.removeHandler(ipcChannel(name));
    for (const s of sessions.values()) s.close();
    sessions.clear();
  };
}

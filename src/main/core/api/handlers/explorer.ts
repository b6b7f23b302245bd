import type { explorerChannels } from '../../../../shared/channels/explorer';
import type { AreaHandlers, SessionContext } from './types';

export function explorerHandlers(ctx: SessionContext): AreaHandlers<keyof typeof explorerChannels> {
  const { explorer } = ctx.core;
  return {
    listExplorerTables: () => explorer.listTables(),
    listExplorerRows: (input) => explorer.listRows(input),
    runExplorerQuery: (input) => explorer.runQuery(input),
  };
}

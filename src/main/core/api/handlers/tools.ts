import type { toolChannels } from '../../../../shared/channels/tools';
import { AppFailure } from '../../../../shared/errors';
import { toolCallReport, workspaceCall } from '../../tools/workspace-call';
import type { AreaHandlers, SessionContext } from './types';

/** Settings edits carry no identity in the contract yet (as in settings.ts); grants and approvals do. */
const SETTINGS_ACTOR = 'user';

export function toolHandlers(ctx: SessionContext): AreaHandlers<keyof typeof toolChannels> {
  const { tools } = ctx.core;
  return {
    listToolServers: () => tools.servers(),
    listTools: (input) => tools.listTools(input.server),
    addToolServer: (input) => tools.addServer(input.config, input.replace, SETTINGS_ACTOR),
    importToolServers: (input) => tools.importServers(input.json, input.replace, SETTINGS_ACTOR),
    removeToolServer: async (input) => ({ removed: await tools.removeServer(input.name) }),
    restartToolServer: (input) => tools.restartServer(input.name),
    setToolPermission: (input) => tools.setPermission(input.server, input.tool, input.permission, SETTINGS_ACTOR),
    setToolPreference: (input) => tools.setPreference(input.name, input.server, SETTINGS_ACTOR),
    listToolGrants: (input) => tools.grants({ taskId: input.taskId, includeRevoked: input.includeRevoked }),
    revokeToolGrant: (input) => tools.revokeGrant(input.id, input.actor),
    getPendingToolCall: (input) => tools.pendingCall(input.id),
    approveToolCall: (input) => {
      const engine = ctx.core.engine;
      if (!engine) throw new AppFailure('unavailable', 'no task engine runs in this process; start the app to approve tool calls');
      return tools.approveCall(input.id, input.actor, input.scope, (id, actor) => engine.approve(id, actor, 'tool'));
    },
    callTool: async (input) => toolCallReport(await tools.callInWorkspace(workspaceCall(input))),
  };
}

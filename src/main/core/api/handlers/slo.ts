import type { sloChannels } from '../../../../shared/channels/slo';
import type { AreaHandlers, SessionContext } from './types';

export function sloHandlers(ctx: SessionContext): AreaHandlers<keyof typeof sloChannels> {
  const { slo } = ctx.core;
  return {
    listSlos: () => slo.list(),
    setSlo: (input) => slo.setDefinition(input.definition, input.actor),
    listSloChanges: (input) => slo.changes(input.sloId, input.limit ?? 100),
    listAlerts: (input) => slo.alerts(input.state ?? 'all', input.limit ?? 100),
    acknowledgeAlert: (input) => slo.acknowledge(input.id, input.actor),
    silenceAlert: (input) => slo.silence(input.id, input.actor, input.untilMs),
  };
}

import type { discoveryChannels } from '../../../../shared/channels/discovery';
import { discoverDiskModels } from '../../models/discovery/disk-models';
import { discoverServers } from '../../models/discovery/local-servers';
import type { AreaHandlers, SessionContext } from './types';

/** Extra loopback servers to look at, from AGENT_AGENCY_MODEL_SERVERS (comma-separated base URLs). */
const extraServers = () => (process.env['AGENT_AGENCY_MODEL_SERVERS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export function discoveryHandlers(ctx: SessionContext): AreaHandlers<keyof typeof discoveryChannels> {
  return {
    discoverLocalModels: async () => {
      const [servers, files, views] = await Promise.all([discoverServers({ extra: extraServers() }), discoverDiskModels(), ctx.core.models.views()]);
      const paths = new Set(views.flatMap((v) => (v.entry.kind === 'gguf' ? [v.entry.path] : [])));
      return { servers, files: files.map((f) => ({ ...f, registered: paths.has(f.path) })) };
    },
  };
}

import type { accessChannels } from '../../../../shared/channels/access';
import type { AreaHandlers, SessionContext } from './types';

export function accessHandlers(ctx: SessionContext): AreaHandlers<keyof typeof accessChannels> {
  const { apiToken, logger } = ctx.core;
  return {
    getApiToken: () => ({ token: apiToken.current() }),
    rotateApiToken: () => {
      const token = apiToken.rotate();
      logger.info('API token rotated; clients holding the old one are refused from now on');
      return { token };
    },
  };
}

import type { modelChannels } from '../../../../shared/channels/models';
import type { AreaHandlers, SessionContext } from './types';

export function modelHandlers(ctx: SessionContext): AreaHandlers<keyof typeof modelChannels> {
  const { models } = ctx.core;
  return {
    modelsSnapshot: async () => {
      // The event sequence is read first: anything after it is in the snapshot or in modelEvents.
      const lastEventSeq = models.events.lastSeq;
      const [views, catalogue, machine] = await Promise.all([models.views(), models.catalogueViews(), models.machine()]);
      return { models: views, roles: models.roles.all(), catalogue, downloads: models.listDownloads(), machine, tuning: ctx.core.tuning.running(), lastEventSeq };
    },
    modelEvents: (input) => models.events.since(input.afterSeq),
    addModel: (input) => models.addByPath(input),
    addRemoteModel: (input) => models.addRemote(input),
    removeModel: async (input) => {
      await models.remove(input.name);
      return {};
    },
    loadModel: (input) => models.load(input.name),
    unloadModel: (input) => models.unload(input.name),
    assignModelRole: (input) => models.assignRole(input.role, input.model, input.alternates),
    swapModel: (input) => models.swap(input.role, input.model),
    setModelCanary: (input) => models.setCanary(input.role, input.canary),
    clearModelCanary: (input) => models.clearCanary(input.role) ?? null,
    startModelDownload: (input) => models.startDownload(input),
    pauseModelDownload: (input) => models.downloads.pause(input.id),
    resumeModelDownload: (input) => models.downloads.resume(input.id),
    cancelModelDownload: (input) => models.downloads.cancel(input.id),
    startModelTune: (input) => ctx.core.tuning.start(input.name, input.budget),
    cancelModelTune: (input) => ctx.core.tuning.cancel(input.name),
    getModelTune: (input) => ctx.core.tuning.run(input.name),
  };
}

import { resolve } from 'node:path';
import { Command } from 'commander';
import { MODEL_ROLE_NAMES, type ModelView } from '../../shared/domain/model';
import type { ChannelName } from '../../shared/contract';
import { action, parseInput, withClient, withCommonOptions, type CommandContext, type CommonOptions } from '../context';
import { EXIT, type ExitCode } from '../exit-codes';
import { table } from '../format';
import { followDownload, printCatalogue } from './models-pull';
import { tuneCommand } from './models-tune';

type AddOptions = CommonOptions & { name?: string };
type PullOptions = CommonOptions & { name?: string; sha256?: string; detach?: boolean };
type AssignOptions = CommonOptions & { alternates?: string };

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

/** The model registry: local GGUF files, downloads, loading and role assignment. */
export function modelsCommand(): Command {
  const sub = (name: string, description: string) => withCommonOptions(new Command(name).description(description));
  const list = sub('list', 'registered models, their state, size and roles; the role assignments; downloads').action(action(listModels));
  const add = sub('add', 'register a local GGUF file (its header is read and checked)')
    .argument('<path>', 'the .gguf file')
    .option('--name <name>', 'registry name (default: from the file)')
    .action(action(addModel));
  const catalogue = sub('catalogue', 'the recommended models: ids to pull, size, quantization, context, memory and fit on this machine').action(
    action((ctx) => withClient(ctx, (client) => printCatalogue(ctx, client))),
  );
  const pull = sub('pull', 'download a model (resumable, checksum-verified) by URL or catalogue id, with a progress bar; exit 1 if it fails')
    .argument('<url>', 'https URL of a .gguf file, or a catalogue id')
    .option('--sha256 <hex>', 'expected checksum of the file (URL downloads)')
    .option('--name <name>', 'registry name once downloaded')
    .option('--detach', 'start the download and return (follow it with "models list")')
    .action(action(pullModel));
  const load = sub('load', 'load a model now').argument('<model>', 'registry name').action(action(byName('loadModel', 'Loaded')));
  const unload = sub('unload', 'unload a model').argument('<model>', 'registry name').action(action(byName('unloadModel', 'Unloaded')));
  const assign = sub('assign', 'use a model for a role')
    .argument('<role>', MODEL_ROLE_NAMES.join(' | '))
    .argument('<model>', 'registry name')
    .option('--alternates <models>', 'comma-separated models that may also serve the role')
    .action(action(assignRole));
  const swap = sub('swap', 'hot-swap the model of a role: load the new, warm it, switch, drain, unload the old')
    .argument('<role>', MODEL_ROLE_NAMES.join(' | '))
    .argument('<model>', 'registry name of the new model')
    .action(action(swapModel));
  return new Command('models')
    .description('manage local models: list, add, pull, load, unload, assign roles, hot-swap')
    .addCommand(list)
    .addCommand(catalogue)
    .addCommand(add)
    .addCommand(pull)
    .addCommand(load)
    .addCommand(unload)
    .addCommand(assign)
    .addCommand(swap)
    .addCommand(tuneCommand());
}

async function listModels(ctx: CommandContext): Promise<ExitCode> {
  return withClient(ctx, async (client) => {
    const r = await client.call('modelsSnapshot', {});
    if (!r.ok) return ctx.fail(r.error);
    const { models, roles, downloads, machine } = r.value;
    ctx.print(r.value, () => {
      const describe = (m: ModelView) =>
        m.entry.kind === 'gguf' ? `${m.entry.facts.architecture} ${m.entry.facts.quantization}, ${gib(m.entry.sizeBytes)}` : `remote ${m.entry.endpoint.baseUrl}`;
      const parts = [
        models.length === 0
          ? 'No models registered. Add one with: agent-agency models add <file.gguf>'
          : table(['MODEL', 'STATE', 'ROLES', 'DETAILS'], models.map((m) => [m.entry.name, m.state, m.roles.join(',') || '-', describe(m)]), ctx.io.columns),
        '',
        roles.length === 0 ? 'No roles assigned.' : table(['ROLE', 'MODEL', 'ALTERNATES'], roles.map((a) => [a.role, a.model, a.alternates.join(',') || '-']), ctx.io.columns),
      ];
      if (downloads.length > 0) {
        parts.push('', table(['DOWNLOAD', 'STATE', 'RECEIVED', 'FILE'], downloads.map((d) => [d.id, d.state, d.totalBytes ? `${Math.round((100 * d.receivedBytes) / d.totalBytes)}%` : gib(d.receivedBytes), d.fileName]), ctx.io.columns));
      }
      parts.push('', `Memory: ${gib(machine.availableBytes)} free of ${gib(machine.totalBytes)}; models may use ${gib(machine.budgetBytes)} (${machine.gpu})`);
      return parts.join('\n');
    });
    return EXIT.ok;
  });
}

async function addModel(ctx: CommandContext, path: string): Promise<ExitCode> {
  const o = ctx.options as AddOptions;
  const input = parseInput('addModel', { path: resolve(path), ...(o.name !== undefined ? { name: o.name } : {}) });
  if (!input.ok) return ctx.fail(input.error, { path: '<path>', name: '--name' });
  return withClient(ctx, async (client) => {
    const r = await client.call('addModel', input.value);
    if (!r.ok) return ctx.fail(r.error, { path: '<path>', name: '--name' });
    ctx.print(r.value, () => `Added ${r.value.name}${r.value.kind === 'gguf' ? ` (${r.value.facts.architecture} ${r.value.facts.quantization}, ${gib(r.value.sizeBytes)})` : ''}`);
    return EXIT.ok;
  });
}

async function pullModel(ctx: CommandContext, source: string): Promise<ExitCode> {
  const o = ctx.options as PullOptions;
  const name = o.name !== undefined ? { name: o.name } : {};
  const raw = /^https?:\/\//.test(source) ? { url: source, ...(o.sha256 ? { sha256: o.sha256 } : {}), ...name } : { catalogueId: source, ...name };
  const input = parseInput('startModelDownload', raw);
  if (!input.ok) return ctx.fail(input.error, { url: '<url>', catalogueId: '<url>', sha256: '--sha256', name: '--name' });
  return withClient(ctx, async (client) => {
    const r = await client.call('startModelDownload', input.value);
    if (!r.ok) return ctx.fail(r.error, { url: '<url>', catalogueId: '<url>' });
    if (o.detach) {
      ctx.print(r.value, () => `Downloading ${r.value.fileName} (${r.value.id}): ${r.value.state}. Follow it with: agent-agency models list`);
      return EXIT.ok;
    }
    if (!ctx.json) ctx.io.out(`Downloading ${r.value.fileName} (${r.value.id})\n`);
    return followDownload(ctx, client, r.value);
  });
}

function byName(channel: Extract<ChannelName, 'loadModel' | 'unloadModel'>, verb: string) {
  return async (ctx: CommandContext, name: string): Promise<ExitCode> => {
    const input = parseInput(channel, { name });
    if (!input.ok) return ctx.fail(input.error, { name: '<model>' });
    return withClient(ctx, async (client) => {
      const r = await client.call(channel, input.value);
      if (!r.ok) return ctx.fail(r.error, { name: '<model>' });
      ctx.print(r.value, () => `${verb} ${r.value.entry.name}: ${r.value.state}`);
      return EXIT.ok;
    });
  };
}

async function assignRole(ctx: CommandContext, role: string, model: string): Promise<ExitCode> {
  const o = ctx.options as AssignOptions;
  const flags = { role: '<role>', model: '<model>', alternates: '--alternates' };
  const input = parseInput('assignModelRole', { role, model, ...(o.alternates ? { alternates: o.alternates.split(',').map((a) => a.trim()).filter(Boolean) } : {}) });
  if (!input.ok) return ctx.fail(input.error, flags);
  return withClient(ctx, async (client) => {
    const r = await client.call('assignModelRole', input.value);
    if (!r.ok) return ctx.fail(r.error, flags);
    ctx.print(r.value, () => `${r.value.role} now uses ${r.value.model}${r.value.alternates.length ? ` (alternates: ${r.value.alternates.join(', ')})` : ''}`);
    return EXIT.ok;
  });
}

async function swapModel(ctx: CommandContext, role: string, model: string): Promise<ExitCode> {
  const input = parseInput('swapModel', { role, model });
  if (!input.ok) return ctx.fail(input.error, { role: '<role>', model: '<model>' });
  return withClient(ctx, async (client) => {
    const r = await client.call('swapModel', input.value);
    if (!r.ok) return ctx.fail(r.error, { role: '<role>', model: '<model>' });
    ctx.print(r.value, () => `${role}: swapped ${r.value.from} -> ${r.value.to} (drained in ${r.value.drainMs} ms)`);
    return EXIT.ok;
  });
}

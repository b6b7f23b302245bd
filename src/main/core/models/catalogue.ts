import { basename } from 'node:path';
import { z } from 'zod';
import catalogueFile from '../../../../resources/models/catalogue.json' with { type: 'json' };
import { CatalogueEntry, type CatalogueView, type ModelEntry } from '../../../shared/domain/model';
import { AppFailure } from '../../../shared/errors';
import { gb, memoryBudget, verdictFor, type FitPolicy, type MachineSnapshot } from './fit';

const CatalogueFile = z.object({ version: z.literal(1), note: z.string(), models: z.array(CatalogueEntry) });

/** The bundled catalogue (resources/models/catalogue.json), parsed like any other input. */
export function bundledCatalogue(): CatalogueEntry[] {
  return CatalogueFile.parse(catalogueFile).models;
}

/** Recommended models with a fit badge for this machine and whether they are already installed. */
export function catalogueViews(
  entries: readonly CatalogueEntry[],
  installed: readonly ModelEntry[],
  machine: MachineSnapshot,
  policy?: FitPolicy,
): CatalogueView[] {
  const budget = memoryBudget(machine, policy);
  return entries.map((entry) => {
    const fit = verdictFor(entry.memoryBytes, budget, policy);
    const fitMessage =
      fit === 'too_large'
        ? `needs about ${gb(entry.memoryBytes)}; this machine allows ${gb(budget)} for models`
        : fit === 'tight'
          ? `needs about ${gb(entry.memoryBytes)} of the ${gb(budget)} allowed; little room for anything else`
          : `needs about ${gb(entry.memoryBytes)} of the ${gb(budget)} allowed`;
    return {
      entry,
      fit,
      fitMessage,
      // Without a verified checksum the file name is the best match there is.
      installed: installed.some((m) => m.kind === 'gguf' && (entry.sha256 ? m.sha256 === entry.sha256 : basename(m.path) === entry.fileName)),
    };
  });
}

export function findCatalogueEntry(entries: readonly CatalogueEntry[], id: string): CatalogueEntry {
  const entry = entries.find((e) => e.id === id);
  if (!entry) throw new AppFailure('not_found', `no catalogue model with id ${id}`);
  return entry;
}

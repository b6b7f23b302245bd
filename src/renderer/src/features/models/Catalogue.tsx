import type { ModelsSnapshot } from '../../../../shared/channels/models';
import { ModelCatalogue } from './catalogue/ModelCatalogue';
import type { Action } from './use-action';

/** The catalogue section of the Models page (search, filters, fit for this machine, any GGUF from Hugging Face). */
export function Catalogue({ snapshot, action }: { snapshot: ModelsSnapshot; action: Action }) {
  return <ModelCatalogue snapshot={snapshot} run={action.run} />;
}

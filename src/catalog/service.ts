// STUB — replaced by the catalog feature.
import type { AppContext } from '../platform/context.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CatalogService {}

export function createCatalogService(_ctx: AppContext, ..._deps: unknown[]): CatalogService {
  return {};
}

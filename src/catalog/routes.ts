// STUB — replaced by the catalog feature.
import type { App } from '../platform/http.ts';
import type { CatalogService } from './service.ts';

export async function catalogRoutes(_app: App, _service: CatalogService): Promise<void> {}

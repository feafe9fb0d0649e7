// STUB — replaced by the access feature.
import type { App } from '../platform/http.ts';
import type { AccessService } from './service.ts';

export async function accessRoutes(_app: App, _service: AccessService): Promise<void> {}

// STUB — replaced by the payments feature.
import type { App } from '../platform/http.ts';
import type { PaymentsService } from './service.ts';

export async function paymentsRoutes(_app: App, _service: PaymentsService): Promise<void> {}

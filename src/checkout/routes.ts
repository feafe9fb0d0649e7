// STUB — replaced by the checkout feature.
import type { App } from '../platform/http.ts';
import type { CheckoutService } from './service.ts';

export async function checkoutRoutes(_app: App, _checkout: CheckoutService): Promise<void> {}

// STUB — replaced by the checkout feature.
import type { AppContext } from '../platform/context.ts';

export interface CheckoutService {
  recover(): Promise<void>;
  drain(): Promise<void>;
}

export function createCheckoutService(_ctx: AppContext, _deps: unknown): CheckoutService {
  return { recover: async () => {}, drain: async () => {} };
}

// STUB — replaced by the payments feature.
import type { AppContext } from '../platform/context.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PaymentsService {}

export function createPaymentsService(_ctx: AppContext, ..._deps: unknown[]): PaymentsService {
  return {};
}

// STUB — replaced by the access feature.
import type { AppContext } from '../platform/context.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface AccessService {}

export function createAccessService(_ctx: AppContext, ..._deps: unknown[]): AccessService {
  return {};
}

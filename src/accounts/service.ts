// STUB — replaced by the accounts feature.
import type { AppContext } from '../platform/context.ts';
import type { Principal } from '../platform/auth.ts';
import type { SmsSender } from './sms.ts';

export interface AccountsService {
  resolveApiKey(key: string): Promise<Principal | null>;
  /** On an empty database, prints how to get operator access. */
  announceBootstrap(): Promise<void>;
}

export function createAccountsService(_ctx: AppContext, _sms: SmsSender): AccountsService {
  return { resolveApiKey: async () => null, announceBootstrap: async () => {} };
}

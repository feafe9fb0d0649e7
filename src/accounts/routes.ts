// STUB — replaced by the accounts feature.
import type { App } from '../platform/http.ts';
import type { AccountsService } from './service.ts';

export async function accountsRoutes(_app: App, _accounts: AccountsService): Promise<void> {}

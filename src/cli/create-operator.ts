// `hushsale create-operator`: the way in on a fresh install. Opens the database, migrates, creates
// an operator with an API key and prints the key once. No HTTP server is started.
import type { Config } from '../platform/config.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import { migrateToLatest, openDatabase, type DbHandle } from '../platform/db/db.ts';
import { createOperatorWithKey } from '../accounts/service.ts';

export interface CreateOperatorOptions {
  name: string;
  config: Config;
  /** An already open database (tests); otherwise one is opened from config and closed after. */
  handle?: DbHandle;
  clock?: Clock;
  print?: (line: string) => void;
}

export async function createOperatorCommand(options: CreateOperatorOptions): Promise<{ userId: string; apiKey: string }> {
  const print = options.print ?? ((line: string) => console.log(line));
  const handle = options.handle ?? (await openDatabase(options.config));
  try {
    await migrateToLatest(handle);
    const { operator, apiKey } = await createOperatorWithKey(handle.db, options.clock ?? systemClock, options.name);
    print(`Operator "${operator.displayName}" created (${operator.id}).`);
    print('');
    print(`  API key: ${apiKey.key}`);
    print('');
    print('This key is shown once and stored only as a hash: keep it somewhere safe now.');
    print('Try it:');
    print(`  curl -H "Authorization: Bearer ${apiKey.key}" ${options.config.publicBaseUrl}/api/v1/me`);
    print(`Or sign in for a browser session: POST ${options.config.publicBaseUrl}/api/v1/sessions with {"apiKey": "<key>"}.`);
    return { userId: operator.id, apiKey: apiKey.key };
  } finally {
    if (!options.handle) await handle.close();
  }
}

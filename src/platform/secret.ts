// The signing secret: HUSHSALE_SECRET when set; otherwise made once and kept in the database, so
// every process of one deployment signs alike and nothing secret ever sits in the repository.
import { randomToken } from './ids.ts';
import type { Db } from './db/db.ts';

export async function loadSigningSecret(db: Db, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const existing = await db.selectFrom('settings').select('value').where('key', '=', 'signing_secret').executeTakeFirst();
  if (existing) return existing.value;
  await db.insertInto('settings').values({ key: 'signing_secret', value: randomToken(48) })
    .onConflict((oc) => oc.column('key').doNothing()).execute();
  const row = await db.selectFrom('settings').select('value').where('key', '=', 'signing_secret').executeTakeFirstOrThrow();
  return row.value;
}

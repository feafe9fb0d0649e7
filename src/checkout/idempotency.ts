// Stores a reservation's answer under its Idempotency-Key in the order's own transaction, so a
// retry after a crash finds either both (and replays) or neither (and reserves afresh).
import type { Transaction } from 'kysely';
import type { Database } from '../platform/db/schema.ts';

export async function storeIdempotentInTransaction(
  trx: Transaction<Database>,
  idem: { principal: string; key: string; hash: string },
  statusCode: number,
  body: unknown,
  createdAt: string,
): Promise<void> {
  await trx.insertInto('idempotency_keys').values({
    principal: idem.principal,
    key: idem.key,
    request_hash: idem.hash,
    status_code: statusCode,
    response_json: JSON.stringify(body),
    created_at: createdAt,
  }).execute();
}

/** The same for a whole batch, in one multi-row insert. */
export async function storeIdempotentBatch(
  trx: Transaction<Database>,
  records: Array<{ principal: string; key: string; hash: string; statusCode: number; body: unknown; createdAt: string }>,
): Promise<void> {
  if (records.length === 0) return;
  await trx.insertInto('idempotency_keys').values(records.map((r) => ({
    principal: r.principal,
    key: r.key,
    request_hash: r.hash,
    status_code: r.statusCode,
    response_json: JSON.stringify(r.body),
    created_at: r.createdAt,
  }))).execute();
}

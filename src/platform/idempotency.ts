// Idempotency-Key for money-moving POSTs: the first request's result is stored and replayed for
// any retry with the same key; a different request under the same key is refused.
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.ts';
import { AppError } from './errors.ts';
import { sha256Hex } from './ids.ts';
import { isoUtc } from './clock.ts';

const KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;

/** The request's Idempotency-Key header, required and well-formed. */
export function idempotencyKeyOf(request: FastifyRequest): string {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || !KEY_PATTERN.test(key)) throw new AppError('IDEMPOTENCY_KEY_REQUIRED');
  return key;
}

export function requestHash(parts: unknown): string {
  return sha256Hex(JSON.stringify(parts));
}

export interface StoredResult {
  statusCode: number;
  body: unknown;
}

export async function findIdempotent(db: Kysely<Database>, principal: string, key: string, hash: string): Promise<StoredResult | null> {
  const row = await db.selectFrom('idempotency_keys').select(['request_hash', 'status_code', 'response_json'])
    .where('principal', '=', principal).where('key', '=', key).executeTakeFirst();
  if (!row) return null;
  if (row.request_hash !== hash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
  return { statusCode: row.status_code, body: JSON.parse(row.response_json) as unknown };
}

export async function storeIdempotent(db: Kysely<Database>, principal: string, key: string, hash: string, result: StoredResult, nowMs: number): Promise<void> {
  await db.insertInto('idempotency_keys').values({
    principal,
    key,
    request_hash: hash,
    status_code: result.statusCode,
    response_json: JSON.stringify(result.body),
    created_at: isoUtc(nowMs),
  }).onConflict((oc) => oc.columns(['principal', 'key']).doNothing()).execute();
}

/**
 * Runs `work` once per (principal, key): concurrent duplicates in this process join the first,
 * later ones get the stored result. Failures are not stored, so a retry may succeed.
 */
export class IdempotencyGuard {
  private readonly inFlight = new Map<string, Promise<StoredResult>>();
  constructor(private readonly db: Kysely<Database>, private readonly nowMs: () => number) {}

  async run(principal: string, key: string, hash: string, work: () => Promise<StoredResult>): Promise<StoredResult> {
    const slot = `${principal}\u0000${key}`;
    const running = this.inFlight.get(slot);
    if (running) return running;
    const promise = (async () => {
      const stored = await findIdempotent(this.db, principal, key, hash);
      if (stored) return stored;
      const result = await work();
      await storeIdempotent(this.db, principal, key, hash, result, this.nowMs());
      return result;
    })().finally(() => this.inFlight.delete(slot));
    this.inFlight.set(slot, promise);
    return promise;
  }
}

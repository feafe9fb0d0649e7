// Pricing's SQL: the public price history, the events that lock a SKU's price, and the lowest
// public sale price of a period. Every function takes the executor it runs on (a transaction or not).
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db } from '../platform/db/db.ts';
import type { EventStatus, SkuPriceHistoryTable } from '../platform/db/schema.ts';
import { PRICE_LOCKING_EVENT_STATUSES, type LockingEventCandidate } from './rules.ts';

export type PriceHistoryRow = Selectable<SkuPriceHistoryTable>;
export type NewPriceHistoryRow = Insertable<SkuPriceHistoryTable>;

export async function insertPricePoints(db: Db, rows: NewPriceHistoryRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('sku_price_history').values(rows).execute();
}

/** Events the SKU is in with a locking status whose window ends after `nowIso`. */
export async function activeEventsOfSku(db: Db, skuId: string, nowIso: string): Promise<LockingEventCandidate[]> {
  const rows = await db.selectFrom('offers')
    .innerJoin('events', 'events.id', 'offers.event_id')
    .select(['events.id as eventId', 'events.status as status', 'events.starts_at as startsAt', 'events.ends_at as endsAt'])
    .where('offers.sku_id', '=', skuId)
    // The list may hold statuses the schema type does not know yet (the lifecycle grows it).
    .where('events.status', 'in', PRICE_LOCKING_EVENT_STATUSES as EventStatus[])
    .where('events.ends_at', '>', nowIso)
    .orderBy('events.id')
    .execute();
  return rows.map((r) => ({ eventId: r.eventId, status: r.status, startsAt: r.startsAt, endsAt: r.endsAt }));
}

/** The history row in force at `atIso` (the latest effective at or before it), if any. */
export async function pricePointAt(db: Db, skuId: string, atIso: string): Promise<PriceHistoryRow | undefined> {
  return db.selectFrom('sku_price_history').selectAll()
    .where('sku_id', '=', skuId)
    .where('effective_from', '<=', atIso)
    .orderBy('effective_from', 'desc').orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** History rows effective in (afterIso, untilIso], oldest first, at most `limit`. */
export async function pricePointsBetween(db: Db, skuId: string, afterIso: string, untilIso: string, limit: number): Promise<PriceHistoryRow[]> {
  return db.selectFrom('sku_price_history').selectAll()
    .where('sku_id', '=', skuId)
    .where('effective_from', '>', afterIso)
    .where('effective_from', '<=', untilIso)
    .orderBy('effective_from').orderBy('id')
    .limit(limit)
    .execute();
}

export interface SkuPriceFacts {
  id: string;
  store_id: string;
  public_price_fen: number;
  cost_fen: number | null;
}

/** The SKUs among `skuIds` that belong to `storeId`, with what the price guard needs. */
export async function skuPriceFacts(db: Db, storeId: string, skuIds: string[]): Promise<SkuPriceFacts[]> {
  if (skuIds.length === 0) return [];
  return db.selectFrom('skus').select(['id', 'store_id', 'public_price_fen', 'cost_fen'])
    .where('store_id', '=', storeId)
    .where('id', 'in', skuIds)
    .execute();
}

/**
 * For each SKU, the lowest unit price of its paid public-store orders paid in (sinceIso, untilIso].
 * SKUs without such an order are absent. `kind = 'public'` is literal so that SQLite uses the
 * partial index orders_public_sku_paid.
 */
export async function lowestPublicSalePrices(db: Db, skuIds: string[], sinceIso: string, untilIso: string): Promise<Map<string, number>> {
  if (skuIds.length === 0) return new Map();
  const rows = await db.selectFrom('orders')
    .select(['sku_id', (eb) => eb.fn.min<number>('unit_price_fen').as('lowest')])
    .where(sql<boolean>`kind = 'public'`)
    .where('status', '=', 'paid')
    .where('sku_id', 'in', skuIds)
    .where('paid_at', '>', sinceIso)
    .where('paid_at', '<=', untilIso)
    .groupBy('sku_id')
    .execute();
  return new Map(rows.map((r) => [r.sku_id, Number(r.lowest)]));
}

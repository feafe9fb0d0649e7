// The events' SQL: events and offers (and whether a channel exists). Store stock is moved only through the catalog service.
import { sql } from 'kysely';
import type { Db, SqlDialect } from '../platform/db/db.ts';
import type { AttributionMode, EventsTable, OffersTable } from '../platform/db/schema.ts';

export type EventRow = EventsTable;
export type OfferRow = OffersTable;

export interface EventWithStoreRow extends EventRow {
  store_slug: string;
  store_name: string;
  attribution: AttributionMode;
}

export interface OfferWithSkuRow extends OfferRow {
  product_id: string;
  product_title: string;
  product_image_url: string | null;
  sku_code: string;
  attributes_json: string;
  sku_image_url: string | null;
  public_price_fen: number;
}

export interface EventSummaryRow extends EventRow {
  offer_count: number;
}

export async function findChannel(db: Db, channelId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('channels').select('id').where('id', '=', channelId).executeTakeFirst();
}

export async function storeExists(db: Db, storeId: string): Promise<boolean> {
  const row = await db.selectFrom('stores').select('id').where('id', '=', storeId).executeTakeFirst();
  return row !== undefined;
}

export async function insertEvent(db: Db, event: EventRow, offers: OfferRow[]): Promise<void> {
  await db.insertInto('events').values(event).execute();
  await db.insertInto('offers').values(offers).execute();
}

/** A page of events, newest first, of one store or (null) of all. */
export async function listEvents(db: Db, storeId: string | null, limit: number, beforeId: string | undefined): Promise<EventSummaryRow[]> {
  let query = db.selectFrom('events').selectAll('events')
    .select((eb) => eb.selectFrom('offers').select((o) => o.fn.countAll<number>().as('n')).whereRef('offers.event_id', '=', 'events.id').as('offer_count'));
  if (storeId !== null) query = query.where('events.store_id', '=', storeId);
  if (beforeId !== undefined) query = query.where('events.id', '<', beforeId);
  const rows = await query.orderBy('events.id', 'desc').limit(limit).execute();
  return rows.map((row) => ({ ...row, offer_count: Number(row.offer_count ?? 0) }));
}

export async function findEventWithStore(db: Db, eventId: string): Promise<EventWithStoreRow | undefined> {
  return db.selectFrom('events')
    .innerJoin('stores', 'stores.id', 'events.store_id')
    .innerJoin('channels', 'channels.id', 'events.channel_id')
    .selectAll('events')
    .select(['stores.slug as store_slug', 'stores.name as store_name', 'channels.attribution'])
    .where('events.id', '=', eventId)
    .executeTakeFirst();
}

export async function offersOfEvent(db: Db, eventId: string): Promise<OfferWithSkuRow[]> {
  return db.selectFrom('offers')
    .innerJoin('skus', 'skus.id', 'offers.sku_id')
    .innerJoin('products', 'products.id', 'skus.product_id')
    .selectAll('offers')
    .select([
      'products.id as product_id',
      'products.title as product_title',
      'products.image_url as product_image_url',
      'skus.code as sku_code',
      'skus.attributes_json as attributes_json',
      'skus.image_url as sku_image_url',
      'skus.public_price_fen as public_price_fen',
    ])
    .where('offers.event_id', '=', eventId)
    .orderBy('offers.position')
    .execute();
}

/** Marks an event cancelled if it is in `from` (scheduled or warmup) and its window has not opened; once. */
export async function claimCancel(db: Db, eventId: string, from: 'scheduled' | 'warmup', nowIso: string): Promise<boolean> {
  const result = await db.updateTable('events')
    .set({ status: 'cancelled', allocation_returned_at: nowIso })
    .where('id', '=', eventId)
    .where('status', '=', from)
    .where('starts_at', '>', nowIso)
    .where('allocation_returned_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/**
 * The event's offers, locked against concurrent reservations on PostgreSQL until the transaction
 * ends (SQLite runs one write transaction at a time), so what is read is what is returned.
 */
export async function lockOffers(db: Db, dialect: SqlDialect, eventId: string): Promise<OfferRow[]> {
  const query = db.selectFrom('offers').selectAll().where('event_id', '=', eventId).orderBy('id');
  return dialect === 'postgres' ? query.forUpdate().execute() : query.execute();
}

/** Shrinks an offer's allocation to what it holds: the rest went back to store stock. */
export async function shrinkAllocation(db: Db, offerId: string, reservedUnits: number): Promise<void> {
  const result = await db.updateTable('offers')
    // Keeps the allocation as it was: sell-through is judged against it (src/metrics).
    .set({ allocated_units: reservedUnits, initial_allocated_units: sql`coalesce(initial_allocated_units, allocated_units)` })
    .where('id', '=', offerId)
    .where('reserved_units', '=', reservedUnits)
    .executeTakeFirst();
  if (result.numUpdatedRows !== 1n) throw new Error(`offer ${offerId} changed while locked`);
}

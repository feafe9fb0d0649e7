// Metrics' SQL: paid orders grouped by UTC hour, offer, promoter and event, read through the
// partial indexes on paid orders (orders_event_paid by event, orders_store_paid by store and time).
// Every grouping is by something bounded (hours of a window, offers of an event, promoters), so no
// query returns one row per order. Hours are `substr(paid_at, 1, 13)`: the same text on both stores.
import { sql } from 'kysely';
import type { Db } from '../platform/db/db.ts';
import type { HourTally, KindHourTally, Tally } from './rules.ts';

const n = (value: unknown) => Number(value ?? 0);
const utcHour = sql<string>`substr(orders.paid_at, 1, 13)`;
const gmv = sql<number>`coalesce(sum(orders.total_fen - orders.refunded_fen), 0)`;
const units = sql<number>`coalesce(sum(orders.quantity - orders.refunded_units), 0)`;
/** Buyers whose new-customer mark is known, and those of them new to the store (a buyer is new when any of their orders here was). */
const knownBuyers = sql<number>`count(distinct case when orders.is_new_customer is not null then orders.buyer_id end)`;
const newBuyers = sql<number>`count(distinct case when orders.is_new_customer = 1 then orders.buyer_id end)`;

export interface EventScopeRow {
  id: string;
  store_id: string;
  channel_id: string;
  title: string;
  starts_at: string;
  ends_at: string;
  status: string;
}

export async function eventScope(db: Db, eventId: string): Promise<EventScopeRow | undefined> {
  return db.selectFrom('events').select(['id', 'store_id', 'channel_id', 'title', 'starts_at', 'ends_at', 'status'])
    .where('id', '=', eventId).executeTakeFirst();
}

export async function storeExists(db: Db, storeId: string): Promise<boolean> {
  return (await db.selectFrom('stores').select('id').where('id', '=', storeId).executeTakeFirst()) !== undefined;
}

export async function channelExists(db: Db, channelId: string): Promise<boolean> {
  return (await db.selectFrom('channels').select('id').where('id', '=', channelId).executeTakeFirst()) !== undefined;
}

/** The event's paid orders per UTC hour. */
export async function eventHours(db: Db, eventId: string): Promise<HourTally[]> {
  const rows = await db.selectFrom('orders')
    .select([utcHour.as('hour'), (eb) => eb.fn.countAll<number>().as('orders'), units.as('units'), gmv.as('gmv_fen')])
    .where('orders.event_id', '=', eventId).where('orders.paid_at', 'is not', null)
    .groupBy(utcHour).execute();
  return rows.map((r) => ({ utcHour: r.hour, orders: n(r.orders), units: n(r.units), gmvFen: n(r.gmv_fen) }));
}

export interface OfferFiguresRow {
  offerId: string;
  skuId: string;
  skuCode: string;
  productTitle: string;
  isHero: boolean;
  /** The allocation before the end gave unsold units back (or the current one before the end). */
  allocatedUnits: number;
  /** Units held by orders pending payment. */
  pendingUnits: number;
  /** Units of paid orders as paid, refunds not taken off. */
  paidUnits: number;
  /** Paid units less refunded units. */
  soldUnits: number;
  orders: number;
  gmvFen: number;
  /** The paid_at of the order whose paid units reached the allocation; null when they have not. */
  soldOutAt: string | null;
}

/**
 * Each offer of the event with its paid sales, and (withSoldOut) when its paid units reached its
 * allocation; the stream's summary leaves that out: it is the costliest part (a running sum over the
 * offer's paid orders).
 */
export async function eventOffers(db: Db, eventId: string, withSoldOut = true): Promise<OfferFiguresRow[]> {
  const offers = await db.selectFrom('offers')
    .innerJoin('skus', 'skus.id', 'offers.sku_id')
    .innerJoin('products', 'products.id', 'skus.product_id')
    .select(['offers.id', 'offers.sku_id', 'skus.code', 'products.title', 'offers.is_hero', 'offers.position',
      sql<number>`coalesce(offers.initial_allocated_units, offers.allocated_units)`.as('allocated')])
    .where('offers.event_id', '=', eventId).orderBy('offers.position').orderBy('offers.id').execute();
  const sales = await db.selectFrom('orders')
    .select(['orders.offer_id', (eb) => eb.fn.countAll<number>().as('orders'), sql<number>`sum(orders.quantity)`.as('paid_units'), units.as('units'), gmv.as('gmv_fen')])
    .where('orders.event_id', '=', eventId).where('orders.paid_at', 'is not', null)
    .groupBy('orders.offer_id').execute();
  const byOffer = new Map(sales.map((s) => [s.offer_id, s]));
  // Counted from the pending orders themselves: offers.reserved_units less paid units is not it, since
  // a refund before shipping gives its units back to the offer. Few rows: pending orders live 15 minutes.
  const pending = await db.selectFrom('orders')
    .select(['orders.offer_id', sql<number>`sum(orders.quantity)`.as('units')])
    .where('orders.status', '=', 'pending_payment').where('orders.event_id', '=', eventId)
    .groupBy('orders.offer_id').execute();
  const pendingByOffer = new Map(pending.map((p) => [p.offer_id, n(p.units)]));
  const soldOutIds = offers.filter((o) => n(byOffer.get(o.id)?.paid_units) >= n(o.allocated) && n(o.allocated) > 0).map((o) => o.id);
  const soldOut = withSoldOut ? await soldOutTimes(db, eventId, soldOutIds) : new Map<string, string>();
  return offers.map((o) => {
    const s = byOffer.get(o.id);
    return {
      offerId: o.id, skuId: o.sku_id, skuCode: o.code, productTitle: o.title, isHero: o.is_hero === 1,
      allocatedUnits: n(o.allocated), pendingUnits: pendingByOffer.get(o.id) ?? 0, paidUnits: n(s?.paid_units), soldUnits: n(s?.units),
      orders: n(s?.orders), gmvFen: n(s?.gmv_fen), soldOutAt: soldOut.get(o.id) ?? null,
    };
  });
}

/**
 * For offers whose paid units reached their allocation, the paid_at of the order that got them
 * there: a running sum of units in payment order (a window function, on both stores), one row per offer.
 */
async function soldOutTimes(db: Db, eventId: string, offerIds: string[]): Promise<Map<string, string>> {
  if (offerIds.length === 0) return new Map();
  const rows = await sql<{ offer_id: string; sold_out_at: string }>`
    select running.offer_id, min(running.paid_at) as sold_out_at
    from (
      select orders.offer_id, orders.paid_at,
        sum(orders.quantity) over (partition by orders.offer_id order by orders.paid_at, orders.id rows between unbounded preceding and current row) as units_so_far
      from orders
      where orders.event_id = ${eventId} and orders.paid_at is not null and orders.offer_id in (${sql.join(offerIds)})
    ) running
    inner join offers on offers.id = running.offer_id
    where running.units_so_far >= coalesce(offers.initial_allocated_units, offers.allocated_units)
    group by running.offer_id`.execute(db);
  return new Map(rows.rows.map((r) => [r.offer_id, r.sold_out_at]));
}

export interface BuyerFigures extends Tally {
  buyers: number;
  knownBuyers: number;
  newBuyers: number;
}

/** The event's paid totals with its buyers (distinct), known and new. */
export async function eventTotals(db: Db, eventId: string): Promise<BuyerFigures> {
  const row = await db.selectFrom('orders')
    .select([(eb) => eb.fn.countAll<number>().as('orders'), units.as('units'), gmv.as('gmv_fen'),
      sql<number>`count(distinct orders.buyer_id)`.as('buyers'), knownBuyers.as('known'), newBuyers.as('new')])
    .where('orders.event_id', '=', eventId).where('orders.paid_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return { orders: n(row.orders), units: n(row.units), gmvFen: n(row.gmv_fen), buyers: n(row.buyers), knownBuyers: n(row.known), newBuyers: n(row.new) };
}

export interface PromoterFiguresRow extends BuyerFigures {
  promoterId: string;
}

/** Paid figures per promoter of the event (every promoter with a paid order; bounded by the event's promoters). */
export async function eventPromoters(db: Db, eventId: string): Promise<PromoterFiguresRow[]> {
  const rows = await db.selectFrom('orders')
    .select(['orders.promoter_id', (eb) => eb.fn.countAll<number>().as('orders'), units.as('units'), gmv.as('gmv_fen'),
      sql<number>`count(distinct orders.buyer_id)`.as('buyers'), knownBuyers.as('known'), newBuyers.as('new')])
    .where('orders.event_id', '=', eventId).where('orders.paid_at', 'is not', null).where('orders.promoter_id', 'is not', null)
    .groupBy('orders.promoter_id').execute();
  return rows.map((r) => ({ promoterId: r.promoter_id as string, orders: n(r.orders), units: n(r.units), gmvFen: n(r.gmv_fen), buyers: n(r.buyers), knownBuyers: n(r.known), newBuyers: n(r.new) }));
}

/** GMV paid in [fromIso, toIso) by the store, all of it and the event's part (orders_store_paid). */
export async function storeWindowGmv(db: Db, storeId: string, eventId: string, fromIso: string, toIso: string): Promise<{ storeGmvFen: number; eventGmvFen: number }> {
  const row = await db.selectFrom('orders')
    .select([gmv.as('store_gmv'), sql<number>`coalesce(sum(case when orders.event_id = ${eventId} then orders.total_fen - orders.refunded_fen else 0 end), 0)`.as('event_gmv')])
    .where('orders.store_id', '=', storeId).where('orders.paid_at', 'is not', null)
    .where('orders.paid_at', '>=', fromIso).where('orders.paid_at', '<', toIso)
    .executeTakeFirstOrThrow();
  return { storeGmvFen: n(row.store_gmv), eventGmvFen: n(row.event_gmv) };
}

/** The store's paid orders in [fromIso, toIso) per UTC hour and kind (public store or event). */
export async function storeHours(db: Db, storeId: string, fromIso: string, toIso: string): Promise<KindHourTally[]> {
  const rows = await db.selectFrom('orders')
    .select([utcHour.as('hour'), 'orders.kind', (eb) => eb.fn.countAll<number>().as('orders'), units.as('units'), gmv.as('gmv_fen')])
    .where('orders.store_id', '=', storeId).where('orders.paid_at', 'is not', null)
    .where('orders.paid_at', '>=', fromIso).where('orders.paid_at', '<', toIso)
    .groupBy([utcHour, 'orders.kind']).execute();
  return rows.map((r) => ({ utcHour: r.hour, kind: r.kind === 'public' ? 'public' : 'event', orders: n(r.orders), units: n(r.units), gmvFen: n(r.gmv_fen) }));
}

/** The store's paid buyers in [fromIso, toIso), known and new. */
export async function storeBuyers(db: Db, storeId: string, fromIso: string, toIso: string): Promise<{ buyers: number; knownBuyers: number; newBuyers: number }> {
  const row = await db.selectFrom('orders')
    .select([sql<number>`count(distinct orders.buyer_id)`.as('buyers'), knownBuyers.as('known'), newBuyers.as('new')])
    .where('orders.store_id', '=', storeId).where('orders.paid_at', 'is not', null)
    .where('orders.paid_at', '>=', fromIso).where('orders.paid_at', '<', toIso)
    .executeTakeFirstOrThrow();
  return { buyers: n(row.buyers), knownBuyers: n(row.known), newBuyers: n(row.new) };
}

export interface EventListRow {
  id: string;
  title: string;
  store_id: string;
  channel_id: string;
  starts_at: string;
  ends_at: string;
  status: string;
}

/** Events starting in [fromIso, toIso) of a store or a channel, oldest first, at most `limit`. */
export async function eventsStarting(db: Db, by: { storeId: string } | { channelId: string }, fromIso: string, toIso: string, limit: number): Promise<EventListRow[]> {
  let query = db.selectFrom('events').select(['id', 'title', 'store_id', 'channel_id', 'starts_at', 'ends_at', 'status'])
    .where('starts_at', '>=', fromIso).where('starts_at', '<', toIso);
  query = 'storeId' in by ? query.where('store_id', '=', by.storeId) : query.where('channel_id', '=', by.channelId);
  return query.orderBy('starts_at').orderBy('id').limit(limit).execute();
}

export interface EventFiguresRow extends BuyerFigures {
  eventId: string;
}

/** Paid figures of each of the events (orders_event_paid), with buyers known and new. */
export async function eventsFigures(db: Db, eventIds: string[]): Promise<Map<string, EventFiguresRow>> {
  if (eventIds.length === 0) return new Map();
  const rows = await db.selectFrom('orders')
    .select(['orders.event_id', (eb) => eb.fn.countAll<number>().as('orders'), units.as('units'), gmv.as('gmv_fen'),
      sql<number>`count(distinct orders.buyer_id)`.as('buyers'), knownBuyers.as('known'), newBuyers.as('new')])
    .where('orders.event_id', 'in', eventIds).where('orders.paid_at', 'is not', null)
    .groupBy('orders.event_id').execute();
  return new Map(rows.map((r) => [r.event_id as string, { eventId: r.event_id as string, orders: n(r.orders), units: n(r.units), gmvFen: n(r.gmv_fen), buyers: n(r.buyers), knownBuyers: n(r.known), newBuyers: n(r.new) }]));
}

/** Each event's allocation (as it was before the end) summed over its offers. */
export async function eventsAllocation(db: Db, eventIds: string[]): Promise<Map<string, number>> {
  if (eventIds.length === 0) return new Map();
  const rows = await db.selectFrom('offers')
    .select(['offers.event_id', sql<number>`sum(coalesce(offers.initial_allocated_units, offers.allocated_units))`.as('allocated')])
    .where('offers.event_id', 'in', eventIds).groupBy('offers.event_id').execute();
  return new Map(rows.map((r) => [r.event_id, n(r.allocated)]));
}

/**
 * What changes when an order of the event is paid or reserved, read from indexes only: paid orders
 * (a count over orders_event_paid) and units reserved or sold (the event's few offers). The stream
 * recomputes its summary only when this changes.
 */
export async function eventFingerprint(db: Db, eventId: string): Promise<string> {
  const row = await db.selectNoFrom([
    sql<number>`(select count(*) from orders where orders.event_id = ${eventId} and orders.paid_at is not null)`.as('paid'),
    sql<number>`(select coalesce(sum(offers.reserved_units), 0) from offers where offers.event_id = ${eventId})`.as('reserved'),
  ]).executeTakeFirstOrThrow();
  return `${n(row.paid)}:${n(row.reserved)}`;
}

/** The event's paid sales since `fromIso` (the hour in progress, for the stream). */
export async function eventSince(db: Db, eventId: string, fromIso: string): Promise<Tally> {
  const row = await db.selectFrom('orders')
    .select([(eb) => eb.fn.countAll<number>().as('orders'), units.as('units'), gmv.as('gmv_fen')])
    .where('orders.event_id', '=', eventId).where('orders.paid_at', 'is not', null).where('orders.paid_at', '>=', fromIso)
    .executeTakeFirstOrThrow();
  return { orders: n(row.orders), units: n(row.units), gmvFen: n(row.gmv_fen) };
}

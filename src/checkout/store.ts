// Checkout's SQL. Every stock change is a conditional update whose row count is checked, inside
// the transaction that writes the order, so no path can sell a unit the database does not have.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, OrderKind, OrderStatus } from '../platform/db/schema.ts';
import { isoUtc } from '../platform/clock.ts';
import { releaseTarget } from './rules.ts';

export interface ReservationRow {
  kind: OrderKind;
  storeId: string;
  buyerId: string;
  eventId: string | null;
  offerId: string | null;
  skuId: string;
  promoterId: string | null;
  linkId: string | null;
  quantity: number;
  unitPriceFen: number;
  perBuyerLimit: number;
  payDeadline: string;
  createdAt: string;
  addressJson: string;
  /** The request's Idempotency-Key: unique per buyer among queued reservations. */
  requestKey: string;
  /** The buyer consented to join the store's membership (acted on when paid). */
  joinMembership: boolean;
}

export type ReserveOutcome = { ok: true; orderId: number } | { ok: false; code: 'SOLD_OUT' | 'LIMIT_REACHED' };

/**
 * Holds units and writes the order, inside the caller's transaction. An offer whose reserved units
 * reach its allocation is added to `soldOut` (read from the same conditional update: no extra query).
 */
export async function reserveInTransaction(trx: Transaction<Database>, row: ReservationRow, soldOut?: Set<string>): Promise<ReserveOutcome> {
  const q = row.quantity;
  if (row.kind === 'event') {
    const offerId = row.offerId as string;
    const held = await sql`
      insert into buyer_holdings (offer_id, buyer_id, units, limit_units) values (${offerId}, ${row.buyerId}, ${q}, ${row.perBuyerLimit})
      on conflict (offer_id, buyer_id) do update set units = buyer_holdings.units + excluded.units
      where buyer_holdings.units + excluded.units <= buyer_holdings.limit_units`.execute(trx);
    if (Number(held.numAffectedRows ?? 0) === 0) return { ok: false, code: 'LIMIT_REACHED' };
    const taken = await trx.updateTable('offers').set({ reserved_units: sql`reserved_units + ${q}` })
      .where('id', '=', offerId).where(sql<boolean>`reserved_units + ${q} <= allocated_units`)
      .returning(['reserved_units', 'allocated_units']).executeTakeFirst();
    if (!taken) {
      await trx.updateTable('buyer_holdings').set({ units: sql`units - ${q}` }).where('offer_id', '=', offerId).where('buyer_id', '=', row.buyerId).execute();
      return { ok: false, code: 'SOLD_OUT' };
    }
    if (taken.reserved_units === taken.allocated_units) soldOut?.add(offerId);
  } else {
    const taken = await trx.updateTable('skus').set({ stock_units: sql`stock_units - ${q}` })
      .where('id', '=', row.skuId).where('stock_units', '>=', q).executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 0) return { ok: false, code: 'SOLD_OUT' };
  }
  const order = await trx.insertInto('orders').values({
    store_id: row.storeId,
    buyer_id: row.buyerId,
    kind: row.kind,
    event_id: row.eventId,
    offer_id: row.offerId,
    sku_id: row.skuId,
    promoter_id: row.promoterId,
    link_id: row.linkId,
    quantity: q,
    unit_price_fen: row.unitPriceFen,
    total_fen: row.unitPriceFen * q,
    status: 'pending_payment',
    pay_deadline: row.payDeadline,
    address_json: row.addressJson,
    created_at: row.createdAt,
    paid_at: null,
    cancelled_at: null,
    cancel_reason: null,
    request_key: row.requestKey,
    join_membership: row.joinMembership ? 1 : 0,
  }).returning('id').executeTakeFirstOrThrow();
  return { ok: true, orderId: order.id };
}

function orderValues(row: ReservationRow) {
  return {
    store_id: row.storeId, buyer_id: row.buyerId, kind: row.kind, event_id: row.eventId, offer_id: row.offerId, sku_id: row.skuId,
    promoter_id: row.promoterId, link_id: row.linkId, quantity: row.quantity, unit_price_fen: row.unitPriceFen,
    total_fen: row.unitPriceFen * row.quantity, status: 'pending_payment' as const, pay_deadline: row.payDeadline,
    address_json: row.addressJson, created_at: row.createdAt, paid_at: null, cancelled_at: null, cancel_reason: null, request_key: row.requestKey,
    join_membership: row.joinMembership ? 1 : 0,
  };
}

/**
 * Reserves a whole batch in a few statements instead of a few per order: one multi-row
 * conditional upsert of holdings, one conditional update per offer, one multi-row order insert.
 * Whatever the database refuses in aggregate (another process took units) is retried one by one,
 * so each reservation still gets its own exact answer. Outcomes are in the order of `rows`; offers
 * the batch sold out (reserved units reached the allocation) are added to `soldOut`.
 */
export async function reserveBatchInTransaction(trx: Transaction<Database>, rows: ReservationRow[], soldOut?: Set<string>): Promise<ReserveOutcome[]> {
  const outcomes: Array<ReserveOutcome | undefined> = new Array(rows.length);
  const oneByOne: number[] = [];
  const eventIdx: number[] = [];
  rows.forEach((row, i) => (row.kind === 'event' ? eventIdx : oneByOne).push(i));

  // Holdings, aggregated per (offer, buyer): a row may appear once per statement.
  const pairs = new Map<string, { offerId: string; buyerId: string; units: number; limit: number; idx: number[] }>();
  for (const i of eventIdx) {
    const row = rows[i] as ReservationRow;
    const pairKey = `${row.offerId}\u0000${row.buyerId}`;
    const pair = pairs.get(pairKey) ?? { offerId: row.offerId as string, buyerId: row.buyerId, units: 0, limit: row.perBuyerLimit, idx: [] };
    pair.units += row.quantity;
    pair.idx.push(i);
    pairs.set(pairKey, pair);
  }
  const held = new Set<string>();
  if (pairs.size > 0) {
    const values = [...pairs.values()].map((p) => sql`(${p.offerId}, ${p.buyerId}, ${p.units}, ${p.limit})`);
    const result = await sql<{ offer_id: string; buyer_id: string }>`
      insert into buyer_holdings (offer_id, buyer_id, units, limit_units) values ${sql.join(values)}
      on conflict (offer_id, buyer_id) do update set units = buyer_holdings.units + excluded.units
      where buyer_holdings.units + excluded.units <= buyer_holdings.limit_units
      returning offer_id, buyer_id`.execute(trx);
    for (const r of result.rows) held.add(`${r.offer_id}\u0000${r.buyer_id}`);
  }

  // Offers, one conditional update each, for the units whose holdings went through.
  const perOffer = new Map<string, { units: number; pairs: Array<{ buyerId: string; units: number; idx: number[] }> }>();
  for (const [pairKey, pair] of pairs) {
    if (!held.has(pairKey)) {
      oneByOne.push(...pair.idx);
      continue;
    }
    const offer = perOffer.get(pair.offerId) ?? { units: 0, pairs: [] };
    offer.units += pair.units;
    offer.pairs.push(pair);
    perOffer.set(pair.offerId, offer);
  }
  const toInsert: number[] = [];
  for (const [offerId, offer] of perOffer) {
    const taken = await trx.updateTable('offers').set({ reserved_units: sql`reserved_units + ${offer.units}` })
      .where('id', '=', offerId).where(sql<boolean>`reserved_units + ${offer.units} <= allocated_units`)
      .returning(['reserved_units', 'allocated_units']).executeTakeFirst();
    if (taken) {
      if (taken.reserved_units === taken.allocated_units) soldOut?.add(offerId);
      for (const pair of offer.pairs) toInsert.push(...pair.idx);
      continue;
    }
    for (const pair of offer.pairs) {
      await trx.updateTable('buyer_holdings').set({ units: sql`units - ${pair.units}` }).where('offer_id', '=', offerId).where('buyer_id', '=', pair.buyerId).execute();
      oneByOne.push(...pair.idx);
    }
  }

  if (toInsert.length > 0) {
    const inserted = await trx.insertInto('orders').values(toInsert.map((i) => orderValues(rows[i] as ReservationRow)))
      .returning(['id', 'buyer_id', 'request_key']).execute();
    const idOf = new Map(inserted.map((r) => [`${r.buyer_id}\u0000${r.request_key}`, r.id]));
    for (const i of toInsert) {
      const row = rows[i] as ReservationRow;
      const orderId = idOf.get(`${row.buyerId}\u0000${row.requestKey}`);
      if (orderId === undefined) throw new Error('a batched order came back without its id');
      outcomes[i] = { ok: true, orderId };
    }
  }
  for (const i of oneByOne.sort((a, b) => a - b)) outcomes[i] = await reserveInTransaction(trx, rows[i] as ReservationRow, soldOut);
  return outcomes.map((o) => {
    if (!o) throw new Error('a reservation in the batch got no outcome');
    return o;
  });
}

export interface ReleasedOrder {
  id: number;
  kind: OrderKind;
  offerId: string | null;
  eventId: string | null;
  buyerId: string;
  quantity: number;
}

/**
 * Cancels a pending order and puts its units back, in one transaction. Returns null when the order
 * was no longer pending (paid or already cancelled): exactly one of payment and cancellation wins.
 */
export async function cancelPendingOrder(db: Kysely<Database>, orderId: number, reason: string, nowMs: number): Promise<ReleasedOrder | null> {
  return db.transaction().execute(async (trx) => {
    const cancelled = await trx.updateTable('orders').set({ status: 'cancelled', cancelled_at: isoUtc(nowMs), cancel_reason: reason })
      .where('id', '=', orderId).where('status', '=', 'pending_payment').executeTakeFirst();
    if (Number(cancelled.numUpdatedRows) === 0) return null;
    const order = await trx.selectFrom('orders').select(['id', 'kind', 'offer_id', 'event_id', 'buyer_id', 'sku_id', 'quantity'])
      .where('id', '=', orderId).executeTakeFirstOrThrow();
    await putUnitsBack(trx, order, order.quantity, await targetOf(trx, order));
    return { id: order.id, kind: order.kind, offerId: order.offer_id, eventId: order.event_id, buyerId: order.buyer_id, quantity: order.quantity };
  });
}

interface UnitsOwner {
  kind: OrderKind;
  offer_id: string | null;
  event_id: string | null;
  buyer_id: string;
  sku_id: string;
}

type UnitsTarget = ReturnType<typeof releaseTarget>;

/** Where units that were never shipped go back to, by `releaseTarget`: whether the event still holds its allocation. */
async function targetOf(trx: Transaction<Database>, order: UnitsOwner): Promise<UnitsTarget> {
  let allocationReturned = false;
  if (order.event_id !== null) {
    const event = await trx.selectFrom('events').select('allocation_returned_at').where('id', '=', order.event_id).executeTakeFirstOrThrow();
    allocationReturned = event.allocation_returned_at !== null;
  }
  return releaseTarget({ kind: order.kind }, allocationReturned);
}

/** Puts `q` units of an order back: to its offer (and the buyer's holding), to store stock, or both. */
async function putUnitsBack(trx: Transaction<Database>, order: UnitsOwner, q: number, target: UnitsTarget): Promise<void> {
  if (target !== 'store') {
    const offerId = order.offer_id as string;
    await trx.updateTable('offers').set({
      reserved_units: sql`reserved_units - ${q}`,
      ...(target === 'offer_and_store' ? { allocated_units: sql`allocated_units - ${q}` } : {}),
    }).where('id', '=', offerId).execute();
    await trx.updateTable('buyer_holdings').set({ units: sql`units - ${q}` }).where('offer_id', '=', offerId).where('buyer_id', '=', order.buyer_id).execute();
  }
  if (target !== 'offer') {
    await trx.updateTable('skus').set({ stock_units: sql`stock_units + ${q}` }).where('id', '=', order.sku_id).execute();
  }
}

/** Units of a paid order given back, and where they went (what the in-memory book must be told after commit). */
export interface ReturnedUnits {
  orderId: number;
  offerId: string | null;
  buyerId: string;
  quantity: number;
  target: UnitsTarget;
}

/**
 * Gives back `q` units of a paid order inside the caller's transaction (a refund). Units that were
 * never shipped go where a cancelled order's go (`releaseTarget`: the offer while the event holds
 * its allocation, so other buyers can buy them; else store stock); units that came back from the
 * buyer go to store stock (the warehouse), and the offer keeps counting them sold.
 */
export async function returnPaidUnits(trx: Transaction<Database>, orderId: number, q: number, cameBackFromBuyer: boolean): Promise<ReturnedUnits> {
  if (!Number.isSafeInteger(q) || q <= 0) throw new Error(`returning ${q} units`);
  const order = await trx.selectFrom('orders').select(['id', 'kind', 'offer_id', 'event_id', 'buyer_id', 'sku_id', 'status'])
    .where('id', '=', orderId).executeTakeFirstOrThrow();
  if (order.status !== 'paid') throw new Error(`returning units of order ${orderId}, which is ${order.status}`);
  const target: UnitsTarget = cameBackFromBuyer ? 'store' : await targetOf(trx, order);
  await putUnitsBack(trx, order, q, target);
  return { orderId, offerId: order.offer_id, buyerId: order.buyer_id, quantity: q, target };
}

/** Pending orders whose payment deadline has passed, oldest first. */
export async function overdueOrderIds(db: Kysely<Database>, nowMs: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('orders').select('id').where('status', '=', 'pending_payment')
    .where('pay_deadline', '<=', isoUtc(nowMs)).orderBy('pay_deadline').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** Marks a pending order paid inside the payment's transaction; says why not when it cannot be. */
export async function markPaid(trx: Transaction<Database>, orderId: number, paymentId: string, amountFen: number, nowMs: number): Promise<{ ok: true } | { ok: false; reason: string }> {
  const order = await trx.selectFrom('orders').select(['status', 'total_fen']).where('id', '=', orderId).executeTakeFirst();
  if (!order) return { ok: false, reason: 'no such order' };
  if (order.total_fen !== amountFen) return { ok: false, reason: 'amount does not match the order' };
  const paid = await trx.updateTable('orders').set({ status: 'paid', paid_at: isoUtc(nowMs) })
    .where('id', '=', orderId).where('status', '=', 'pending_payment').executeTakeFirst();
  if (Number(paid.numUpdatedRows) === 1) return { ok: true };
  const status = order.status as OrderStatus;
  if (status === 'cancelled') return { ok: false, reason: 'the order was cancelled before this payment arrived' };
  const other = await trx.selectFrom('payments').select('id').where('order_id', '=', orderId)
    .where('status', '=', 'succeeded').where('id', '!=', paymentId).executeTakeFirst();
  return other ? { ok: false, reason: 'the order was already paid by another payment' } : { ok: true };
}

export interface OrderRecord {
  id: number;
  status: OrderStatus;
  kind: OrderKind;
  storeId: string;
  storeName: string;
  eventId: string | null;
  offerId: string | null;
  skuId: string;
  productTitle: string;
  skuCode: string;
  quantity: number;
  unitPriceFen: number;
  totalFen: number;
  payDeadline: string;
  createdAt: string;
  paidAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  address: Record<string, string>;
  buyerId: string;
  promoterId: string | null;
  shippedAt: string | null;
  deliveredAt: string | null;
  carrier: string | null;
  trackingNo: string | null;
  refundedFen: number;
}

function orderQuery(db: Kysely<Database>) {
  return db.selectFrom('orders')
    .innerJoin('skus', 'skus.id', 'orders.sku_id')
    .innerJoin('products', 'products.id', 'skus.product_id')
    .innerJoin('stores', 'stores.id', 'orders.store_id')
    .select([
      'orders.id', 'orders.status', 'orders.kind', 'orders.store_id', 'stores.name as store_name', 'orders.event_id', 'orders.offer_id',
      'orders.sku_id', 'products.title as product_title', 'skus.code as sku_code', 'orders.quantity', 'orders.unit_price_fen',
      'orders.total_fen', 'orders.pay_deadline', 'orders.created_at', 'orders.paid_at', 'orders.cancelled_at', 'orders.cancel_reason',
      'orders.address_json', 'orders.buyer_id', 'orders.promoter_id', 'orders.shipped_at', 'orders.delivered_at', 'orders.carrier',
      'orders.tracking_no', 'orders.refunded_fen',
    ]);
}

type OrderQueryRow = Awaited<ReturnType<ReturnType<typeof orderQuery>['executeTakeFirstOrThrow']>>;

function toRecord(r: OrderQueryRow): OrderRecord {
  return {
    id: r.id, status: r.status, kind: r.kind, storeId: r.store_id, storeName: r.store_name, eventId: r.event_id, offerId: r.offer_id,
    skuId: r.sku_id, productTitle: r.product_title, skuCode: r.sku_code, quantity: r.quantity, unitPriceFen: r.unit_price_fen,
    totalFen: r.total_fen, payDeadline: r.pay_deadline, createdAt: r.created_at, paidAt: r.paid_at, cancelledAt: r.cancelled_at,
    cancelReason: r.cancel_reason, address: JSON.parse(r.address_json) as Record<string, string>, buyerId: r.buyer_id, promoterId: r.promoter_id,
    shippedAt: r.shipped_at, deliveredAt: r.delivered_at, carrier: r.carrier, trackingNo: r.tracking_no, refundedFen: r.refunded_fen,
  };
}

export async function findOrder(db: Kysely<Database>, orderId: number): Promise<OrderRecord | null> {
  const row = await orderQuery(db).where('orders.id', '=', orderId).executeTakeFirst();
  return row ? toRecord(row) : null;
}

export async function ordersOfBuyer(db: Kysely<Database>, buyerId: string, limit: number): Promise<OrderRecord[]> {
  const rows = await orderQuery(db).where('orders.buyer_id', '=', buyerId).orderBy('orders.id', 'desc').limit(limit).execute();
  return rows.map(toRecord);
}

/** Units each buyer holds of each of these offers (pending or paid). */
export async function holdingsOf(db: Kysely<Database>, offerIds: string[]): Promise<Array<{ offerId: string; buyerId: string; units: number }>> {
  if (offerIds.length === 0) return [];
  const rows = await db.selectFrom('buyer_holdings').select(['offer_id', 'buyer_id', 'units']).where('offer_id', 'in', offerIds).where('units', '>', 0).execute();
  return rows.map((r) => ({ offerId: r.offer_id, buyerId: r.buyer_id, units: r.units }));
}

export async function eventOfOffer(db: Kysely<Database>, offerId: string): Promise<string | null> {
  const row = await db.selectFrom('offers').select('event_id').where('id', '=', offerId).executeTakeFirst();
  return row?.event_id ?? null;
}

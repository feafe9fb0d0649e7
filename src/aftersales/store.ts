// After-sales SQL. Units are claimed and refunded by conditional updates on the order row whose
// row counts decide (so concurrent requests on PostgreSQL queue on the row and re-check), and each
// step of a request is a conditional status update.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, RefundKind, RefundRequestsTable, RefundStatus } from '../platform/db/schema.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** A refund request as the API shows it: the table's row (less the buyer's key) with what it is for. */
export interface RefundRow extends Omit<RefundRequestsTable, 'request_key'> {
  product_title: string;
  sku_code: string;
}

function refundQuery(db: Executor) {
  return db.selectFrom('refund_requests')
    .innerJoin('orders', 'orders.id', 'refund_requests.order_id')
    .innerJoin('skus', 'skus.id', 'orders.sku_id')
    .innerJoin('products', 'products.id', 'skus.product_id')
    .select([
      'refund_requests.id', 'refund_requests.order_id', 'refund_requests.store_id', 'refund_requests.buyer_id', 'refund_requests.kind',
      'refund_requests.status', 'refund_requests.quantity', 'refund_requests.amount_fen', 'refund_requests.reason',
      'refund_requests.decision_reason', 'refund_requests.return_carrier', 'refund_requests.return_tracking_no',
      'refund_requests.created_at', 'refund_requests.updated_at', 'refund_requests.refunded_at',
      'products.title as product_title', 'skus.code as sku_code',
    ]);
}

export async function findRefund(db: Executor, id: string): Promise<RefundRow | undefined> {
  return refundQuery(db).where('refund_requests.id', '=', id).executeTakeFirst();
}

export async function findByKey(db: Executor, buyerId: string, requestKey: string): Promise<RefundRow | undefined> {
  return refundQuery(db).where('refund_requests.buyer_id', '=', buyerId).where('refund_requests.request_key', '=', requestKey).executeTakeFirst();
}

export async function refundsOfOrder(db: Executor, orderId: number, limit: number): Promise<RefundRow[]> {
  return refundQuery(db).where('refund_requests.order_id', '=', orderId).orderBy('refund_requests.id', 'desc').limit(limit).execute();
}

export async function refundsOfStore(db: Executor, storeId: string, filter: { statuses: readonly RefundStatus[] | null; beforeId?: string | undefined; limit: number }): Promise<RefundRow[]> {
  let query = refundQuery(db).where('refund_requests.store_id', '=', storeId);
  if (filter.statuses !== null) query = query.where('refund_requests.status', 'in', [...filter.statuses]);
  if (filter.beforeId !== undefined) query = query.where('refund_requests.id', '<', filter.beforeId);
  return query.orderBy('refund_requests.id', 'desc').limit(filter.limit).execute();
}

export interface OrderForRefund {
  id: number;
  store_id: string;
  buyer_id: string;
  status: 'pending_payment' | 'paid' | 'cancelled';
  quantity: number;
  unit_price_fen: number;
  total_fen: number;
  claimed_units: number;
  refunded_units: number;
  refunded_fen: number;
  shipped_at: string | null;
  delivered_at: string | null;
  return_days: number;
}

export async function orderForRefund(db: Executor, orderId: number): Promise<OrderForRefund | undefined> {
  return db.selectFrom('orders').innerJoin('stores', 'stores.id', 'orders.store_id')
    .select([
      'orders.id', 'orders.store_id', 'orders.buyer_id', 'orders.status', 'orders.quantity', 'orders.unit_price_fen', 'orders.total_fen',
      'orders.claimed_units', 'orders.refunded_units', 'orders.refunded_fen', 'orders.shipped_at', 'orders.delivered_at', 'stores.return_days',
    ])
    .where('orders.id', '=', orderId).executeTakeFirst();
}

export interface NewRefund {
  id: string;
  orderId: number;
  storeId: string;
  buyerId: string;
  kind: RefundKind;
  status: RefundStatus;
  quantity: number;
  amountFen: number;
  reason: string;
  requestKey: string;
  nowIso: string;
}

/** Inserts a request unless the buyer already made one with this key; false then (on PostgreSQL after the twin commits). */
export async function insertRefund(trx: Transaction<Database>, row: NewRefund): Promise<boolean> {
  const inserted = await trx.insertInto('refund_requests').values({
    id: row.id, order_id: row.orderId, store_id: row.storeId, buyer_id: row.buyerId, kind: row.kind, status: row.status, quantity: row.quantity,
    amount_fen: row.amountFen, reason: row.reason, decision_reason: null, return_carrier: null, return_tracking_no: null,
    created_at: row.nowIso, updated_at: row.nowIso, refunded_at: null, request_key: row.requestKey,
  }).onConflict((oc) => oc.columns(['buyer_id', 'request_key']).doNothing()).executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
}

/**
 * Claims `q` units of a paid order for a request: `claimed_units + q <= quantity`, checked by the
 * update itself. Before shipping the units are refunded in the same statement (and only while the
 * order is still unshipped: a concurrent shipment wins or loses on the row lock).
 */
export async function claimUnits(trx: Transaction<Database>, orderId: number, q: number, kind: RefundKind): Promise<boolean> {
  let update = trx.updateTable('orders').set({
    claimed_units: sql`claimed_units + ${q}`,
    ...(kind === 'before_shipping' ? { refunded_units: sql`refunded_units + ${q}` } : {}),
  }).where('id', '=', orderId).where('status', '=', 'paid').where(sql<boolean>`claimed_units + ${q} <= quantity`);
  update = kind === 'before_shipping' ? update.where('shipped_at', 'is', null) : update.where('shipped_at', 'is not', null);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Gives back the units a rejected or cancelled request claimed. */
export async function releaseClaim(trx: Transaction<Database>, orderId: number, q: number): Promise<void> {
  const result = await trx.updateTable('orders').set({ claimed_units: sql`claimed_units - ${q}` })
    .where('id', '=', orderId).where(sql<boolean>`claimed_units - ${q} >= refunded_units`).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new Error(`order ${orderId}: releasing ${q} claimed units would leave fewer than refunded`);
}

/** Refunds `q` claimed units of a return (received goods): never past what requests claimed. */
export async function refundClaimedUnits(trx: Transaction<Database>, orderId: number, q: number): Promise<boolean> {
  const result = await trx.updateTable('orders').set({ refunded_units: sql`refunded_units + ${q}` })
    .where('id', '=', orderId).where('status', '=', 'paid').where(sql<boolean>`refunded_units + ${q} <= claimed_units`).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The money facts of an order for computing a refund (read after the units update took its row lock). */
export async function refundFacts(trx: Transaction<Database>, orderId: number) {
  return trx.selectFrom('orders').select(['unit_price_fen', 'quantity', 'total_fen', 'refunded_fen', 'refunded_units'])
    .where('id', '=', orderId).executeTakeFirstOrThrow();
}

/** Moves a request from one of `from` to `to` (with extra fields); false when another step got there first. */
export async function moveRefund(
  trx: Executor, id: string, from: readonly RefundStatus[], to: RefundStatus, nowIso: string,
  extra: Partial<{ decision_reason: string | null; return_carrier: string; return_tracking_no: string; refunded_at: string; amount_fen: number }> = {},
): Promise<boolean> {
  const result = await trx.updateTable('refund_requests').set({ status: to, updated_at: nowIso, ...extra })
    .where('id', '=', id).where('status', 'in', [...from]).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setAmount(trx: Transaction<Database>, id: string, amountFen: number): Promise<void> {
  await trx.updateTable('refund_requests').set({ amount_fen: amountFen }).where('id', '=', id).execute();
}

export async function setReturnDays(db: Executor, storeId: string, returnDays: number): Promise<boolean> {
  const result = await db.updateTable('stores').set({ return_days: returnDays }).where('id', '=', storeId).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

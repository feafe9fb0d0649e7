// Statement SQL: totals over the split of paid orders (ledger_order_parts) with each order's refunds
// to date, reversed the way refunds reverse them: floor(part * refunded / total), in integers on both
// engines (bigint products on PostgreSQL, so fen * fen never overflows).
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Database } from '../platform/db/schema.ts';
import { isoUtc } from '../platform/clock.ts';

type Executor = Kysely<Database>;

export type Scope = { eventId: string } | { fromMs: number; toMs: number };

/** What is left of a part after the order's refunds: part - floor(part * refunded / total). */
function netOf(part: string) {
  return sql`(${sql.ref(part)} - cast(${sql.ref(part)} as bigint) * o.refunded_fen / p.total_fen)`;
}
const platformPart = sql`(p.fee_fen - p.override_fen)`;
const platformNet = sql`(${platformPart} - cast(${platformPart} as bigint) * o.refunded_fen / p.total_fen)`;
const discountPart = sql`(p.fee_gross_fen - p.fee_fen)`;
const discountNet = sql`(${discountPart} - cast(${discountPart} as bigint) * o.refunded_fen / p.total_fen)`;
const released = sql`o.released_at is not null`;

function inScope(scope: Scope): Expression<SqlBool> {
  if ('eventId' in scope) return sql<SqlBool>`p.event_id = ${scope.eventId}`;
  return sql<SqlBool>`p.paid_at >= ${isoUtc(scope.fromMs)} and p.paid_at < ${isoUtc(scope.toMs)}`;
}

const num = (value: unknown) => Number(value ?? 0);

export interface MerchantTotals {
  orders: number;
  gmvFen: number;
  refundsFen: number;
  commissionFen: number;
  overrideFen: number;
  platformFen: number;
  feeDiscountFen: number;
  releasedMerchantFen: number;
  pendingMerchantFen: number;
}

export async function merchantTotals(db: Executor, storeId: string, scope: Scope): Promise<MerchantTotals> {
  const merchantNet = sql`(o.total_fen - o.refunded_fen - ${netOf('p.commission_fen')} - ${netOf('p.override_fen')} - ${platformNet})`;
  const row = await db.selectFrom('ledger_order_parts as p').innerJoin('orders as o', 'o.id', 'p.order_id')
    .select([
      sql<number>`count(*)`.as('orders'),
      sql<number>`coalesce(sum(p.total_fen), 0)`.as('gmv'),
      sql<number>`coalesce(sum(o.refunded_fen), 0)`.as('refunds'),
      sql<number>`coalesce(sum(${netOf('p.commission_fen')}), 0)`.as('commission'),
      sql<number>`coalesce(sum(${netOf('p.override_fen')}), 0)`.as('override'),
      sql<number>`coalesce(sum(${platformNet}), 0)`.as('platform'),
      sql<number>`coalesce(sum(${discountNet}), 0)`.as('discount'),
      sql<number>`coalesce(sum(case when ${released} then ${merchantNet} else 0 end), 0)`.as('released'),
      sql<number>`coalesce(sum(case when ${released} then 0 else ${merchantNet} end), 0)`.as('pending'),
    ])
    .where('p.store_id', '=', storeId).where(inScope(scope)).executeTakeFirstOrThrow();
  return {
    orders: num(row.orders), gmvFen: num(row.gmv), refundsFen: num(row.refunds), commissionFen: num(row.commission), overrideFen: num(row.override),
    platformFen: num(row.platform), feeDiscountFen: num(row.discount), releasedMerchantFen: num(row.released), pendingMerchantFen: num(row.pending),
  };
}

export interface PromoterTotals {
  orders: number;
  gmvFen: number;
  refundsFen: number;
  commissionFen: number;
  commissionPendingFen: number;
  overrideFen: number;
  overridePendingFen: number;
}

export async function promoterTotals(db: Executor, promoterId: string, scope: Scope): Promise<PromoterTotals> {
  const own = await db.selectFrom('ledger_order_parts as p').innerJoin('orders as o', 'o.id', 'p.order_id')
    .select([
      sql<number>`count(*)`.as('orders'),
      sql<number>`coalesce(sum(p.total_fen), 0)`.as('gmv'),
      sql<number>`coalesce(sum(o.refunded_fen), 0)`.as('refunds'),
      sql<number>`coalesce(sum(${netOf('p.commission_fen')}), 0)`.as('commission'),
      sql<number>`coalesce(sum(case when ${released} then 0 else ${netOf('p.commission_fen')} end), 0)`.as('pending'),
    ])
    .where('p.promoter_id', '=', promoterId).where(inScope(scope)).executeTakeFirstOrThrow();
  const team = await db.selectFrom('ledger_order_parts as p').innerJoin('orders as o', 'o.id', 'p.order_id')
    .select([
      sql<number>`coalesce(sum(${netOf('p.override_fen')}), 0)`.as('override'),
      sql<number>`coalesce(sum(case when ${released} then 0 else ${netOf('p.override_fen')} end), 0)`.as('pending'),
    ])
    .where('p.leader_id', '=', promoterId).where(inScope(scope)).executeTakeFirstOrThrow();
  return {
    orders: num(own.orders), gmvFen: num(own.gmv), refundsFen: num(own.refunds), commissionFen: num(own.commission), commissionPendingFen: num(own.pending),
    overrideFen: num(team.override), overridePendingFen: num(team.pending),
  };
}

export interface OrderLine {
  orderId: number;
  eventId: string | null;
  promoterId: string | null;
  leaderId: string | null;
  paidAt: string;
  releasedAt: string | null;
  refundedFen: number;
  totalFen: number;
  commissionFen: number;
  overrideFen: number;
  feeFen: number;
  feeGrossFen: number;
  merchantFen: number;
}

/** The orders of a statement, oldest first, at most `limit` (+1 so the caller can tell there were more). */
export async function orderLines(db: Executor, who: { storeId: string } | { promoterId: string }, scope: Scope, limit: number): Promise<OrderLine[]> {
  let query = db.selectFrom('ledger_order_parts as p').innerJoin('orders as o', 'o.id', 'p.order_id')
    .select([
      'p.order_id', 'p.event_id', 'p.promoter_id', 'p.leader_id', 'p.paid_at', 'o.released_at', 'o.refunded_fen', 'p.total_fen',
      'p.commission_fen', 'p.override_fen', 'p.fee_fen', 'p.fee_gross_fen', 'p.merchant_fen',
    ])
    .where(inScope(scope));
  query = 'storeId' in who
    ? query.where('p.store_id', '=', who.storeId)
    : query.where((eb) => eb.or([eb('p.promoter_id', '=', who.promoterId), eb('p.leader_id', '=', who.promoterId)]));
  const rows = await query.orderBy('p.paid_at').orderBy('p.order_id').limit(limit + 1).execute();
  return rows.map((r) => ({
    orderId: r.order_id, eventId: r.event_id, promoterId: r.promoter_id, leaderId: r.leader_id, paidAt: r.paid_at, releasedAt: r.released_at ?? null,
    refundedFen: r.refunded_fen, totalFen: r.total_fen, commissionFen: r.commission_fen, overrideFen: r.override_fen, feeFen: r.fee_fen,
    feeGrossFen: r.fee_gross_fen, merchantFen: r.merchant_fen,
  }));
}

export async function eventOfStore(db: Executor, eventId: string): Promise<{ store_id: string } | undefined> {
  return db.selectFrom('events').select('store_id').where('id', '=', eventId).executeTakeFirst();
}

/** Payout items of a payee confirmed paid within [from, to). */
export async function paidOutBetween(db: Executor, payeeKind: 'promoter' | 'merchant', payeeId: string, fromMs: number, toMs: number): Promise<number> {
  const row = await db.selectFrom('payout_items').innerJoin('payout_batches', 'payout_batches.id', 'payout_items.batch_id')
    .select(sql<number>`coalesce(sum(payout_items.amount_fen), 0)`.as('paid'))
    .where('payout_items.payee_id', '=', payeeId).where('payout_batches.payee_kind', '=', payeeKind).where('payout_items.status', '=', 'paid')
    .where('payout_items.paid_at', '>=', isoUtc(fromMs)).where('payout_items.paid_at', '<', isoUtc(toMs)).executeTakeFirstOrThrow();
  return num(row.paid);
}

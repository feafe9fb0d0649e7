// Customers' SQL: the new-customer look-back, store members, and the event reports.
import { sql } from 'kysely';
import type { Db } from '../platform/db/db.ts';
import type { StoreMembersTable } from '../platform/db/schema.ts';

export async function paidOrder(db: Db, orderId: number) {
  return db.selectFrom('orders')
    .select(['id', 'store_id', 'buyer_id', 'event_id', 'promoter_id', 'created_at', 'paid_at', 'join_membership'])
    .where('id', '=', orderId).where('status', '=', 'paid').executeTakeFirst();
}

/** Whether the store has another paid or pending order of the buyer created in [fromIso, createdAt) (through orders_store_buyer). */
export async function hasEarlierOrder(db: Db, order: { id: number; store_id: string; buyer_id: string; created_at: string }, fromIso: string): Promise<boolean> {
  const row = await db.selectFrom('orders').select('id')
    .where('store_id', '=', order.store_id).where('buyer_id', '=', order.buyer_id)
    .where('created_at', '>=', fromIso)
    .where((eb) => eb.or([eb('created_at', '<', order.created_at), eb.and([eb('created_at', '=', order.created_at), eb('id', '<', order.id)])]))
    .where('status', '<>', 'cancelled')
    .limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function markNewCustomer(db: Db, orderId: number, isNew: boolean): Promise<void> {
  await db.updateTable('orders').set({ is_new_customer: isNew ? 1 : 0 }).where('id', '=', orderId).execute();
}

/** Adds the buyer to the store's members unless already one (the first join and its source stay). */
export async function addMember(db: Db, row: StoreMembersTable): Promise<void> {
  await db.insertInto('store_members').values(row).onConflict((oc) => oc.columns(['store_id', 'buyer_id']).doNothing()).execute();
}

export interface MemberRow extends StoreMembersTable {
  display_name: string;
  mobile: string | null;
  event_title: string | null;
  promoter_name: string | null;
  store_name: string;
}

function membersQuery(db: Db) {
  return db.selectFrom('store_members')
    .innerJoin('users as buyers', 'buyers.id', 'store_members.buyer_id')
    .innerJoin('stores', 'stores.id', 'store_members.store_id')
    .leftJoin('events', 'events.id', 'store_members.source_event_id')
    .leftJoin('users as promoters', 'promoters.id', 'store_members.source_promoter_id')
    .select([
      'store_members.store_id', 'store_members.buyer_id', 'store_members.joined_at', 'store_members.source_order_id', 'store_members.source_event_id',
      'store_members.source_promoter_id', 'buyers.display_name', 'buyers.mobile', 'events.title as event_title', 'promoters.display_name as promoter_name',
      'stores.name as store_name',
    ]);
}

/** Newest first; `before` continues after the previous page's last (joined_at, buyer_id). */
export async function membersOf(db: Db, storeId: string, limit: number, before?: { joinedAt: string; buyerId: string }): Promise<MemberRow[]> {
  let query = membersQuery(db).where('store_members.store_id', '=', storeId);
  if (before) {
    query = query.where((eb) => eb.or([
      eb('store_members.joined_at', '<', before.joinedAt),
      eb.and([eb('store_members.joined_at', '=', before.joinedAt), eb('store_members.buyer_id', '<', before.buyerId)]),
    ]));
  }
  return query.orderBy('store_members.joined_at', 'desc').orderBy('store_members.buyer_id', 'desc').limit(limit).execute();
}

export async function membershipsOf(db: Db, buyerId: string): Promise<MemberRow[]> {
  return membersQuery(db).where('store_members.buyer_id', '=', buyerId).orderBy('store_members.joined_at', 'desc').limit(500).execute();
}

export async function removeMember(db: Db, storeId: string, buyerId: string): Promise<boolean> {
  const result = await db.deleteFrom('store_members').where('store_id', '=', storeId).where('buyer_id', '=', buyerId).executeTakeFirst();
  return result.numDeletedRows === 1n;
}

export async function eventStore(db: Db, eventId: string) {
  return db.selectFrom('events').select(['id', 'store_id']).where('id', '=', eventId).executeTakeFirst();
}

/** Paid orders of the event by buyer and promoter: whether each buyer was new, per promoter. */
export async function eventBuyers(db: Db, eventId: string) {
  const rows = await db.selectFrom('orders')
    .select(['buyer_id', 'promoter_id', sql<number>`max(coalesce(is_new_customer, 0))`.as('is_new')])
    .where('event_id', '=', eventId).where('paid_at', 'is not', null)
    .groupBy(['buyer_id', 'promoter_id']).execute();
  return rows.map((r) => ({ buyerId: r.buyer_id, promoterId: r.promoter_id, isNew: Number(r.is_new) === 1 }));
}

/** Public-store paid orders that came after each new buyer's first paid event order. */
export async function publicOrdersAfterEvent(db: Db, eventId: string, storeId: string) {
  const result = await sql<{ buyer_id: string; first_paid: string; paid_at: string; gmv_fen: number }>`
    select p.buyer_id, f.first_paid, p.paid_at, p.total_fen - p.refunded_fen as gmv_fen
    from orders p
    join (select buyer_id, min(paid_at) as first_paid from orders
          where event_id = ${eventId} and is_new_customer = 1 and paid_at is not null group by buyer_id) f
      on f.buyer_id = p.buyer_id
    where p.store_id = ${storeId} and p.kind = 'public' and p.paid_at is not null and p.paid_at > f.first_paid`.execute(db);
  return result.rows;
}


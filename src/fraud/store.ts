// Fraud's SQL: the facts of a paid order, distinct promoters per buyer or address in an event, flags.
import type { Db } from '../platform/db/db.ts';
import type { FraudFlagKind } from '../platform/db/schema.ts';

export interface FlagRow {
  id: number;
  kind: FraudFlagKind;
  event_id: string | null;
  order_id: number | null;
  promoter_id: string | null;
  buyer_id: string | null;
  detail_json: string;
  dedupe_key: string;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

export interface FlagFilter {
  status?: 'open' | 'resolved' | undefined;
  kind?: FraudFlagKind | undefined;
  eventId?: string | undefined;
  promoterId?: string | undefined;
  beforeId?: number | undefined;
  limit: number;
}

export async function paidOrderFacts(db: Db, orderId: number) {
  return db.selectFrom('orders').select(['id', 'event_id', 'buyer_id', 'promoter_id', 'address_json'])
    .where('id', '=', orderId).where('status', '=', 'paid').executeTakeFirst();
}

export async function writeAddressKey(db: Db, orderId: number, key: string): Promise<void> {
  await db.updateTable('orders').set({ address_key: key }).where('id', '=', orderId).execute();
}

/** The distinct promoters a buyer's paid orders of the event were credited to (through orders_buyer). */
export async function promotersOfBuyer(db: Db, eventId: string, buyerId: string): Promise<string[]> {
  const rows = await db.selectFrom('orders').select('promoter_id').distinct()
    .where('buyer_id', '=', buyerId).where('event_id', '=', eventId).where('paid_at', 'is not', null).where('promoter_id', 'is not', null)
    .orderBy('promoter_id').limit(100).execute();
  return rows.map((r) => r.promoter_id as string);
}

/** The same for one delivery address (through orders_event_address). */
export async function promotersOfAddress(db: Db, eventId: string, key: string): Promise<string[]> {
  const rows = await db.selectFrom('orders').select('promoter_id').distinct()
    .where('event_id', '=', eventId).where('address_key', '=', key).where('paid_at', 'is not', null).where('promoter_id', 'is not', null)
    .orderBy('promoter_id').limit(100).execute();
  return rows.map((r) => r.promoter_id as string);
}

/** Raises a flag once per dedupe key (true when this call raised it); a later order of the same pattern adds nothing. */
export async function raiseFlag(db: Db, row: Omit<FlagRow, 'id' | 'resolved_at' | 'resolved_by'>): Promise<boolean> {
  const result = await db.insertInto('fraud_flags').values({ ...row, resolved_at: null, resolved_by: null })
    .onConflict((oc) => oc.column('dedupe_key').doNothing()).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function listFlags(db: Db, filter: FlagFilter): Promise<FlagRow[]> {
  let query = db.selectFrom('fraud_flags').selectAll();
  if (filter.status === 'open') query = query.where('resolved_at', 'is', null);
  if (filter.status === 'resolved') query = query.where('resolved_at', 'is not', null);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.eventId !== undefined) query = query.where('event_id', '=', filter.eventId);
  if (filter.promoterId !== undefined) query = query.where('promoter_id', '=', filter.promoterId);
  if (filter.beforeId !== undefined) query = query.where('id', '<', filter.beforeId);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
}

export async function findFlag(db: Db, flagId: number): Promise<FlagRow | undefined> {
  return db.selectFrom('fraud_flags').selectAll().where('id', '=', flagId).executeTakeFirst();
}

/** Resolves an open flag with the detail (now holding the note); resolving twice keeps the first. */
export async function resolveFlag(db: Db, flagId: number, by: string, detailJson: string, nowIso: string): Promise<void> {
  await db.updateTable('fraud_flags').set({ resolved_at: nowIso, resolved_by: by, detail_json: detailJson })
    .where('id', '=', flagId).where('resolved_at', 'is', null).execute();
}

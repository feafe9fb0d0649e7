// Fees' SQL: discount policies, and what terms are computed from (the channel's fee rate, the
// categories of a lot's SKUs, whether the merchant had an event before).
import type { Db } from '../platform/db/db.ts';
import type { EventStatus, FeePoliciesTable } from '../platform/db/schema.ts';
import { EVENT_STATUSES_COUNTED_FOR_FIRST, type FeePolicyKind } from './rules.ts';

export type FeePolicyRow = FeePoliciesTable;

export async function insertPolicy(db: Db, row: FeePolicyRow): Promise<void> {
  await db.insertInto('fee_policies').values(row).execute();
}

export async function findPolicy(db: Db, policyId: string): Promise<FeePolicyRow | undefined> {
  return db.selectFrom('fee_policies').selectAll().where('id', '=', policyId).executeTakeFirst();
}

export interface PolicyFilter {
  kind?: FeePolicyKind;
  storeId?: string;
  channelId?: string;
  includeDeleted: boolean;
}

export async function listPolicies(db: Db, filter: PolicyFilter, limit: number): Promise<FeePolicyRow[]> {
  let query = db.selectFrom('fee_policies').selectAll();
  if (!filter.includeDeleted) query = query.where('deleted_at', 'is', null);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.storeId !== undefined) query = query.where('store_id', '=', filter.storeId);
  if (filter.channelId !== undefined) query = query.where('channel_id', '=', filter.channelId);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

/** Soft delete, once: true when this call deleted it. */
export async function deletePolicy(db: Db, policyId: string, byUserId: string, nowIso: string): Promise<boolean> {
  const result = await db.updateTable('fee_policies').set({ deleted_at: nowIso, deleted_by: byUserId })
    .where('id', '=', policyId).where('deleted_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Live policies that could apply to a store's event on a channel (rules.policyApplies decides). */
export async function candidatePolicies(db: Db, storeId: string, channelId: string, limit: number): Promise<FeePolicyRow[]> {
  return db.selectFrom('fee_policies').selectAll()
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('store_id', 'is', null), eb('store_id', '=', storeId)]))
    .where((eb) => eb.or([eb('channel_id', 'is', null), eb('channel_id', '=', channelId)]))
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function storeExists(db: Db, storeId: string): Promise<boolean> {
  return (await db.selectFrom('stores').select('id').where('id', '=', storeId).executeTakeFirst()) !== undefined;
}

/** The channel's platform fee rate (migration 0003), or null when there is no such channel. */
export async function channelFeeRateBp(db: Db, channelId: string): Promise<number | null> {
  const row = await db.selectFrom('channels').select('platform_fee_rate_bp').where('id', '=', channelId).executeTakeFirst();
  return row ? Number(row.platform_fee_rate_bp) : null;
}

/** The category of each of `skuIds` that belongs to `storeId` (others are absent). */
export async function categoriesOfSkus(db: Db, storeId: string, skuIds: string[]): Promise<Map<string, string>> {
  if (skuIds.length === 0) return new Map();
  const rows = await db.selectFrom('skus').innerJoin('products', 'products.id', 'skus.product_id')
    .select(['skus.id as skuId', 'products.category as category'])
    .where('skus.store_id', '=', storeId)
    .where('skus.id', 'in', skuIds)
    .execute();
  return new Map(rows.map((r) => [r.skuId, r.category]));
}

/** Whether the store has an event (other than `exceptEventId`) that was booked or ran. */
export async function hasEarlierEvent(db: Db, storeId: string, exceptEventId: string | undefined): Promise<boolean> {
  let query = db.selectFrom('events').select('id')
    .where('store_id', '=', storeId)
    // The list may name statuses the schema type does not know yet (the lifecycle grows it).
    .where('status', 'in', EVENT_STATUSES_COUNTED_FOR_FIRST as EventStatus[]);
  if (exceptEventId !== undefined) query = query.where('id', '<>', exceptEventId);
  return (await query.limit(1).executeTakeFirst()) !== undefined;
}

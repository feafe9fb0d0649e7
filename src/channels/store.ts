// The channels' SQL: channels with their terms, and which promoters belong to which channel.
import type { Db } from '../platform/db/db.ts';
import type { AttributionMode, ChannelPromotersTable } from '../platform/db/schema.ts';

export interface ChannelRow {
  id: string;
  name: string;
  vertical: string;
  description: string;
  monthly_slot_cap: number;
  default_commission_rate_bp: number;
  min_commission_rate_bp: number;
  platform_fee_rate_bp: number;
  leader_override_rate_bp: number;
  attribution: AttributionMode;
  created_at: string;
  updated_at: string | null;
}

export type MembershipRow = ChannelPromotersTable;

export type ChannelChanges = Partial<Pick<ChannelRow, 'name' | 'vertical' | 'description' | 'monthly_slot_cap' | 'default_commission_rate_bp' | 'min_commission_rate_bp' | 'platform_fee_rate_bp' | 'leader_override_rate_bp' | 'attribution'>>;

const channelColumns = ['id', 'name', 'vertical', 'description', 'monthly_slot_cap', 'default_commission_rate_bp', 'min_commission_rate_bp', 'platform_fee_rate_bp', 'leader_override_rate_bp', 'attribution', 'created_at', 'updated_at'] as const;

export async function insertChannel(db: Db, row: ChannelRow): Promise<void> {
  await db.insertInto('channels').values(row).execute();
}

export async function findChannel(db: Db, channelId: string): Promise<ChannelRow | undefined> {
  return db.selectFrom('channels').select(channelColumns).where('id', '=', channelId).executeTakeFirst();
}

export async function listChannels(db: Db, limit: number): Promise<ChannelRow[]> {
  return db.selectFrom('channels').select(channelColumns).orderBy('id').limit(limit).execute();
}

/** Writes the changes (taking the row's write lock first); false when there is no such channel. */
export async function updateChannel(db: Db, channelId: string, changes: ChannelChanges, nowIso: string): Promise<boolean> {
  const result = await db.updateTable('channels').set({ ...changes, updated_at: nowIso }).where('id', '=', channelId).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Whether the user is an enabled promoter. */
export async function isPromoter(db: Db, userId: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('id')
    .where('id', '=', userId).where('role', '=', 'promoter').where('disabled_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

/** Adds the membership unless it exists; true when this call added it. */
export async function insertMembership(db: Db, row: MembershipRow): Promise<boolean> {
  const result = await db.insertInto('channel_promoters').values(row)
    .onConflict((oc) => oc.columns(['channel_id', 'promoter_id']).doNothing())
    .executeTakeFirst();
  return result.numInsertedOrUpdatedRows === 1n;
}

export async function findMembership(db: Db, channelId: string, promoterId: string): Promise<MembershipRow | undefined> {
  return db.selectFrom('channel_promoters').selectAll().where('channel_id', '=', channelId).where('promoter_id', '=', promoterId).executeTakeFirst();
}

export async function deleteMembership(db: Db, channelId: string, promoterId: string): Promise<boolean> {
  const result = await db.deleteFrom('channel_promoters').where('channel_id', '=', channelId).where('promoter_id', '=', promoterId).executeTakeFirst();
  return result.numDeletedRows === 1n;
}

/** The channels a promoter belongs to, by channel id. */
export async function channelsOfPromoter(db: Db, promoterId: string, limit: number): Promise<Array<ChannelRow & { joined_at: string }>> {
  return db.selectFrom('channel_promoters')
    .innerJoin('channels', 'channels.id', 'channel_promoters.channel_id')
    .select(channelColumns.map((c) => `channels.${c}` as const))
    .select('channel_promoters.joined_at')
    .where('channel_promoters.promoter_id', '=', promoterId)
    .orderBy('channels.id')
    .limit(limit)
    .execute();
}

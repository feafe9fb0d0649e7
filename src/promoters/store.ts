// The promoters' SQL: profiles (with the user's name), status changes, channel memberships given at
// approval, team leaders, invite codes and the team's paid orders. Every function takes the
// database or a transaction, so the service decides what runs together.
import type { Db } from '../platform/db/db.ts';
import type { Selectable } from 'kysely';
import type { PromoterInvitesTable, PromoterStatus, PromoterStatusChangesTable } from '../platform/db/schema.ts';

export interface ProfileRow {
  user_id: string;
  display_name: string;
  mobile: string | null;
  status: PromoterStatus;
  status_reason: string | null;
  wechat_id: string | null;
  audience_size: number;
  channels_wished_json: string;
  is_leader: number;
  leader_id: string | null;
  leader_name: string | null;
  team_joined_at: string | null;
  created_at: string;
  updated_at: string;
}

function profiles(db: Db) {
  return db.selectFrom('promoter_profiles as p')
    .innerJoin('users as u', 'u.id', 'p.user_id')
    .leftJoin('users as l', 'l.id', 'p.leader_id')
    .select([
      'p.user_id', 'u.display_name', 'u.mobile', 'p.status', 'p.status_reason', 'p.wechat_id', 'p.audience_size',
      'p.channels_wished_json', 'p.is_leader', 'p.leader_id', 'l.display_name as leader_name', 'p.team_joined_at',
      'p.created_at', 'p.updated_at',
    ])
    .where('u.role', '=', 'promoter');
}

export async function findProfile(db: Db, userId: string): Promise<ProfileRow | undefined> {
  return profiles(db).where('p.user_id', '=', userId).executeTakeFirst();
}

/** Profiles oldest first (by created_at, then id), after a (createdAt, userId) cursor. */
export async function listProfiles(db: Db, filter: { status?: PromoterStatus | undefined; limit: number; after?: { createdAt: string; userId: string } | undefined }): Promise<ProfileRow[]> {
  let query = profiles(db);
  if (filter.status !== undefined) query = query.where('p.status', '=', filter.status);
  const after = filter.after;
  if (after) {
    query = query.where((eb) => eb.or([
      eb('p.created_at', '>', after.createdAt),
      eb.and([eb('p.created_at', '=', after.createdAt), eb('p.user_id', '>', after.userId)]),
    ]));
  }
  return query.orderBy('p.created_at').orderBy('p.user_id').limit(filter.limit).execute();
}

export async function updateProfile(db: Db, userId: string, fields: { displayName: string; wechatId: string | null; audienceSize: number; channelsWished: string[] }, nowIso: string): Promise<void> {
  await db.updateTable('users').set({ display_name: fields.displayName }).where('id', '=', userId).execute();
  await db.updateTable('promoter_profiles').set({
    wechat_id: fields.wechatId,
    audience_size: fields.audienceSize,
    channels_wished_json: JSON.stringify(fields.channelsWished),
    updated_at: nowIso,
  }).where('user_id', '=', userId).execute();
}

/** Those of `ids` that are channels. */
export async function existingChannels(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('channels').select('id').where('id', 'in', [...ids]).execute();
  return new Set(rows.map((r) => r.id));
}

/** Moves the status only if it still is `from` (a concurrent move makes this one lose); true when moved. */
export async function moveStatus(db: Db, userId: string, from: PromoterStatus, to: PromoterStatus, reason: string | null, nowIso: string): Promise<boolean> {
  const result = await db.updateTable('promoter_profiles').set({ status: to, status_reason: reason, updated_at: nowIso })
    .where('user_id', '=', userId).where('status', '=', from).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function insertStatusChange(db: Db, row: Omit<PromoterStatusChangesTable, 'id'>): Promise<void> {
  await db.insertInto('promoter_status_changes').values(row).execute();
}

export async function statusHistory(db: Db, userId: string, limit: number) {
  return db.selectFrom('promoter_status_changes')
    .select(['from_status', 'to_status', 'reason', 'by', 'at'])
    .where('promoter_id', '=', userId).orderBy('id', 'desc').limit(limit).execute();
}

/** Adds the promoter to each channel unless already a member. */
export async function insertMemberships(db: Db, promoterId: string, channelIds: readonly string[], nowIso: string): Promise<void> {
  if (channelIds.length === 0) return;
  await db.insertInto('channel_promoters')
    .values(channelIds.map((channelId) => ({ channel_id: channelId, promoter_id: promoterId, joined_at: nowIso })))
    .onConflict((oc) => oc.columns(['channel_id', 'promoter_id']).doNothing())
    .execute();
}

export async function channelIdsOf(db: Db, promoterId: string, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('channel_promoters').select('channel_id').where('promoter_id', '=', promoterId).orderBy('channel_id').limit(limit).execute();
  return rows.map((r) => r.channel_id);
}

/**
 * Makes an approved promoter outside any team a leader, or a leader without members a promoter
 * again, as one conditional update (the table's CHECK backs the two-level rule); true when changed.
 */
export async function setLeader(db: Db, userId: string, isLeader: boolean, nowIso: string): Promise<boolean> {
  let query = db.updateTable('promoter_profiles').set({ is_leader: isLeader ? 1 : 0, updated_at: nowIso }).where('user_id', '=', userId);
  query = isLeader
    ? query.where('status', '=', 'approved').where('leader_id', 'is', null)
    : query.where((eb) => eb.not(eb.exists(eb.selectFrom('promoter_profiles as m').select('m.user_id').where('m.leader_id', '=', userId))));
  const result = await query.executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function teamSize(db: Db, leaderId: string): Promise<number> {
  const row = await db.selectFrom('promoter_profiles').select((eb) => eb.fn.countAll<number>().as('n')).where('leader_id', '=', leaderId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export type InviteRow = Selectable<PromoterInvitesTable>;

/** Inserts an invite code; false when the code is taken (try another). */
export async function insertInvite(db: Db, row: { code: string; leaderId: string; maxUses: number | null; nowIso: string }): Promise<boolean> {
  const result = await db.insertInto('promoter_invites')
    .values({ code: row.code, leader_id: row.leaderId, max_uses: row.maxUses, uses: 0, created_at: row.nowIso, revoked_at: null })
    .onConflict((oc) => oc.column('code').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function countActiveInvites(db: Db, leaderId: string): Promise<number> {
  const row = await db.selectFrom('promoter_invites').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('leader_id', '=', leaderId).where('revoked_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findInvite(db: Db, code: string): Promise<InviteRow | undefined> {
  return db.selectFrom('promoter_invites').selectAll().where('code', '=', code).executeTakeFirst();
}

export async function invitesOf(db: Db, leaderId: string, limit: number): Promise<InviteRow[]> {
  return db.selectFrom('promoter_invites').selectAll().where('leader_id', '=', leaderId)
    .orderBy('created_at', 'desc').orderBy('code').limit(limit).execute();
}

export async function revokeInvite(db: Db, leaderId: string, code: string, nowIso: string): Promise<void> {
  await db.updateTable('promoter_invites').set({ revoked_at: nowIso })
    .where('code', '=', code).where('leader_id', '=', leaderId).where('revoked_at', 'is', null).execute();
}

/**
 * Counts one use of a live code whose leader is an approved leader, only while uses < max_uses:
 * one conditional update, so concurrent joins never pass the maximum. The leader id, or null.
 */
export async function useInvite(db: Db, code: string): Promise<string | null> {
  const result = await db.updateTable('promoter_invites').set((eb) => ({ uses: eb('uses', '+', 1) }))
    .where('code', '=', code)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
    .where((eb) => eb.exists(eb.selectFrom('promoter_profiles as l').select('l.user_id')
      .whereRef('l.user_id', '=', 'promoter_invites.leader_id').where('l.is_leader', '=', 1).where('l.status', '=', 'approved')))
    .returning('leader_id')
    .executeTakeFirst();
  return result?.leader_id ?? null;
}

/** Puts a promoter outside any team, and not a leader, into a leader's team; true when joined. */
export async function joinTeam(db: Db, memberId: string, leaderId: string, code: string, nowIso: string): Promise<boolean> {
  const result = await db.updateTable('promoter_profiles')
    .set({ leader_id: leaderId, invite_code: code, team_joined_at: nowIso, updated_at: nowIso })
    .where('user_id', '=', memberId).where('leader_id', 'is', null).where('is_leader', '=', 0)
    .where('status', 'in', ['pending', 'approved'])
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export interface TeamMemberRow {
  user_id: string;
  display_name: string;
  status: PromoterStatus;
  team_joined_at: string | null;
}

/** A leader's members, by user id, after `after`. */
export async function teamMembers(db: Db, leaderId: string, limit: number, after: string | undefined): Promise<TeamMemberRow[]> {
  let query = db.selectFrom('promoter_profiles as p').innerJoin('users as u', 'u.id', 'p.user_id')
    .select(['p.user_id', 'u.display_name', 'p.status', 'p.team_joined_at'])
    .where('p.leader_id', '=', leaderId);
  if (after !== undefined) query = query.where('p.user_id', '>', after);
  return query.orderBy('p.user_id').limit(limit).execute();
}

/** Paid orders and their total (fen) per promoter, for the given promoters (orders_promoter_paid). */
export async function paidTotals(db: Db, promoterIds: readonly string[]): Promise<Map<string, { orders: number; gmvFen: number }>> {
  const out = new Map<string, { orders: number; gmvFen: number }>();
  if (promoterIds.length === 0) return out;
  const rows = await db.selectFrom('orders')
    .select(['promoter_id', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('total_fen').as('fen')])
    .where('promoter_id', 'in', [...promoterIds]).where('paid_at', 'is not', null).where('status', '=', 'paid')
    .groupBy('promoter_id')
    .execute();
  for (const row of rows) if (row.promoter_id !== null) out.set(row.promoter_id, { orders: Number(row.n), gmvFen: Number(row.fen ?? 0) });
  return out;
}


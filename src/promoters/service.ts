// Promoters: the profile a promoter keeps, the operator's vetting (pending -> approved ->
// suspended -> approved, banned for good; each move recorded), two-level teams and invite codes.
// A promoter's links give access only while they are approved: every move tells access to forget
// the promoter's cached links, so a suspension stops them at once.
import crypto from 'node:crypto';
import type { AppContext } from '../platform/context.ts';
import { isoUtc } from '../platform/clock.ts';
import type { PromoterStatus } from '../platform/db/schema.ts';
import { AppError } from '../platform/errors.ts';
import { maskMobile } from '../platform/log.ts';
import {
  ACTIVE_INVITES_PER_LEADER_MAX,
  CHANNELS_WISHED_MAX,
  INVITES_LISTED_MAX,
  STATUS_HISTORY_MAX,
  decideVetting,
  distinctIds,
  inviteCodeFrom,
  inviteRefusal,
  joinRefusal,
  leaderChangeRefusal,
  normalizeInviteCode,
  type TeamPosition,
  type TeamRefusal,
  type VettingAction,
} from './rules.ts';
import * as store from './store.ts';

export interface PromoterProfile {
  id: string;
  displayName: string;
  /** Masked: 138****5678. */
  mobile: string | null;
  status: PromoterStatus;
  /** The reason given with the last status change, if any. */
  reason: string | null;
  wechatId: string | null;
  audienceSize: number;
  channelsWished: string[];
  isLeader: boolean;
  leader: { id: string; displayName: string } | null;
  teamJoinedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface StatusChange {
  from: PromoterStatus;
  to: PromoterStatus;
  reason: string;
  by: string;
  at: string;
}

/** What an operator sees of one promoter: the profile, their channels, the last status changes. */
export interface PromoterDetail extends PromoterProfile {
  channelIds: string[];
  history: StatusChange[];
}

export interface ProfileInput {
  displayName: string;
  wechatId?: string | null | undefined;
  audienceSize: number;
  channelsWished: string[];
}

export interface Invite {
  code: string;
  maxUses: number | null;
  uses: number;
  createdAt: string;
  revokedAt: string | null;
}

export interface TeamMember {
  id: string;
  displayName: string;
  status: PromoterStatus;
  joinedAt: string | null;
  paidOrders: number;
  paidGmvFen: number;
}

/** A promoter's standing, for other features (commission, overrides, fraud checks). */
export interface PromoterStanding {
  status: PromoterStatus;
  isLeader: boolean;
  leaderId: string | null;
}

export interface PromotersService {
  /** The caller's own profile; NOT_FOUND when the user is not a promoter. */
  profileOf(promoterId: string): Promise<PromoterProfile>;
  updateProfile(promoterId: string, input: ProfileInput): Promise<PromoterProfile>;
  list(filter: { status?: PromoterStatus | undefined; limit: number; after?: string | undefined }): Promise<{ items: PromoterProfile[]; next: string | null }>;
  detail(promoterId: string): Promise<PromoterDetail>;
  /** approve / suspend / ban / reinstate, recorded in promoter_status_changes; CONFLICT when not allowed. */
  vet(promoterId: string, action: VettingAction, input: { reason?: string | undefined; channelIds?: string[] | undefined }, byUserId: string): Promise<PromoterDetail>;
  setLeader(promoterId: string, isLeader: boolean): Promise<PromoterDetail>;
  createInvite(leaderId: string, maxUses: number | null): Promise<Invite>;
  invitesOf(leaderId: string): Promise<Invite[]>;
  revokeInvite(leaderId: string, code: string): Promise<Invite>;
  joinTeam(promoterId: string, inviteCode: string): Promise<PromoterProfile>;
  teamOf(leaderId: string, limit: number, after: string | undefined): Promise<{ members: TeamMember[]; next: string | null }>;
  /** Status, leadership and leader of a promoter, or null when there is no such promoter. */
  standing(promoterId: string): Promise<PromoterStanding | null>;
}

/** What the promoters feature needs from access: forgetting a promoter's cached links. */
export interface LinkCache {
  forgetPromoterLinks(promoterId: string): void;
}

const INVITE_CODE_ATTEMPTS = 5;
const CURSOR_SEPARATOR = '~';

function toProfile(row: store.ProfileRow): PromoterProfile {
  return {
    id: row.user_id,
    displayName: row.display_name,
    mobile: row.mobile === null ? null : maskMobile(row.mobile),
    status: row.status,
    reason: row.status_reason,
    wechatId: row.wechat_id,
    audienceSize: row.audience_size,
    channelsWished: parseIds(row.channels_wished_json),
    isLeader: row.is_leader === 1,
    leader: row.leader_id === null ? null : { id: row.leader_id, displayName: row.leader_name ?? '' },
    teamJoinedAt: row.team_joined_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function parseIds(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function position(row: store.ProfileRow): TeamPosition {
  return { status: row.status, isLeader: row.is_leader === 1, leaderId: row.leader_id };
}

function refuse(refusal: TeamRefusal | null): void {
  if (refusal) throw new AppError(refusal.code, refusal.message);
}

function toInvite(row: store.InviteRow): Invite {
  return { code: row.code, maxUses: row.max_uses, uses: Number(row.uses), createdAt: row.created_at, revokedAt: row.revoked_at };
}

export function createPromotersService(ctx: AppContext, links: LinkCache): PromotersService {
  const { db, clock } = ctx;

  async function requireProfile(promoterId: string, database = db): Promise<store.ProfileRow> {
    const row = await store.findProfile(database, promoterId);
    if (!row) throw new AppError('NOT_FOUND');
    return row;
  }

  async function requireChannels(ids: readonly string[], path: string): Promise<void> {
    const found = await store.existingChannels(db, ids);
    const issues = ids.flatMap((id, i) => (found.has(id) ? [] : [{ path: `${path}/${i}`, message: 'no such channel' }]));
    if (issues.length > 0) throw new AppError('VALIDATION_FAILED', undefined, { issues });
  }

  async function detail(promoterId: string): Promise<PromoterDetail> {
    const row = await requireProfile(promoterId);
    const [channelIds, history] = [await store.channelIdsOf(db, promoterId, 500), await store.statusHistory(db, promoterId, STATUS_HISTORY_MAX)];
    return {
      ...toProfile(row),
      channelIds,
      history: history.map((h) => ({ from: h.from_status, to: h.to_status, reason: h.reason, by: h.by, at: h.at })),
    };
  }

  return {
    profileOf: async (promoterId) => toProfile(await requireProfile(promoterId)),

    async updateProfile(promoterId, input) {
      const channelsWished = distinctIds(input.channelsWished).slice(0, CHANNELS_WISHED_MAX);
      await requireChannels(channelsWished, '/channelsWished');
      await requireProfile(promoterId);
      const nowIso = isoUtc(clock.nowMs());
      await db.transaction().execute((trx) => store.updateProfile(trx, promoterId, {
        displayName: input.displayName.trim(),
        wechatId: input.wechatId?.trim() || null,
        audienceSize: input.audienceSize,
        channelsWished,
      }, nowIso));
      return toProfile(await requireProfile(promoterId));
    },

    async list(filter) {
      let after: { createdAt: string; userId: string } | undefined;
      if (filter.after !== undefined) {
        const [createdAt, userId] = filter.after.split(CURSOR_SEPARATOR);
        if (!createdAt || !userId) throw new AppError('VALIDATION_FAILED', 'The cursor is not one this list gave.');
        after = { createdAt, userId };
      }
      const rows = await store.listProfiles(db, { status: filter.status, limit: filter.limit, after });
      const last = rows.at(-1);
      return { items: rows.map(toProfile), next: rows.length === filter.limit && last ? `${last.created_at}${CURSOR_SEPARATOR}${last.user_id}` : null };
    },

    detail,

    async vet(promoterId, action, input, byUserId) {
      const nowIso = isoUtc(clock.nowMs());
      const given = input.channelIds === undefined ? undefined : distinctIds(input.channelIds);
      if (given) await requireChannels(given, '/channelIds');
      await db.transaction().execute(async (trx) => {
        const row = await requireProfile(promoterId, trx);
        const decision = decideVetting(row.status, action);
        if (!decision.ok) throw new AppError('CONFLICT', decision.message, { status: row.status, action });
        const reason = input.reason?.trim() || null;
        // Conditional on the status read: of two operators acting at once, one moves, the other hears CONFLICT.
        if (!(await store.moveStatus(trx, promoterId, row.status, decision.to, reason, nowIso))) {
          throw new AppError('CONFLICT', 'The promoter changed status meanwhile; reload and try again.');
        }
        await store.insertStatusChange(trx, { promoter_id: promoterId, from_status: row.status, to_status: decision.to, reason: reason ?? '', by: byUserId, at: nowIso });
        if (action === 'approve') {
          const wished = parseIds(row.channels_wished_json);
          const channelIds = given ?? [...(await store.existingChannels(trx, wished))];
          await store.insertMemberships(trx, promoterId, channelIds, nowIso);
        }
      });
      links.forgetPromoterLinks(promoterId);
      return detail(promoterId);
    },

    async setLeader(promoterId, isLeader) {
      const row = await requireProfile(promoterId);
      refuse(leaderChangeRefusal(position(row), isLeader, isLeader ? 0 : await store.teamSize(db, promoterId)));
      if (!(await store.setLeader(db, promoterId, isLeader, isoUtc(clock.nowMs())))) {
        // Something moved between the read and the write (a join, a vetting move): decide again on fresh data.
        const fresh = await requireProfile(promoterId);
        refuse(leaderChangeRefusal(position(fresh), isLeader, await store.teamSize(db, promoterId)));
        if ((fresh.is_leader === 1) !== isLeader) throw new AppError('CONFLICT', 'The promoter changed meanwhile; reload and try again.');
      }
      return detail(promoterId);
    },

    async createInvite(leaderId, maxUses) {
      refuse(inviteRefusal(position(await requireProfile(leaderId))));
      // A soft limit, like API keys: two concurrent requests may pass it by one.
      if ((await store.countActiveInvites(db, leaderId)) >= ACTIVE_INVITES_PER_LEADER_MAX) {
        throw new AppError('CONFLICT', `You hold ${ACTIVE_INVITES_PER_LEADER_MAX} active invite codes, the most allowed; revoke one first.`);
      }
      const nowIso = isoUtc(clock.nowMs());
      for (let attempt = 0; attempt < INVITE_CODE_ATTEMPTS; attempt++) {
        const code = inviteCodeFrom(crypto.randomBytes(24));
        if (!code) continue;
        if (await store.insertInvite(db, { code, leaderId, maxUses, nowIso })) return { code, maxUses, uses: 0, createdAt: nowIso, revokedAt: null };
      }
      throw new Error('could not find a free invite code');
    },

    async invitesOf(leaderId) {
      return (await store.invitesOf(db, leaderId, INVITES_LISTED_MAX)).map(toInvite);
    },

    async revokeInvite(leaderId, code) {
      const normalized = normalizeInviteCode(code);
      const row = normalized ? await store.findInvite(db, normalized) : undefined;
      // Another leader's code is answered as if it did not exist.
      if (!row || row.leader_id !== leaderId) throw new AppError('NOT_FOUND');
      await store.revokeInvite(db, leaderId, row.code, isoUtc(clock.nowMs()));
      const after = await store.findInvite(db, row.code);
      if (!after) throw new Error(`invite ${row.code} vanished after its own update`);
      return toInvite(after);
    },

    async joinTeam(promoterId, inviteCode) {
      const code = normalizeInviteCode(inviteCode);
      if (!code) throw new AppError('INVITE_INVALID');
      const nowIso = isoUtc(clock.nowMs());
      await db.transaction().execute(async (trx) => {
        refuse(joinRefusal(position(await requireProfile(promoterId, trx))));
        const leaderId = await store.useInvite(trx, code);
        if (leaderId === null) throw new AppError('INVITE_INVALID');
        if (leaderId === promoterId) throw new AppError('TEAM_DEPTH', 'A team leader cannot join a team (two levels only).');
        // Conditional on being outside any team and not a leader; a refusal rolls the use back.
        if (!(await store.joinTeam(trx, promoterId, leaderId, code, nowIso))) {
          refuse(joinRefusal(position(await requireProfile(promoterId, trx))));
          throw new AppError('CONFLICT', 'Your profile changed meanwhile; reload and try again.');
        }
      });
      return toProfile(await requireProfile(promoterId));
    },

    async teamOf(leaderId, limit, after) {
      const leader = await requireProfile(leaderId);
      if (leader.is_leader !== 1) throw new AppError('NOT_TEAM_LEADER');
      const rows = await store.teamMembers(db, leaderId, limit, after);
      const totals = await store.paidTotals(db, rows.map((r) => r.user_id));
      const members = rows.map((r) => ({
        id: r.user_id,
        displayName: r.display_name,
        status: r.status,
        joinedAt: r.team_joined_at,
        paidOrders: totals.get(r.user_id)?.orders ?? 0,
        paidGmvFen: totals.get(r.user_id)?.gmvFen ?? 0,
      }));
      const last = rows.at(-1);
      return { members, next: rows.length === limit && last ? last.user_id : null };
    },

    async standing(promoterId) {
      const row = await store.findProfile(db, promoterId);
      return row ? position(row) : null;
    },
  };
}

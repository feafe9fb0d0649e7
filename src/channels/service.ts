// Channels: promoter communities by vertical, with their terms (monthly slot cap, commission and
// platform fee rates in basis points) and their members. A channel's calendar is src/calendar;
// a cap change reaches the calendar's months in the same transaction.
import type { AppContext } from '../platform/context.ts';
import type { CalendarService } from '../calendar/service.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { CHANNEL_DEFAULTS, checkChannelTerms, type AttributionMode, type ChannelTerms } from './rules.ts';
import * as store from './store.ts';

export interface Channel extends ChannelTerms {
  id: string;
  name: string;
  vertical: string;
  description: string;
  /** Which link is credited when a buyer opened several (docs/promoters.md, Attribution). */
  attribution: AttributionMode;
  createdAt: string;
  updatedAt: string | null;
}

/**
 * A new channel: name and vertical are required; the rest default to CHANNEL_DEFAULTS
 * (cap 31 days a month, commission 1000 bp = 10% by default and 500 bp = 5% at least, fee 600 bp = 6%).
 */
export interface NewChannel {
  name: string;
  vertical: string;
  description?: string | undefined;
  monthlySlotCap?: number | undefined;
  defaultCommissionRateBp?: number | undefined;
  minCommissionRateBp?: number | undefined;
  platformFeeRateBp?: number | undefined;
  leaderOverrideRateBp?: number | undefined;
  attribution?: AttributionMode | undefined;
}

export type ChannelChanges = Partial<NewChannel>;

export interface Membership {
  channelId: string;
  promoterId: string;
  joinedAt: string;
}

/** A channel as its promoter sees it in their own list. */
export interface PromoterChannel {
  id: string;
  name: string;
  vertical: string;
  description: string;
  defaultCommissionRateBp: number;
  minCommissionRateBp: number;
  joinedAt: string;
}

export interface ChannelsService {
  createChannel(input: NewChannel): Promise<Channel>;
  listChannels(): Promise<Channel[]>;
  getChannel(channelId: string): Promise<Channel | null>;
  /** Changes some fields; NOT_FOUND for no channel, VALIDATION_FAILED when the merged terms do not hold. */
  updateChannel(channelId: string, changes: ChannelChanges): Promise<Channel>;
  /** Adds an enabled promoter to a channel; created is false when they already belonged. */
  addPromoter(channelId: string, promoterId: string): Promise<{ membership: Membership; created: boolean }>;
  /** Removes a promoter from a channel; removed is false when they did not belong. */
  removePromoter(channelId: string, promoterId: string): Promise<{ removed: boolean }>;
  isMember(channelId: string, promoterId: string): Promise<boolean>;
  channelsOfPromoter(promoterId: string): Promise<PromoterChannel[]>;
}

/** Most channels listed at once. */
export const CHANNELS_MAX = 500;

function toChannel(row: store.ChannelRow): Channel {
  return {
    id: row.id,
    name: row.name,
    vertical: row.vertical,
    description: row.description,
    monthlySlotCap: row.monthly_slot_cap,
    defaultCommissionRateBp: row.default_commission_rate_bp,
    minCommissionRateBp: row.min_commission_rate_bp,
    platformFeeRateBp: row.platform_fee_rate_bp,
    leaderOverrideRateBp: row.leader_override_rate_bp,
    attribution: row.attribution,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function throwIfIssues(terms: ChannelTerms): void {
  const issues = checkChannelTerms(terms);
  if (issues.length > 0) throw new AppError('VALIDATION_FAILED', undefined, { issues });
}

export function createChannelsService(ctx: AppContext, calendar: CalendarService): ChannelsService {
  const { db, clock } = ctx;

  async function requireChannel(channelId: string): Promise<store.ChannelRow> {
    const row = await store.findChannel(db, channelId);
    if (!row) throw new AppError('NOT_FOUND');
    return row;
  }

  return {
    async createChannel(input) {
      const terms: ChannelTerms = {
        monthlySlotCap: input.monthlySlotCap ?? CHANNEL_DEFAULTS.monthlySlotCap,
        defaultCommissionRateBp: input.defaultCommissionRateBp ?? CHANNEL_DEFAULTS.defaultCommissionRateBp,
        minCommissionRateBp: input.minCommissionRateBp ?? CHANNEL_DEFAULTS.minCommissionRateBp,
        platformFeeRateBp: input.platformFeeRateBp ?? CHANNEL_DEFAULTS.platformFeeRateBp,
        leaderOverrideRateBp: input.leaderOverrideRateBp ?? CHANNEL_DEFAULTS.leaderOverrideRateBp,
      };
      throwIfIssues(terms);
      const nowMs = clock.nowMs();
      const row: store.ChannelRow = {
        id: newId('chn', nowMs),
        name: input.name,
        vertical: input.vertical,
        description: input.description ?? CHANNEL_DEFAULTS.description,
        monthly_slot_cap: terms.monthlySlotCap,
        default_commission_rate_bp: terms.defaultCommissionRateBp,
        min_commission_rate_bp: terms.minCommissionRateBp,
        platform_fee_rate_bp: terms.platformFeeRateBp,
        leader_override_rate_bp: terms.leaderOverrideRateBp,
        attribution: input.attribution ?? CHANNEL_DEFAULTS.attribution,
        created_at: isoUtc(nowMs),
        updated_at: null,
      };
      await store.insertChannel(db, row);
      return toChannel(row);
    },

    async listChannels() {
      return (await store.listChannels(db, CHANNELS_MAX)).map(toChannel);
    },

    async getChannel(channelId) {
      const row = await store.findChannel(db, channelId);
      return row ? toChannel(row) : null;
    },

    async updateChannel(channelId, changes) {
      const nowIso = isoUtc(clock.nowMs());
      return db.transaction().execute(async (trx) => {
        // Write first (the row lock serialises concurrent edits), then check the merged terms;
        // a refusal throws and rolls the write back.
        const written = await store.updateChannel(trx, channelId, {
          ...(changes.name !== undefined ? { name: changes.name } : {}),
          ...(changes.vertical !== undefined ? { vertical: changes.vertical } : {}),
          ...(changes.description !== undefined ? { description: changes.description } : {}),
          ...(changes.monthlySlotCap !== undefined ? { monthly_slot_cap: changes.monthlySlotCap } : {}),
          ...(changes.defaultCommissionRateBp !== undefined ? { default_commission_rate_bp: changes.defaultCommissionRateBp } : {}),
          ...(changes.minCommissionRateBp !== undefined ? { min_commission_rate_bp: changes.minCommissionRateBp } : {}),
          ...(changes.platformFeeRateBp !== undefined ? { platform_fee_rate_bp: changes.platformFeeRateBp } : {}),
          ...(changes.leaderOverrideRateBp !== undefined ? { leader_override_rate_bp: changes.leaderOverrideRateBp } : {}),
          ...(changes.attribution !== undefined ? { attribution: changes.attribution } : {}),
        }, nowIso);
        if (!written) throw new AppError('NOT_FOUND');
        const updated = await store.findChannel(trx, channelId);
        if (!updated) throw new Error(`channel ${channelId} vanished inside its own update`);
        const view = toChannel(updated);
        throwIfIssues(view);
        if (changes.monthlySlotCap !== undefined) await calendar.applyCap(trx, channelId, changes.monthlySlotCap);
        return view;
      });
    },

    async addPromoter(channelId, promoterId) {
      await requireChannel(channelId);
      if (!(await store.isPromoter(db, promoterId))) {
        throw new AppError('VALIDATION_FAILED', undefined, { issues: [{ path: '/promoterId', message: 'no such promoter' }] });
      }
      const created = await store.insertMembership(db, { channel_id: channelId, promoter_id: promoterId, joined_at: isoUtc(clock.nowMs()) });
      const row = await store.findMembership(db, channelId, promoterId);
      if (!row) throw new Error(`membership ${channelId}/${promoterId} vanished after its own write`);
      return { membership: { channelId: row.channel_id, promoterId: row.promoter_id, joinedAt: row.joined_at }, created };
    },

    async removePromoter(channelId, promoterId) {
      await requireChannel(channelId);
      return { removed: await store.deleteMembership(db, channelId, promoterId) };
    },

    async isMember(channelId, promoterId) {
      return (await store.findMembership(db, channelId, promoterId)) !== undefined;
    },

    async channelsOfPromoter(promoterId) {
      const rows = await store.channelsOfPromoter(db, promoterId, CHANNELS_MAX);
      return rows.map((row) => ({
        id: row.id,
        name: row.name,
        vertical: row.vertical,
        description: row.description,
        defaultCommissionRateBp: row.default_commission_rate_bp,
        minCommissionRateBp: row.min_commission_rate_bp,
        joinedAt: row.joined_at,
      }));
    },
  };
}

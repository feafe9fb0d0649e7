// Leaderboards: promoters ranked by paid GMV and by paid orders, per event and per channel. Live:
// each board is computed from the orders at most once per REFRESH_MS and served from memory, so
// thousands of promoters refreshing during the burst cost one grouped query a second per board.
import type { AppContext } from '../platform/context.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { Principal } from '../platform/auth.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { SHANGHAI_OFFSET_MS, shanghaiDay } from '../calendar/rules.ts';
import { rankTallies, type PromoterTally, type RankBy, type Ranked } from './rules.ts';
import * as store from './store.ts';

export interface BoardRow {
  rank: number;
  promoterId: string;
  displayName: string;
  orders: number;
  gmvFen: number;
}

export interface Leaderboard {
  scope: 'event' | 'channel';
  scopeId: string;
  by: RankBy;
  /** The period of a channel board (Asia/Shanghai days, inclusive); null for an event. */
  from: string | null;
  to: string | null;
  asOf: string;
  promoterCount: number;
  items: BoardRow[];
  /** The calling promoter's own row when they are on the board (also when outside the top). */
  me: BoardRow | null;
}

export interface LeaderboardsService {
  eventBoard(principal: Principal, eventId: string, by: RankBy, limit: number): Promise<Leaderboard>;
  channelBoard(principal: Principal, channelId: string, by: RankBy, limit: number, period: { from?: string | undefined; to?: string | undefined }): Promise<Leaderboard>;
}

export const BOARD_LIMIT_MAX = 200;
const REFRESH_MS = 1000;
const CACHE_MAX = 1000;
const CHANNEL_PERIOD_DAYS_DEFAULT = 30;
const CHANNEL_PERIOD_DAYS_MAX = 366;
const DAY_MS = 86_400_000;

export function createLeaderboardsService(ctx: AppContext, accounts: AccountsService): LeaderboardsService {
  const { db, clock } = ctx;
  const cache = new Map<string, { atMs: number; tallies: Promise<PromoterTally[]> }>();

  function cached(key: string, load: () => Promise<PromoterTally[]>): Promise<PromoterTally[]> {
    const nowMs = clock.nowMs();
    const hit = cache.get(key);
    if (hit && nowMs - hit.atMs < REFRESH_MS && nowMs >= hit.atMs) return hit.tallies;
    if (cache.size >= CACHE_MAX) cache.clear();
    const tallies = load();
    cache.set(key, { atMs: nowMs, tallies });
    tallies.catch(() => cache.delete(key));
    return tallies;
  }

  async function board(base: Omit<Leaderboard, 'items' | 'me' | 'promoterCount' | 'asOf'>, tallies: PromoterTally[], limit: number, principal: Principal): Promise<Leaderboard> {
    const ranked = rankTallies(tallies, base.by);
    const top = ranked.slice(0, limit);
    const mine = principal.role === 'promoter' ? ranked.find((r) => r.promoterId === principal.userId) ?? null : null;
    const names = await accounts.displayNames([...top, ...(mine ? [mine] : [])].map((r) => r.promoterId));
    const row = (r: Ranked): BoardRow => ({ rank: r.rank, promoterId: r.promoterId, displayName: names.get(r.promoterId) ?? '', orders: r.orders, gmvFen: r.gmvFen });
    return { ...base, asOf: isoUtc(clock.nowMs()), promoterCount: ranked.length, items: top.map(row), me: mine ? row(mine) : null };
  }

  async function requireMember(principal: Principal, channelId: string): Promise<void> {
    if (principal.role === 'operator') return;
    // Anyone else outside the channel is answered as if it did not exist.
    if (principal.role !== 'promoter' || !(await store.isChannelMember(db, channelId, principal.userId))) throw new AppError('NOT_FOUND');
  }

  return {
    async eventBoard(principal, eventId, by, limit) {
      const event = await store.eventScope(db, eventId);
      if (!event) throw new AppError('NOT_FOUND');
      if (principal.role === 'merchant') {
        if (principal.storeId !== event.store_id) throw new AppError('NOT_FOUND');
      } else {
        await requireMember(principal, event.channel_id);
      }
      const tallies = await cached(`event:${eventId}`, () => store.talliesOfEvent(db, eventId));
      return board({ scope: 'event', scopeId: eventId, by, from: null, to: null }, tallies, limit, principal);
    },

    async channelBoard(principal, channelId, by, limit, period) {
      await requireMember(principal, channelId);
      const nowMs = clock.nowMs();
      const to = period.to ?? shanghaiDay(nowMs);
      const from = period.from ?? shanghaiDay(Date.parse(`${to}T00:00:00.000Z`) - (CHANNEL_PERIOD_DAYS_DEFAULT - 1) * DAY_MS);
      const fromMs = Date.parse(`${from}T00:00:00.000Z`) - SHANGHAI_OFFSET_MS;
      const toMs = Date.parse(`${to}T00:00:00.000Z`) - SHANGHAI_OFFSET_MS + DAY_MS;
      if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs <= fromMs) throw new AppError('VALIDATION_FAILED', '`from` must be on or before `to`.');
      if (toMs - fromMs > CHANNEL_PERIOD_DAYS_MAX * DAY_MS) throw new AppError('VALIDATION_FAILED', `A period spans at most ${CHANNEL_PERIOD_DAYS_MAX} days.`);
      const tallies = await cached(`channel:${channelId}:${from}:${to}`, () => store.talliesOfChannel(db, channelId, isoUtc(fromMs), isoUtc(toMs)));
      return board({ scope: 'channel', scopeId: channelId, by, from, to }, tallies, limit, principal);
    },
  };
}

// Metrics: the numbers a brand judges an event by, from the store's own orders: GMV, orders and
// units by Asia/Shanghai hour, sell-through and time to sell out per offer, the event's share of
// the store's day, new customers, top promoters and the public price evidence of invariant 7; and
// per store and per channel over a period. Everything is read from paid orders (paid_at).
import type { AppContext } from '../platform/context.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { Principal } from '../platform/auth.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { addDays, isDay, shanghaiDay, shanghaiDayStartMs } from '../calendar/rules.ts';
import type { PricingService } from '../pricing/service.ts';
import {
  HOUR_MS, ZERO, addTally, dayFigures, daysBetween, hourBuckets, priceVerdict, secondsToSellOut, sellThroughBp, shanghaiHourLabel, shareBp,
  type DayFigures, type HourBucket, type Tally,
} from './rules.ts';
import * as store from './store.ts';

export const TOP_PROMOTERS_MAX = 200;
/** Events listed in one store or channel answer (a channel has at most one a day). */
export const PERIOD_EVENTS_MAX = 500;
const PERIOD_DAYS_DEFAULT = 30;
export const PERIOD_DAYS_MAX = 366;
const DAY_MS = 86_400_000;

export interface NewCustomers {
  /** Distinct buyers with a paid order. */
  buyers: number;
  /** Of them, those whose new-customer mark is known (orders.is_new_customer not null). */
  knownBuyers: number;
  /** Of the known, those new to the store (no order there in the 365 days before). */
  newBuyers: number;
  /** newBuyers / knownBuyers in basis points; null when none is known. */
  shareBp: number | null;
}

export interface OfferMetrics {
  offerId: string;
  skuId: string;
  skuCode: string;
  productTitle: string;
  isHero: boolean;
  allocatedUnits: number;
  soldUnits: number;
  pendingUnits: number;
  sellThroughBp: number | null;
  orders: number;
  gmvFen: number;
  soldOutAt: string | null;
  secondsToSellOut: number | null;
}

export interface PromoterMetrics {
  rank: number;
  promoterId: string;
  displayName: string;
  orders: number;
  units: number;
  gmvFen: number;
  newCustomers: NewCustomers;
}

export interface SkuPriceEvidence {
  skuId: string;
  isFlat: boolean;
  changes: number;
  hasOperatorOverride: boolean;
  items: Array<{ priceFen: number; effectiveFrom: string; reason: string; operatorOverride: boolean }>;
}

export interface EventMetrics {
  eventId: string;
  title: string;
  storeId: string;
  channelId: string;
  status: string;
  startsAt: string;
  endsAt: string;
  asOf: string;
  totals: Tally & { buyers: number };
  hours: HourBucket[];
  offers: OfferMetrics[];
  storeDay: { day: string; eventGmvFen: number; storeGmvFen: number; shareBp: number | null };
  newCustomers: NewCustomers;
  promoterCount: number;
  topPromoters: PromoterMetrics[];
  publicPrices: SkuPriceEvidence[];
}

/** What the live stream pushes: cheap to compute, the same for every watcher. */
export interface EventSummary {
  eventId: string;
  asOf: string;
  totals: Tally;
  /** Per offer; when it sold out is in the full metrics (the costliest figure, left out of the live summary). */
  offers: Array<Pick<OfferMetrics, 'offerId' | 'skuId' | 'allocatedUnits' | 'soldUnits' | 'pendingUnits' | 'sellThroughBp'>>;
  lastHour: HourBucket;
}

export interface StoreMetrics {
  storeId: string;
  from: string;
  to: string;
  asOf: string;
  days: DayFigures[];
  totals: { public: Tally; events: Tally; total: Tally };
  events: Array<{ eventId: string; title: string; channelId: string; status: string; startsAt: string; endsAt: string } & Tally>;
  eventsTruncated: boolean;
  newCustomers: NewCustomers;
}

export interface ChannelEventMetrics extends Tally {
  eventId: string;
  title: string;
  storeId: string;
  status: string;
  startsAt: string;
  endsAt: string;
  allocatedUnits: number;
  sellThroughBp: number | null;
  newCustomers: NewCustomers;
}

export interface ChannelMetrics {
  channelId: string;
  from: string;
  to: string;
  asOf: string;
  events: ChannelEventMetrics[];
  eventsTruncated: boolean;
}

export interface Period {
  from?: string | undefined;
  to?: string | undefined;
}

export interface MetricsService {
  /** The event a principal may read metrics of (its merchant, operators); NOT_FOUND otherwise. */
  authorizeEvent(principal: Principal, eventId: string): Promise<store.EventScopeRow>;
  eventMetrics(principal: Principal, eventId: string, topLimit: number): Promise<EventMetrics>;
  /** The stream's summary of an event already authorised. */
  eventSummary(eventId: string): Promise<EventSummary>;
  /** Changes when an order of the event is paid or reserved (the stream's cheap poll). */
  eventFingerprint(eventId: string): Promise<string>;
  storeMetrics(storeId: string, period: Period): Promise<StoreMetrics>;
  channelMetrics(channelId: string, period: Period): Promise<ChannelMetrics>;
}

function newCustomers(f: { buyers: number; knownBuyers: number; newBuyers: number }): NewCustomers {
  return { buyers: f.buyers, knownBuyers: f.knownBuyers, newBuyers: f.newBuyers, shareBp: shareBp(f.newBuyers, f.knownBuyers) };
}

function offerMetrics(o: store.OfferFiguresRow, startsAtMs: number): OfferMetrics {
  return {
    offerId: o.offerId, skuId: o.skuId, skuCode: o.skuCode, productTitle: o.productTitle, isHero: o.isHero,
    allocatedUnits: o.allocatedUnits, soldUnits: o.soldUnits,
    pendingUnits: o.pendingUnits,
    sellThroughBp: sellThroughBp(o.soldUnits, o.allocatedUnits),
    orders: o.orders, gmvFen: o.gmvFen, soldOutAt: o.soldOutAt,
    secondsToSellOut: secondsToSellOut(startsAtMs, o.soldOutAt === null ? null : Date.parse(o.soldOutAt)),
  };
}

export function createMetricsService(ctx: AppContext, deps: { pricing: PricingService; accounts: AccountsService }): MetricsService {
  const { db, clock } = ctx;

  /** Asia/Shanghai days, both ends included, as [fromMs, toMs); by default the 30 days ending today. */
  function periodOf(period: Period): { from: string; to: string; fromMs: number; toMs: number } {
    const to = period.to ?? shanghaiDay(clock.nowMs());
    if (!isDay(to) || (period.from !== undefined && !isDay(period.from))) throw new AppError('VALIDATION_FAILED', '`from` and `to` are days, YYYY-MM-DD.');
    const from = period.from ?? addDays(to, -(PERIOD_DAYS_DEFAULT - 1));
    const fromMs = shanghaiDayStartMs(from);
    const toMs = shanghaiDayStartMs(to) + DAY_MS;
    if (toMs <= fromMs) throw new AppError('VALIDATION_FAILED', '`from` must be on or before `to`.');
    if (toMs - fromMs > PERIOD_DAYS_MAX * DAY_MS) throw new AppError('VALIDATION_FAILED', `A period spans at most ${PERIOD_DAYS_MAX} days.`);
    return { from, to, fromMs, toMs };
  }

  async function authorizeEvent(principal: Principal, eventId: string): Promise<store.EventScopeRow> {
    const event = await store.eventScope(db, eventId);
    // Another store's event is answered as if it did not exist.
    if (!event || (principal.role !== 'operator' && !(principal.role === 'merchant' && principal.storeId === event.store_id))) throw new AppError('NOT_FOUND');
    return event;
  }

  async function publicPrices(skuIds: string[], startsAtMs: number, endsAtMs: number): Promise<SkuPriceEvidence[]> {
    const out: SkuPriceEvidence[] = [];
    for (const skuId of skuIds) {
      const points = await deps.pricing.publicPriceHistory(skuId, startsAtMs, endsAtMs);
      out.push({
        skuId,
        ...priceVerdict(points),
        items: points.map((p) => ({ priceFen: p.priceFen, effectiveFrom: p.effectiveFrom, reason: p.reason, operatorOverride: p.operatorOverride })),
      });
    }
    return out;
  }

  return {
    authorizeEvent,

    async eventMetrics(principal, eventId, topLimit) {
      const event = await authorizeEvent(principal, eventId);
      const asOf = isoUtc(clock.nowMs());
      const startsAtMs = Date.parse(event.starts_at);
      const endsAtMs = Date.parse(event.ends_at);
      const day = shanghaiDay(startsAtMs);
      const dayStartMs = shanghaiDayStartMs(day);
      const [hourTallies, offers, totals, promoters, dayGmv] = [
        await store.eventHours(db, eventId),
        await store.eventOffers(db, eventId),
        await store.eventTotals(db, eventId),
        await store.eventPromoters(db, eventId),
        await store.storeWindowGmv(db, event.store_id, eventId, isoUtc(dayStartMs), isoUtc(dayStartMs + DAY_MS)),
      ];
      const ranked = [...promoters].sort((a, b) => b.gmvFen - a.gmvFen || b.orders - a.orders || (a.promoterId < b.promoterId ? -1 : 1));
      const top = ranked.slice(0, topLimit);
      const names = await deps.accounts.displayNames(top.map((p) => p.promoterId));
      let rank = 0;
      const topPromoters = top.map((p, i) => {
        const previous = top[i - 1];
        rank = previous && previous.gmvFen === p.gmvFen ? rank : i + 1;
        return { rank, promoterId: p.promoterId, displayName: names.get(p.promoterId) ?? '', orders: p.orders, units: p.units, gmvFen: p.gmvFen, newCustomers: newCustomers(p) };
      });
      return {
        eventId, title: event.title, storeId: event.store_id, channelId: event.channel_id, status: event.status,
        startsAt: event.starts_at, endsAt: event.ends_at, asOf,
        totals: { orders: totals.orders, units: totals.units, gmvFen: totals.gmvFen, buyers: totals.buyers },
        hours: hourBuckets(hourTallies, startsAtMs, endsAtMs),
        offers: offers.map((o) => offerMetrics(o, startsAtMs)),
        storeDay: { day, eventGmvFen: dayGmv.eventGmvFen, storeGmvFen: dayGmv.storeGmvFen, shareBp: shareBp(dayGmv.eventGmvFen, dayGmv.storeGmvFen) },
        newCustomers: newCustomers(totals),
        promoterCount: promoters.length,
        topPromoters,
        publicPrices: await publicPrices([...new Set(offers.map((o) => o.skuId))], startsAtMs, endsAtMs),
      };
    },

    async eventSummary(eventId) {
      const event = await store.eventScope(db, eventId);
      if (!event) throw new AppError('NOT_FOUND');
      const nowMs = clock.nowMs();
      const hourStartMs = Math.floor(nowMs / HOUR_MS) * HOUR_MS;
      const offers = (await store.eventOffers(db, eventId, false)).map((o) => offerMetrics(o, Date.parse(event.starts_at)));
      const lastHour = await store.eventSince(db, eventId, isoUtc(hourStartMs));
      return {
        eventId,
        asOf: isoUtc(nowMs),
        totals: offers.reduce<Tally>((sum, o) => addTally(sum, { orders: o.orders, units: o.soldUnits, gmvFen: o.gmvFen }), ZERO),
        offers: offers.map((o) => ({ offerId: o.offerId, skuId: o.skuId, allocatedUnits: o.allocatedUnits, soldUnits: o.soldUnits, pendingUnits: o.pendingUnits, sellThroughBp: o.sellThroughBp })),
        lastHour: { startsAt: isoUtc(hourStartMs), shanghaiHour: shanghaiHourLabel(hourStartMs), ...lastHour },
      };
    },

    eventFingerprint: (eventId) => store.eventFingerprint(db, eventId),

    async storeMetrics(storeId, period) {
      if (!(await store.storeExists(db, storeId))) throw new AppError('NOT_FOUND');
      const { from, to, fromMs, toMs } = periodOf(period);
      const fromIso = isoUtc(fromMs);
      const toIso = isoUtc(toMs);
      const days = dayFigures(await store.storeHours(db, storeId, fromIso, toIso), daysBetween(from, to));
      const listed = await store.eventsStarting(db, { storeId }, fromIso, toIso, PERIOD_EVENTS_MAX + 1);
      const events = listed.slice(0, PERIOD_EVENTS_MAX);
      const figures = await store.eventsFigures(db, events.map((e) => e.id));
      const buyers = await store.storeBuyers(db, storeId, fromIso, toIso);
      const sum = (pick: (d: DayFigures) => Tally) => days.reduce<Tally>((acc, d) => addTally(acc, pick(d)), ZERO);
      return {
        storeId, from, to, asOf: isoUtc(clock.nowMs()),
        days,
        totals: { public: sum((d) => d.public), events: sum((d) => d.events), total: sum((d) => d.total) },
        events: events.map((e) => {
          const f = figures.get(e.id);
          return { eventId: e.id, title: e.title, channelId: e.channel_id, status: e.status, startsAt: e.starts_at, endsAt: e.ends_at, orders: f?.orders ?? 0, units: f?.units ?? 0, gmvFen: f?.gmvFen ?? 0 };
        }),
        eventsTruncated: listed.length > PERIOD_EVENTS_MAX,
        newCustomers: newCustomers(buyers),
      };
    },

    async channelMetrics(channelId, period) {
      if (!(await store.channelExists(db, channelId))) throw new AppError('NOT_FOUND');
      const { from, to, fromMs, toMs } = periodOf(period);
      const listed = await store.eventsStarting(db, { channelId }, isoUtc(fromMs), isoUtc(toMs), PERIOD_EVENTS_MAX + 1);
      const events = listed.slice(0, PERIOD_EVENTS_MAX);
      const ids = events.map((e) => e.id);
      const figures = await store.eventsFigures(db, ids);
      const allocation = await store.eventsAllocation(db, ids);
      return {
        channelId, from, to, asOf: isoUtc(clock.nowMs()),
        events: events.map((e) => {
          const f = figures.get(e.id) ?? { orders: 0, units: 0, gmvFen: 0, buyers: 0, knownBuyers: 0, newBuyers: 0 };
          const allocatedUnits = allocation.get(e.id) ?? 0;
          return {
            eventId: e.id, title: e.title, storeId: e.store_id, status: e.status, startsAt: e.starts_at, endsAt: e.ends_at,
            orders: f.orders, units: f.units, gmvFen: f.gmvFen, allocatedUnits, sellThroughBp: sellThroughBp(f.units, allocatedUnits),
            newCustomers: newCustomers(f),
          };
        }),
        eventsTruncated: listed.length > PERIOD_EVENTS_MAX,
      };
    },
  };
}

// Events: brand days and their offers (channels are src/channels). Creating an event carves each offer's allocation
// out of free store stock in the same transaction; ending (or cancelling) one gives back what was
// not held, exactly once. Nothing here ever writes a SKU's public price (invariant 7).
import type { AppContext } from '../platform/context.ts';
import type { Db } from '../platform/db/db.ts';
import type { CatalogService, SkuForOffer } from '../catalog/service.ts';
import type { AttributionMode, EventStatus } from '../platform/db/schema.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { parseAttributes } from '../catalog/rules.ts';
import { carveOrder, checkOffers, checkWindow, eventPhase, offerNotBelowPublic, unsoldUnits, type EventPhase, type OfferInput } from './rules.ts';
import * as store from './store.ts';
import type { NotificationsService } from '../notifications/service.ts';
import { createLifecycle, type EventTransition } from './lifecycle.ts';
import { recordMove } from './lifecycle-store.ts';

export interface OfferView {
  id: string;
  eventId: string;
  skuId: string;
  productId: string;
  productTitle: string;
  skuCode: string;
  attributes: Record<string, string>;
  imageUrl: string | null;
  publicPriceFen: number;
  /** Hidden: only ever sent to a caller with valid access to the event while it is live. */
  clearancePriceFen: number;
  allocatedUnits: number;
  reservedUnits: number;
  perBuyerLimit: number;
  isHero: boolean;
  position: number;
}

export interface EventView {
  id: string;
  storeId: string;
  storeSlug: string;
  storeName: string;
  channelId: string;
  /** The channel's rule for which link is credited when a buyer opened several. */
  attribution: AttributionMode;
  title: string;
  startsAt: string;
  endsAt: string;
  status: EventStatus;
  allocationReturnedAt: string | null;
  offers: OfferView[];
}

/** An event in a list: no offers, so no prices. */
export interface EventSummary {
  id: string;
  storeId: string;
  channelId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  status: EventStatus;
  phase: EventPhase;
  offerCount: number;
  allocationReturnedAt: string | null;
  createdAt: string;
}

export interface NewEventInput {
  storeId: string;
  channelId: string;
  title: string;
  /** ISO-8601 date-times with an offset; stored as UTC. */
  startsAt: string;
  endsAt: string;
  offers: OfferInput[];
}

export interface EventsService {
  /** The event with its offers (hidden prices included: callers decide what to show), or null. */
  loadEventView(eventId: string): Promise<EventView | null>;
  /**
   * Called after an event's unsold allocation went back to store stock: when it ended, and also
   * when it was cancelled before its window opened (its status then says 'cancelled').
   */
  onEventEnded(listener: (eventId: string) => void): void;

  createEvent(input: NewEventInput): Promise<EventView>;
  /**
   * The event of an approved application, with the application's id, on the caller's transaction
   * (which also books its calendar day): allocations are carved now, so going live never fails for
   * stock. INSUFFICIENT_STOCK (with what is left) when stock was sold meanwhile.
   */
  createApprovedEvent(trx: Db, input: NewEventInput & { id: string; commissionRateBp: number; termsJson: string; approvedBy: string }): Promise<void>;
  /** The checks createEvent makes (window, SKUs of the store, prices below public); call before createApprovedEvent's transaction. */
  checkNewEvent(input: NewEventInput): Promise<void>;
  /** Newest first; of one store, or of all when storeId is null. */
  listEvents(storeId: string | null, limit: number, cursor: string | undefined): Promise<{ items: EventSummary[]; nextCursor: string | null }>;
  /** Cancels an approved event before its window opens; `by` is the user, recorded with the move. */
  cancelEvent(eventId: string, by?: string): Promise<EventView>;
  /**
   * Makes every lifecycle move that is due (a bounded batch: warm-up, live, end, settle; caught up in
   * order after downtime) and returns how many events it ended. The 'events.lifecycle' sweep.
   */
  endDueEvents(): Promise<number>;
  /** The event's recorded status changes, oldest first. */
  transitionsOf(eventId: string): Promise<EventTransition[]>;
  /** The cap on offers per event its routes enforce. */
  readonly maxOffersPerEvent: number;
  /** The phase of an event now, by the service's clock. */
  phaseOf(event: { status: string; startsAt: string; endsAt: string }): EventPhase;
}

/** Most events in one page of a listing. */
export const EVENTS_PAGE_MAX = 100;

function toOfferView(row: store.OfferWithSkuRow): OfferView {
  return {
    id: row.id,
    eventId: row.event_id,
    skuId: row.sku_id,
    productId: row.product_id,
    productTitle: row.product_title,
    skuCode: row.sku_code,
    attributes: parseAttributes(row.attributes_json),
    imageUrl: row.sku_image_url ?? row.product_image_url,
    publicPriceFen: row.public_price_fen,
    clearancePriceFen: row.clearance_price_fen,
    allocatedUnits: row.allocated_units,
    reservedUnits: row.reserved_units,
    perBuyerLimit: row.per_buyer_limit,
    isHero: row.is_hero === 1,
    position: row.position,
  };
}

export function createEventsService(ctx: AppContext, catalog: CatalogService, notifications: NotificationsService): EventsService {
  const { db, clock } = ctx;
  const endedListeners: Array<(eventId: string) => void> = [];

  function notifyEnded(eventId: string): void {
    for (const listener of endedListeners) {
      try {
        listener(eventId);
      } catch (err) {
        ctx.log.error({ err, eventId }, 'event-ended listener failed');
      }
    }
  }

  async function loadEventView(eventId: string): Promise<EventView | null> {
    const event = await store.findEventWithStore(db, eventId);
    if (!event) return null;
    const offers = await store.offersOfEvent(db, eventId);
    return {
      id: event.id,
      storeId: event.store_id,
      storeSlug: event.store_slug,
      storeName: event.store_name,
      channelId: event.channel_id,
      attribution: event.attribution,
      title: event.title,
      startsAt: event.starts_at,
      endsAt: event.ends_at,
      status: event.status,
      allocationReturnedAt: event.allocation_returned_at,
      offers: offers.map(toOfferView),
    };
  }

  async function requireEventView(eventId: string): Promise<EventView> {
    const view = await loadEventView(eventId);
    if (!view) throw new Error(`event ${eventId} vanished after its own write`);
    return view;
  }

  /** Gives every offer's unheld units back to store stock, inside the caller's transaction. */
  async function returnAllocation(trx: typeof db, eventId: string): Promise<void> {
    const offers = await store.lockOffers(trx, ctx.handle.dialect, eventId);
    for (const offer of carveOrder(offers.map((o) => ({ ...o, skuId: o.sku_id })))) {
      const units = unsoldUnits({ allocatedUnits: offer.allocated_units, reservedUnits: offer.reserved_units });
      if (units === 0) continue;
      await catalog.returnStock(trx, offer.sku_id, units);
      await store.shrinkAllocation(trx, offer.id, offer.reserved_units);
    }
  }

  // Ending is the lifecycle's live -> ended move: its conditional claim comes first, so only the
  // transaction that flips the row returns stock.
  const lifecycle = createLifecycle(ctx, { notifications, returnAllocation });

  /**
   * Inserts a scheduled event (checked beforehand by validateNewEvent, which reads outside any
   * transaction) with its offers and carves each allocation out of store stock, on the caller's transaction: a short SKU throws INSUFFICIENT_STOCK and the caller's transaction rolls
   * back the event, its offers and every carve so far.
   */
  async function insertAndCarve(trx: Db, id: string, input: NewEventInput, approved: { commissionRateBp: number; termsJson: string } | null): Promise<void> {
    const startsAtMs = Date.parse(input.startsAt);
    const endsAtMs = Date.parse(input.endsAt);
    const nowMs = clock.nowMs();
    const event: store.EventRow = {
      id,
      store_id: input.storeId,
      channel_id: input.channelId,
      title: input.title,
      starts_at: isoUtc(startsAtMs),
      ends_at: isoUtc(endsAtMs),
      status: 'scheduled',
      allocation_returned_at: null,
      created_at: isoUtc(nowMs),
      commission_rate_bp: approved?.commissionRateBp ?? null,
      terms_json: approved?.termsJson ?? null,
    };
    const offers: store.OfferRow[] = input.offers.map((offer, position) => ({
      id: newId('off', nowMs),
      event_id: event.id,
      sku_id: offer.skuId,
      clearance_price_fen: offer.clearancePriceFen,
      allocated_units: offer.allocatedUnits,
      reserved_units: 0,
      per_buyer_limit: offer.perBuyerLimit,
      is_hero: offer.isHero ? 1 : 0,
      position,
    }));
    await store.insertEvent(trx, event, offers);
    for (const offer of carveOrder(input.offers)) {
      if (await catalog.takeStock(trx, offer.skuId, offer.allocatedUnits)) continue;
      const available = (await catalog.stockOf(trx, offer.skuId)) ?? 0;
      throw new AppError('INSUFFICIENT_STOCK', undefined, { skuId: offer.skuId, requested: offer.allocatedUnits, available });
    }
  }

  async function validateNewEvent(input: NewEventInput, startsAtMs: number, endsAtMs: number): Promise<Map<string, SkuForOffer>> {
    const skus = new Map((await catalog.getSkusForOffers(input.offers.map((o) => o.skuId))).map((s) => [s.id, s]));
    const issues = [
      ...checkWindow(startsAtMs, endsAtMs, clock.nowMs()),
      ...checkOffers(input.storeId, input.offers, skus, ctx.config.limits.maxOffersPerEvent),
    ];
    if (!(await store.storeExists(db, input.storeId))) issues.push({ path: '/storeId', message: 'no such store' });
    if (!(await store.findChannel(db, input.channelId))) issues.push({ path: '/channelId', message: 'no such channel' });
    if (issues.length > 0) throw new AppError('VALIDATION_FAILED', undefined, { issues });
    // Details name the offer, never a price: errors must not carry one.
    const notBelow = offerNotBelowPublic(input.offers, skus);
    if (notBelow) throw new AppError('PRICE_NOT_BELOW_PUBLIC', undefined, notBelow);
    return skus;
  }

  const service: EventsService = {
    loadEventView,

    onEventEnded(listener) {
      endedListeners.push(listener);
    },

    maxOffersPerEvent: ctx.config.limits.maxOffersPerEvent,
    phaseOf: (event) => eventPhase(event, clock.nowMs()),

    async createEvent(input) {
      await validateNewEvent(input, Date.parse(input.startsAt), Date.parse(input.endsAt));
      const nowMs = clock.nowMs();
      const id = newId('evt', nowMs);
      await db.transaction().execute((trx) => insertAndCarve(trx, id, input, null));
      return requireEventView(id);
    },

    checkNewEvent: async (input) => {
      await validateNewEvent(input, Date.parse(input.startsAt), Date.parse(input.endsAt));
    },

    async createApprovedEvent(trx, input) {
      const { id, commissionRateBp, termsJson, approvedBy, ...event } = input;
      await insertAndCarve(trx, id, event, { commissionRateBp, termsJson });
      // The application's review is the event's first recorded move.
      await recordMove(trx, { eventId: id, from: 'submitted', to: 'scheduled', by: approvedBy, atIso: isoUtc(clock.nowMs()), dueAtIso: null });
    },

    async listEvents(storeId, limit, cursor) {
      const size = Math.min(limit, EVENTS_PAGE_MAX);
      const rows = await store.listEvents(db, storeId, size, cursor);
      const nowMs = clock.nowMs();
      return {
        items: rows.map((row) => ({
          id: row.id,
          storeId: row.store_id,
          channelId: row.channel_id,
          title: row.title,
          startsAt: row.starts_at,
          endsAt: row.ends_at,
          status: row.status,
          phase: eventPhase({ status: row.status, startsAt: row.starts_at, endsAt: row.ends_at }, nowMs),
          offerCount: row.offer_count,
          allocationReturnedAt: row.allocation_returned_at,
          createdAt: row.created_at,
        })),
        nextCursor: rows.length === size ? rows[rows.length - 1]?.id ?? null : null,
      };
    },

    async cancelEvent(eventId, by = 'operator') {
      const cancelled = await db.transaction().execute(async (trx) => {
        const atIso = isoUtc(clock.nowMs());
        for (const from of ['warmup', 'scheduled'] as const) {
          if (!(await store.claimCancel(trx, eventId, from, atIso))) continue;
          await recordMove(trx, { eventId, from, to: 'cancelled', by, atIso, dueAtIso: null });
          await returnAllocation(trx, eventId);
          return true;
        }
        return false;
      });
      if (!cancelled) {
        const view = await loadEventView(eventId);
        if (!view) throw new AppError('NOT_FOUND');
        throw new AppError('CONFLICT', 'Only a scheduled event whose window has not opened can be cancelled.', {
          status: view.status,
          phase: eventPhase(view, clock.nowMs()),
        });
      }
      notifyEnded(eventId);
      return requireEventView(eventId);
    },

    async endDueEvents() {
      const { ended } = await lifecycle.advanceDue();
      for (const eventId of ended) notifyEnded(eventId);
      return ended.length;
    },

    transitionsOf: (eventId) => lifecycle.transitionsOf(eventId),
  };
  ctx.jobs.addSweep('events.lifecycle', () => service.endDueEvents());
  return service;
}

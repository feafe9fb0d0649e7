// Pure event decisions: the phase of a sales window, what a new event and its offers must satisfy,
// what an end gives back to store stock. No I/O, no clock reads: the time is passed in.

export type EventPhase = 'warmup' | 'live' | 'ended';

/** Longest sales window of one event, in hours (a brand day with some slack). */
export const MAX_EVENT_WINDOW_HOURS = 7 * 24;

export interface EventWindow {
  status: string;
  /** UTC ISO-8601. */
  startsAt: string;
  endsAt: string;
}

/** Every status of an event's life, in the order it normally goes through them, then the exits. */
export const EVENT_STATUSES = ['draft', 'submitted', 'scheduled', 'warmup', 'live', 'ended', 'settled', 'rejected', 'withdrawn', 'cancelled'] as const;
export type EventStatusName = (typeof EVENT_STATUSES)[number];

/**
 * The statuses in which buyers may see an event and links open. Within them the window, not the
 * status, decides the phase: a late scheduler never delays or stretches a sale. Every other status
 * (draft, submitted, rejected, withdrawn, cancelled, ended, settled) is closed to buyers.
 */
export const OPEN_EVENT_STATUSES: readonly EventStatusName[] = ['scheduled', 'warmup', 'live'];

export function isOpenStatus(status: string): boolean {
  return (OPEN_EVENT_STATUSES as readonly string[]).includes(status);
}

/** Open and before the window: warm-up; inside [startsAt, endsAt): live; after it, or not open: ended. */
export function eventPhase(event: EventWindow, nowMs: number): EventPhase {
  if (!isOpenStatus(event.status)) return 'ended';
  if (nowMs < Date.parse(event.startsAt)) return 'warmup';
  if (nowMs < Date.parse(event.endsAt)) return 'live';
  return 'ended';
}

export function isLive(event: EventWindow, nowMs: number): boolean {
  return eventPhase(event, nowMs) === 'live';
}

/** An operator may cancel an approved event (scheduled or in warm-up) until its window opens. */
export function canCancel(event: EventWindow, nowMs: number): boolean {
  return eventPhase(event, nowMs) === 'warmup';
}

/** One reason an input is refused, in the shape the HTTP layer gives schema failures. */
export interface Issue {
  path: string;
  message: string;
}

export function checkWindow(startsAtMs: number, endsAtMs: number, nowMs: number): Issue[] {
  const issues: Issue[] = [];
  if (!Number.isFinite(startsAtMs)) issues.push({ path: '/startsAt', message: 'not a date-time' });
  if (!Number.isFinite(endsAtMs)) issues.push({ path: '/endsAt', message: 'not a date-time' });
  if (issues.length > 0) return issues;
  if (endsAtMs <= startsAtMs) issues.push({ path: '/endsAt', message: 'must be after startsAt' });
  else if (endsAtMs - startsAtMs > MAX_EVENT_WINDOW_HOURS * 3_600_000) issues.push({ path: '/endsAt', message: `the window may last at most ${MAX_EVENT_WINDOW_HOURS} hours` });
  if (endsAtMs <= nowMs) issues.push({ path: '/endsAt', message: 'must be in the future' });
  return issues;
}

export interface OfferInput {
  skuId: string;
  clearancePriceFen: number;
  allocatedUnits: number;
  perBuyerLimit: number;
  isHero?: boolean;
}

/** The facts about a SKU an offer is checked against. */
export interface OfferSku {
  id: string;
  storeId: string;
  publicPriceFen: number;
}

/** Shape and ownership: a bounded list, each SKU once, every SKU of the event's store. */
export function checkOffers(storeId: string, offers: OfferInput[], skus: ReadonlyMap<string, OfferSku>, maxOffersPerEvent: number): Issue[] {
  const issues: Issue[] = [];
  if (offers.length === 0) issues.push({ path: '/offers', message: 'an event needs at least one offer' });
  if (offers.length > maxOffersPerEvent) issues.push({ path: '/offers', message: `at most ${maxOffersPerEvent} offers per event` });
  const seen = new Set<string>();
  offers.forEach((offer, i) => {
    if (seen.has(offer.skuId)) issues.push({ path: `/offers/${i}/skuId`, message: 'this SKU is already in the event' });
    seen.add(offer.skuId);
    const sku = skus.get(offer.skuId);
    if (!sku || sku.storeId !== storeId) issues.push({ path: `/offers/${i}/skuId`, message: "not a SKU of the event's store" });
    if (!Number.isSafeInteger(offer.allocatedUnits) || offer.allocatedUnits <= 0) issues.push({ path: `/offers/${i}/allocatedUnits`, message: 'must be a whole number above 0' });
    if (!Number.isSafeInteger(offer.perBuyerLimit) || offer.perBuyerLimit < 1) issues.push({ path: `/offers/${i}/perBuyerLimit`, message: 'must be a whole number, 1 or more' });
    if (!Number.isSafeInteger(offer.clearancePriceFen) || offer.clearancePriceFen <= 0) issues.push({ path: `/offers/${i}/clearancePriceFen`, message: 'must be a whole number of fen above 0' });
  });
  return issues;
}

/** The first offer whose clearance price is not below its SKU's public price, or null. */
export function offerNotBelowPublic(offers: OfferInput[], skus: ReadonlyMap<string, OfferSku>): { offerIndex: number; skuId: string } | null {
  for (const [i, offer] of offers.entries()) {
    const sku = skus.get(offer.skuId);
    if (sku && offer.clearancePriceFen >= sku.publicPriceFen) return { offerIndex: i, skuId: offer.skuId };
  }
  return null;
}

/** Units of an offer that go back to store stock when its event ends: allocated but not held. */
export function unsoldUnits(offer: { allocatedUnits: number; reservedUnits: number }): number {
  const units = offer.allocatedUnits - offer.reservedUnits;
  if (units < 0) throw new Error(`offer holds more than it was allocated: ${offer.reservedUnits} > ${offer.allocatedUnits}`);
  return units;
}

/** The order stock is carved in: by SKU id, so concurrent transactions lock rows in one order. */
export function carveOrder<T extends { skuId: string }>(offers: readonly T[]): T[] {
  return [...offers].sort((a, b) => (a.skuId < b.skuId ? -1 : a.skuId > b.skuId ? 1 : 0));
}

/** A move the lifecycle scheduler makes on its own, by time (or, for settling, by the orders). */
export interface ScheduledMove {
  from: EventStatusName;
  to: EventStatusName;
  /** When it fell due: before now after a catch-up. */
  dueAtMs: number;
}

/**
 * Every move the scheduler owes an event at `nowMs`, in order: scheduled -> warmup at startsAt minus
 * the warm-up lead (at once when approved later than that), warmup -> live at startsAt, live ->
 * ended at endsAt, ended -> settled once no order of the event is pending payment. An event whose
 * whole window passed while nobody ran the scheduler gets the whole chain, in that order.
 */
export function movesDue(event: EventWindow, nowMs: number, warmupLeadMs: number, hasPendingOrders: boolean): ScheduledMove[] {
  const startsAtMs = Date.parse(event.startsAt);
  const endsAtMs = Date.parse(event.endsAt);
  const chain: ScheduledMove[] = [
    { from: 'scheduled', to: 'warmup', dueAtMs: startsAtMs - warmupLeadMs },
    { from: 'warmup', to: 'live', dueAtMs: startsAtMs },
    { from: 'live', to: 'ended', dueAtMs: endsAtMs },
    { from: 'ended', to: 'settled', dueAtMs: endsAtMs },
  ];
  const first = chain.findIndex((move) => move.from === event.status);
  if (first === -1) return [];
  const moves: ScheduledMove[] = [];
  for (const move of chain.slice(first)) {
    if (move.to === 'settled' ? hasPendingOrders : nowMs < move.dueAtMs) break;
    moves.push(move);
  }
  return moves;
}

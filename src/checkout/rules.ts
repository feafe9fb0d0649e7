// Pure decisions of checkout: may this buyer reserve these units now; where do released units go.
import type { ErrorCode } from '../platform/errors.ts';

export interface OfferCounts {
  /** Units of the allocation not yet held or sold. */
  remaining: number;
  perBuyerLimit: number;
  startsAtMs: number;
  endsAtMs: number;
}

export type Decision = { ok: true } | { ok: false; code: ErrorCode; details?: Record<string, unknown> };

/** The whole reservation rule for an event offer, in the order a buyer should hear the reasons. */
export function decideReservation(offer: OfferCounts, heldByBuyer: number, quantity: number, nowMs: number): Decision {
  if (nowMs < offer.startsAtMs) return { ok: false, code: 'WINDOW_NOT_OPEN', details: { opensAt: new Date(offer.startsAtMs).toISOString() } };
  if (nowMs >= offer.endsAtMs) return { ok: false, code: 'WINDOW_CLOSED' };
  if (heldByBuyer + quantity > offer.perBuyerLimit) {
    return { ok: false, code: 'LIMIT_REACHED', details: { perBuyerLimit: offer.perBuyerLimit, alreadyHeld: heldByBuyer } };
  }
  if (offer.remaining <= 0) return { ok: false, code: 'SOLD_OUT' };
  if (quantity > offer.remaining) return { ok: false, code: 'SOLD_OUT', details: { available: offer.remaining } };
  return { ok: true };
}

/**
 * Where the units of a cancelled order go: back to the offer while its event runs; once the event
 * has ended (and its unsold allocation went back to the store), straight back to store stock.
 */
export function releaseTarget(order: { kind: 'event' | 'public' }, allocationReturned: boolean): 'offer' | 'offer_and_store' | 'store' {
  if (order.kind === 'public') return 'store';
  return allocationReturned ? 'offer_and_store' : 'offer';
}

/** The payment deadline of an order made at `nowMs`. */
export function payDeadlineMs(nowMs: number, paymentWindowMinutes: number): number {
  return nowMs + paymentWindowMinutes * 60_000;
}

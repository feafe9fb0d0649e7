// Pure after-sales decisions: which kind of request an order takes now, the return window, how
// much a refund of some units pays back, and which step a request may take in which status.
// No I/O, no clock reads: callers pass the time in.
import type { ErrorCode } from '../platform/errors.ts';

export type RefundKind = 'before_shipping' | 'return';
export type RefundStatus = 'requested' | 'approved' | 'rejected' | 'returned' | 'refunding' | 'refunded' | 'cancelled';
export type RefundStep = 'approve' | 'reject' | 'ship_back' | 'cancel' | 'receive' | 'complete';

export const DAY_MS = 86_400_000;

/** Statuses whose units still count against the order (open, or refunded). */
export const CLAIMING_STATUSES: readonly RefundStatus[] = ['requested', 'approved', 'returned', 'refunding', 'refunded'];

/** Requests the merchant still has to act on (the after-sales queue's default). */
export const OPEN_STATUSES: readonly RefundStatus[] = ['requested', 'approved', 'returned'];

export interface OrderFacts {
  status: 'pending_payment' | 'paid' | 'cancelled';
  quantity: number;
  /** Units claimed by requests, open or done. */
  claimedUnits: number;
  shippedAtMs: number | null;
  deliveredAtMs: number | null;
}

export type RequestDecision = { ok: true; kind: RefundKind } | { ok: false; code: ErrorCode; details?: Record<string, unknown> };

/**
 * May a buyer ask for `quantity` units of this order back now, and as which kind: before shipping
 * a refund at once; after it a return, while not delivered or within the store's return days after
 * delivery (the window closes at delivery + returnDays, exclusive). The units test here is the
 * friendly answer; the conditional update on claimed_units is the guard.
 */
export function decideRequest(order: OrderFacts, quantity: number, returnDays: number, nowMs: number): RequestDecision {
  if (order.status !== 'paid') return { ok: false, code: 'ORDER_NOT_REFUNDABLE' };
  if (order.shippedAtMs !== null && !isReturnWindowOpen(order.deliveredAtMs, returnDays, nowMs)) {
    return { ok: false, code: 'RETURN_WINDOW_CLOSED', details: { closedAt: new Date(returnWindowClosesAtMs(order.deliveredAtMs as number, returnDays)).toISOString() } };
  }
  const left = order.quantity - order.claimedUnits;
  if (quantity > left) return { ok: false, code: 'REFUND_QUANTITY_EXCEEDED', details: { available: Math.max(0, left) } };
  return { ok: true, kind: order.shippedAtMs === null ? 'before_shipping' : 'return' };
}

export function returnWindowClosesAtMs(deliveredAtMs: number, returnDays: number): number {
  return deliveredAtMs + returnDays * DAY_MS;
}

/** A shipped order may be returned until delivery, then for `returnDays` days (0: not after delivery). */
export function isReturnWindowOpen(deliveredAtMs: number | null, returnDays: number, nowMs: number): boolean {
  if (deliveredAtMs === null) return true;
  return nowMs < returnWindowClosesAtMs(deliveredAtMs, returnDays);
}

export interface RefundFacts {
  unitPriceFen: number;
  quantity: number;
  totalFen: number;
  /** Before this refund. */
  refundedFen: number;
  /** Before this refund. */
  refundedUnits: number;
}

/**
 * What a refund of `units` pays back: the unit price for each, except that the units that complete
 * the order take exactly what is left of its total (so the order ends at refunded = total), and
 * no refund ever passes what is left.
 */
export function refundAmountFen(order: RefundFacts, units: number): number {
  if (!Number.isSafeInteger(units) || units <= 0) throw new Error(`a refund of ${units} units`);
  if (order.refundedUnits + units > order.quantity) throw new Error(`refunding ${units} units of an order with ${order.quantity - order.refundedUnits} left`);
  const left = Math.max(0, order.totalFen - order.refundedFen);
  if (order.refundedUnits + units === order.quantity) return left;
  return Math.min(order.unitPriceFen * units, left);
}

/** What a request is expected to pay back when it is made (the refund itself decides the final amount). */
export function expectedAmountFen(unitPriceFen: number, units: number): number {
  return unitPriceFen * units;
}

export type StepDecision =
  | { outcome: 'apply'; to: RefundStatus }
  | { outcome: 'replay' }
  | { outcome: 'refuse' };

interface StepRule {
  from: readonly RefundStatus[];
  to: RefundStatus;
  /** Statuses that show this step already happened: a repeat answers with the request as it is. */
  done: readonly RefundStatus[];
  kinds: readonly RefundKind[];
}

/** Every step a request may take. Before-shipping requests are born 'refunding' and only complete. */
export const STEPS: Readonly<Record<RefundStep, StepRule>> = {
  approve: { from: ['requested'], to: 'approved', done: ['approved', 'returned', 'refunding', 'refunded'], kinds: ['return'] },
  reject: { from: ['requested', 'approved'], to: 'rejected', done: ['rejected'], kinds: ['return'] },
  ship_back: { from: ['approved'], to: 'returned', done: ['returned', 'refunding', 'refunded'], kinds: ['return'] },
  cancel: { from: ['requested', 'approved'], to: 'cancelled', done: ['cancelled'], kinds: ['return'] },
  receive: { from: ['approved', 'returned'], to: 'refunding', done: ['refunding', 'refunded'], kinds: ['return'] },
  complete: { from: ['refunding'], to: 'refunded', done: ['refunded'], kinds: ['before_shipping', 'return'] },
};

/** Whether `step` applies to a request in `status`, is a repeat of what already happened, or is refused. */
export function decideStep(kind: RefundKind, status: RefundStatus, step: RefundStep): StepDecision {
  const rule = STEPS[step];
  if (!rule.kinds.includes(kind)) return { outcome: 'refuse' };
  if (rule.from.includes(status)) return { outcome: 'apply', to: rule.to };
  if (rule.done.includes(status)) return { outcome: 'replay' };
  return { outcome: 'refuse' };
}

/** Whether a request in this status still holds its units against the order. */
export function claimsUnits(status: RefundStatus): boolean {
  return CLAIMING_STATUSES.includes(status);
}

/** Where a refund's units go: never shipped ones back as unsold; ones the buyer sent back to the warehouse. */
export function unitsCameBackFromBuyer(kind: RefundKind): boolean {
  return kind === 'return';
}

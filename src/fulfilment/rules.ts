// Pure fulfilment decisions: which shipping step an order may take now. No I/O, no clock reads.

/** An order's status as checkout keeps it. */
export type OrderStatus = 'pending_payment' | 'paid' | 'cancelled';

export interface ShippingState {
  status: OrderStatus;
  shippedAt: string | null;
  deliveredAt: string | null;
  carrier: string | null;
  trackingNo: string | null;
}

export type StepDecision = { ok: true; write: boolean } | { ok: false; message: string };

/**
 * Shipping a paid order records its carrier and tracking number. Sending the same again changes
 * nothing (a re-sent request or re-imported file); a correction is allowed until it is delivered.
 */
export function decideShip(order: ShippingState, carrier: string, trackingNo: string): StepDecision {
  if (order.status !== 'paid') return { ok: false, message: 'Only a paid order can be shipped.' };
  if (order.deliveredAt !== null) return { ok: false, message: 'The order was already delivered.' };
  if (order.shippedAt !== null && order.carrier === carrier && order.trackingNo === trackingNo) return { ok: true, write: false };
  return { ok: true, write: true };
}

/** Delivery follows shipping; confirming it twice changes nothing. */
export function decideDeliver(order: ShippingState): StepDecision {
  if (order.status !== 'paid') return { ok: false, message: 'Only a paid order can be delivered.' };
  if (order.shippedAt === null) return { ok: false, message: 'Ship the order before marking it delivered.' };
  if (order.deliveredAt !== null) return { ok: true, write: false };
  return { ok: true, write: true };
}

/** Carriers write tracking numbers in letters and digits; spaces and dashes from copy-paste are dropped. */
export function normaliseTrackingNo(raw: string): string {
  return raw.replace(/[\s-]+/g, '').toUpperCase();
}

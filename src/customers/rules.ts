// Pure customer rules: who is new to a store, and the backflow windows after an event. No I/O.
//
// New customer: a buyer is new to a store when the store has no order from that buyer (one buyer
// account per verified mobile number) created in the 365 days before this order: the window is
// [createdAt - 365 days, createdAt), so an order exactly 365 days earlier still counts against
// newness and one a millisecond older does not. Orders that count are paid ones (refunded or not)
// and ones still awaiting payment; an order cancelled unpaid never happened for this purpose.

export const NEW_CUSTOMER_LOOKBACK_DAYS = 365;
export const BACKFLOW_WINDOWS_DAYS = [30, 90] as const;
const DAY_MS = 86_400_000;

/** The first instant of the look-back window of an order created at `createdAtMs`. */
export function lookbackStartMs(createdAtMs: number): number {
  return createdAtMs - NEW_CUSTOMER_LOOKBACK_DAYS * DAY_MS;
}

/** Whether an earlier order at `earlierMs` makes the buyer of an order at `createdAtMs` not new. */
export function countsAgainstNewness(earlierMs: number, createdAtMs: number): boolean {
  return earlierMs >= lookbackStartMs(createdAtMs) && earlierMs < createdAtMs;
}

/** A share in basis points (0..10000), rounded down; 0 of 0 is 0. */
export function shareBp(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.floor((part * 10_000) / whole);
}

export interface PublicOrderAfter {
  buyerId: string;
  /** When the buyer's first event order (the one that made them new) was paid. */
  firstPaidMs: number;
  paidMs: number;
  gmvFen: number;
}

export interface BackflowWindow {
  days: number;
  /** New buyers of the event who bought in the public store within `days` after their first event order. */
  buyers: number;
  orders: number;
  gmvFen: number;
}

/** Backflow per window from the public-store orders that followed each new buyer's first event order. */
export function backflow(orders: readonly PublicOrderAfter[]): BackflowWindow[] {
  return BACKFLOW_WINDOWS_DAYS.map((days) => {
    const inside = orders.filter((o) => o.paidMs > o.firstPaidMs && o.paidMs <= o.firstPaidMs + days * DAY_MS);
    return { days, buyers: new Set(inside.map((o) => o.buyerId)).size, orders: inside.length, gmvFen: inside.reduce((sum, o) => sum + o.gmvFen, 0) };
  });
}

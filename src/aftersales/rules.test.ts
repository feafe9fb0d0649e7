// The after-sales rules, exhaustively over small orders: request kinds and the return window,
// refund amounts that always add up to the total, and every step from every status.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DAY_MS, STEPS, claimsUnits, decideRequest, decideStep, isReturnWindowOpen, refundAmountFen, unitsCameBackFromBuyer,
  type OrderFacts, type RefundKind, type RefundStatus, type RefundStep,
} from './rules.ts';

const NOW = Date.parse('2026-12-01T00:00:00.000Z');
const paid: OrderFacts = { status: 'paid', quantity: 3, claimedUnits: 0, shippedAtMs: null, deliveredAtMs: null };
const STATUSES: RefundStatus[] = ['requested', 'approved', 'rejected', 'returned', 'refunding', 'refunded', 'cancelled'];
const KINDS: RefundKind[] = ['before_shipping', 'return'];
const STEP_NAMES = Object.keys(STEPS) as RefundStep[];

function codeOf(d: ReturnType<typeof decideRequest>): string {
  return d.ok ? `ok:${d.kind}` : d.code;
}

describe('after-sales rules', () => {
  it('takes a refund before shipping and a return after it, only for a paid order', () => {
    assert.equal(codeOf(decideRequest(paid, 1, 7, NOW)), 'ok:before_shipping');
    assert.equal(codeOf(decideRequest({ ...paid, shippedAtMs: NOW - 1 }, 1, 7, NOW)), 'ok:return');
    assert.equal(codeOf(decideRequest({ ...paid, status: 'pending_payment' }, 1, 7, NOW)), 'ORDER_NOT_REFUNDABLE');
    assert.equal(codeOf(decideRequest({ ...paid, status: 'cancelled' }, 1, 7, NOW)), 'ORDER_NOT_REFUNDABLE');
  });

  it('never lets requests claim more than the order quantity, open ones counted', () => {
    for (let quantity = 1; quantity <= 5; quantity += 1) {
      for (let claimed = 0; claimed <= quantity; claimed += 1) {
        for (let q = 1; q <= 6; q += 1) {
          const d = decideRequest({ ...paid, quantity, claimedUnits: claimed }, q, 7, NOW);
          assert.equal(d.ok, claimed + q <= quantity, `quantity ${quantity}, claimed ${claimed}, asking ${q}`);
          if (!d.ok) {
            assert.equal(d.code, 'REFUND_QUANTITY_EXCEEDED');
            assert.equal(d.details?.available, quantity - claimed);
          }
        }
      }
    }
  });

  it('opens returns until delivery, then for the return days, closing exactly at the end', () => {
    const delivered = NOW - 7 * DAY_MS;
    assert.equal(isReturnWindowOpen(null, 0, NOW), true, 'shipped, not delivered');
    assert.equal(isReturnWindowOpen(delivered, 7, NOW - 1), true, 'the last millisecond');
    assert.equal(isReturnWindowOpen(delivered, 7, NOW), false, 'closed at delivery + 7 days');
    assert.equal(isReturnWindowOpen(NOW, 0, NOW), false, 'no returns after delivery with 0 days');
    assert.equal(isReturnWindowOpen(delivered, 90, NOW), true);
    const shipped = { ...paid, shippedAtMs: delivered - DAY_MS, deliveredAtMs: delivered };
    assert.equal(codeOf(decideRequest(shipped, 1, 7, NOW - 1)), 'ok:return');
    const closed = decideRequest(shipped, 1, 7, NOW);
    assert.equal(codeOf(closed), 'RETURN_WINDOW_CLOSED');
    assert.equal(!closed.ok && closed.details?.closedAt, new Date(NOW).toISOString());
    // The window is checked before the units: a late buyer hears that the window closed.
    assert.equal(codeOf(decideRequest({ ...shipped, claimedUnits: 3 }, 1, 7, NOW)), 'RETURN_WINDOW_CLOSED');
  });

  it('pays each unit its price and the units that complete an order exactly what is left, however the order is cut', () => {
    for (let quantity = 1; quantity <= 6; quantity += 1) {
      for (const unitPriceFen of [1, 3, 12_345]) {
        const totalFen = unitPriceFen * quantity;
        // Every composition of the quantity into ordered parts.
        const cuts = (n: number): number[][] => (n === 0 ? [[]] : Array.from({ length: n }, (_, i) => i + 1).flatMap((first) => cuts(n - first).map((rest) => [first, ...rest])));
        for (const parts of cuts(quantity)) {
          let refundedFen = 0;
          let refundedUnits = 0;
          for (const units of parts) {
            const amount = refundAmountFen({ unitPriceFen, quantity, totalFen, refundedFen, refundedUnits }, units);
            assert.equal(amount, unitPriceFen * units);
            refundedFen += amount;
            refundedUnits += units;
          }
          assert.equal(refundedFen, totalFen, `${parts.join('+')} of ${quantity} at ${unitPriceFen}`);
        }
      }
    }
  });

  it('never refunds past what is left when money was refunded otherwise, and ends the order at its total', () => {
    const order = { unitPriceFen: 100, quantity: 3, totalFen: 300, refundedFen: 250, refundedUnits: 0 };
    assert.equal(refundAmountFen(order, 1), 50, 'capped at what is left');
    assert.equal(refundAmountFen({ ...order, refundedFen: 120, refundedUnits: 1 }, 2), 180, 'the last units take the rest');
    assert.equal(refundAmountFen({ ...order, refundedFen: 300 }, 1), 0);
    assert.throws(() => refundAmountFen({ ...order, refundedUnits: 2 }, 2));
    assert.throws(() => refundAmountFen(order, 0));
  });

  it('decides every step from every status: apply, replay a repeat, or refuse', () => {
    const expected: Record<RefundStep, Partial<Record<RefundStatus, 'apply' | 'replay'>>> = {
      approve: { requested: 'apply', approved: 'replay', returned: 'replay', refunding: 'replay', refunded: 'replay' },
      reject: { requested: 'apply', approved: 'apply', rejected: 'replay' },
      ship_back: { approved: 'apply', returned: 'replay', refunding: 'replay', refunded: 'replay' },
      cancel: { requested: 'apply', approved: 'apply', cancelled: 'replay' },
      receive: { approved: 'apply', returned: 'apply', refunding: 'replay', refunded: 'replay' },
      complete: { refunding: 'apply', refunded: 'replay' },
    };
    for (const kind of KINDS) {
      for (const step of STEP_NAMES) {
        for (const status of STATUSES) {
          const d = decideStep(kind, status, step);
          const want = kind === 'before_shipping' && step !== 'complete' ? 'refuse' : expected[step][status] ?? 'refuse';
          assert.equal(d.outcome, want, `${kind} ${status} ${step}`);
          if (d.outcome === 'apply') assert.equal(d.to, STEPS[step].to);
        }
      }
    }
  });

  it('keeps units claimed while a request is open or done, frees them when rejected or cancelled', () => {
    assert.deepEqual(STATUSES.filter(claimsUnits), ['requested', 'approved', 'returned', 'refunding', 'refunded']);
    // A step that frees units starts from claiming statuses and ends in a non-claiming one.
    for (const step of ['reject', 'cancel'] as const) {
      assert.ok(STEPS[step].from.every(claimsUnits));
      assert.equal(claimsUnits(STEPS[step].to), false);
    }
    // No step moves a request out of a finished state.
    for (const rule of Object.values(STEPS)) for (const final of ['rejected', 'cancelled', 'refunded'] as const) assert.ok(!rule.from.includes(final));
  });

  it('sends never-shipped units back as unsold and returned goods to the warehouse', () => {
    assert.equal(unitsCameBackFromBuyer('before_shipping'), false);
    assert.equal(unitsCameBackFromBuyer('return'), true);
  });
});

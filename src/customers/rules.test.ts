import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backflow, countsAgainstNewness, lookbackStartMs, shareBp } from './rules.ts';

const DAY = 86_400_000;
const T = Date.parse('2026-11-25T02:00:00.000Z');

describe('customer rules', () => {
  it('looks back exactly 365 days: an order at the edge counts, one a millisecond older does not', () => {
    assert.equal(lookbackStartMs(T), T - 365 * DAY);
    assert.equal(countsAgainstNewness(T - 365 * DAY, T), true);
    assert.equal(countsAgainstNewness(T - 365 * DAY - 1, T), false);
    assert.equal(countsAgainstNewness(T - 1, T), true);
    assert.equal(countsAgainstNewness(T, T), false, 'the order itself, or a later one, never counts');
    assert.equal(countsAgainstNewness(T + DAY, T), false);
  });

  it('computes shares in basis points, rounding down', () => {
    assert.equal(shareBp(0, 0), 0);
    assert.equal(shareBp(1, 3), 3333);
    assert.equal(shareBp(9, 10), 9000);
    assert.equal(shareBp(5, 5), 10_000);
  });

  it('counts backflow inside 30 and 90 days after the first event order, excluding the edges before it', () => {
    const first = T;
    const rows = [
      { buyerId: 'a', firstPaidMs: first, paidMs: first + 30 * DAY, gmvFen: 100 },
      { buyerId: 'a', firstPaidMs: first, paidMs: first + 31 * DAY, gmvFen: 200 },
      { buyerId: 'b', firstPaidMs: first, paidMs: first + 90 * DAY + 1, gmvFen: 400 },
      { buyerId: 'c', firstPaidMs: first, paidMs: first - 1, gmvFen: 800 },
      { buyerId: 'd', firstPaidMs: first, paidMs: first + 89 * DAY, gmvFen: 1600 },
    ];
    assert.deepEqual(backflow(rows), [
      { days: 30, buyers: 1, orders: 1, gmvFen: 100 },
      { days: 90, buyers: 2, orders: 3, gmvFen: 1900 },
    ]);
  });
});

// The reservation rule, exhaustively over small numbers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideReservation, releaseTarget } from './rules.ts';

const open = { startsAtMs: 1000, endsAtMs: 2000, perBuyerLimit: 2, remaining: 5 };

describe('checkout rules', () => {
  it('refuses outside the window with its own codes', () => {
    assert.deepEqual(decideReservation(open, 0, 1, 999).ok, false);
    assert.equal((decideReservation(open, 0, 1, 999) as { code: string }).code, 'WINDOW_NOT_OPEN');
    assert.equal((decideReservation(open, 0, 1, 2000) as { code: string }).code, 'WINDOW_CLOSED');
    assert.equal(decideReservation(open, 0, 1, 1000).ok, true);
  });

  it('never admits more than remaining or more than the limit', () => {
    fc.assert(fc.property(fc.nat(20), fc.integer({ min: 1, max: 5 }), fc.nat(6), fc.integer({ min: 1, max: 6 }), (remaining, limit, held, q) => {
      const d = decideReservation({ ...open, remaining, perBuyerLimit: limit }, held, q, 1500);
      if (d.ok) return q <= remaining && held + q <= limit;
      return d.code === 'SOLD_OUT' ? q > remaining : d.code === 'LIMIT_REACHED' && held + q > limit;
    }));
  });

  it('sends released units where they belong', () => {
    assert.equal(releaseTarget({ kind: 'public' }, false), 'store');
    assert.equal(releaseTarget({ kind: 'event' }, false), 'offer');
    assert.equal(releaseTarget({ kind: 'event' }, true), 'offer_and_store');
  });
});

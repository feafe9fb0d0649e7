// Rules of a clearance-lot draft: its shape, stock, and windows on Shanghai days.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkDraftShape, checkUnitsAgainstStock, defaultLotLimits, windowMinutes, windowOnDay, type DraftInput } from './rules.ts';

const draft: DraftInput = {
  channelId: 'chn_x',
  title: 'Winter',
  wishedDates: ['2026-12-03', '2026-12-04'],
  windowStart: '10:00',
  windowEnd: '22:00',
  commissionRateBp: 1000,
  offers: [{ skuId: 'sku_a', clearancePriceFen: 100, allocatedUnits: 10, perBuyerLimit: 2, isHero: true }],
};

const codes = (d: DraftInput, min = 500) => checkDraftShape(d, defaultLotLimits, min, '2026-11-25').map((p) => p.code);

describe('application rules', () => {
  it('accepts a good draft', () => {
    assert.deepEqual(codes(draft), []);
  });

  it('names each problem with a stable code', () => {
    assert.deepEqual(codes({ ...draft, wishedDates: [] }), ['WISHED_DATES_MISSING']);
    assert.deepEqual(codes({ ...draft, wishedDates: ['2026-11-25'] }), ['DATE_NOT_AHEAD']);
    assert.deepEqual(codes({ ...draft, wishedDates: ['2026-02-30'] }), ['BAD_DATE']);
    assert.deepEqual(codes({ ...draft, wishedDates: ['2026-12-03', '2026-12-03'] }), ['DUPLICATE_DATE']);
    assert.deepEqual(codes({ ...draft, windowStart: '25:00' }), ['BAD_WINDOW']);
    assert.deepEqual(codes({ ...draft, commissionRateBp: 400 }), ['COMMISSION_BELOW_MINIMUM']);
    const heroes = Array.from({ length: 4 }, (_, i) => ({ ...draft.offers[0]!, skuId: `sku_${i}` }));
    assert.deepEqual(codes({ ...draft, offers: heroes }), ['TOO_MANY_HEROES']);
    const many = Array.from({ length: 21 }, (_, i) => ({ ...draft.offers[0]!, skuId: `sku_${i}`, isHero: false }));
    assert.deepEqual(codes({ ...draft, offers: many }), ['TOO_MANY_OFFERS']);
    assert.deepEqual(codes({ ...draft, offers: [{ ...draft.offers[0]!, perBuyerLimit: 11 }] }), ['LIMIT_ABOVE_UNITS']);
  });

  it('refuses units beyond free stock', () => {
    assert.deepEqual(checkUnitsAgainstStock(draft.offers, new Map([['sku_a', 9]])).map((p) => p.code), ['UNITS_ABOVE_STOCK']);
    assert.deepEqual(checkUnitsAgainstStock(draft.offers, new Map([['sku_a', 10]])), []);
    assert.deepEqual(checkUnitsAgainstStock(draft.offers, new Map()).map((p) => p.code), ['UNKNOWN_SKU']);
  });

  it('turns a local window on a Shanghai day into UTC', () => {
    const w = windowOnDay('2026-12-03', '10:00', '22:00');
    assert.equal(new Date(w.startsAtMs).toISOString(), '2026-12-03T02:00:00.000Z');
    assert.equal(new Date(w.endsAtMs).toISOString(), '2026-12-03T14:00:00.000Z');
    const overnight = windowOnDay('2026-12-03', '20:00', '02:00');
    assert.equal(new Date(overnight.endsAtMs).toISOString(), '2026-12-03T18:00:00.000Z');
    const early = windowOnDay('2026-12-03', '00:30', '06:00');
    assert.equal(new Date(early.startsAtMs).toISOString(), '2026-12-02T16:30:00.000Z', 'half past midnight in Shanghai is the previous UTC day');
  });

  it('measures every window between 1 minute and 24 hours', () => {
    const clock = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    fc.assert(fc.property(clock, clock, (a, b) => {
      const length = windowMinutes(a, b) as number;
      const w = windowOnDay('2026-12-03', a, b);
      return length >= 1 && length <= 1440 && w.endsAtMs - w.startsAtMs === length * 60_000;
    }));
  });
});

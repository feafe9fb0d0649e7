// The price guard and the price lock, by example and as properties (fast-check prints the seed of
// any failure; replay with fc.assert(..., { seed })).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkOfferPrice, decidePublicPriceChange, discountBp, isPriceFlat, lockingEvents, priceWindow, PRICE_LOCKING_EVENT_STATUSES,
  type OfferPriceDraft, type PricePoint,
} from './rules.ts';

const codes = (r: ReturnType<typeof checkOfferPrice>) => ({ errors: r.errors.map((e) => e.code), warnings: r.warnings.map((w) => w.code) });
const draft = (over: Partial<OfferPriceDraft> = {}): OfferPriceDraft => ({ clearancePriceFen: 5000, publicPriceFen: 10_000, costFen: null, lowestPublicSalePriceFen30d: null, ...over });

const fen = fc.integer({ min: 1, max: 1_000_000_000 });
const draftArb = fc.record({
  clearancePriceFen: fen,
  publicPriceFen: fen,
  costFen: fc.option(fc.integer({ min: 0, max: 1_000_000_000 }), { nil: null }),
  lowestPublicSalePriceFen30d: fc.option(fc.integer({ min: 0, max: 1_000_000_000 }), { nil: null }),
});
const warnBp = fc.integer({ min: 0, max: 10_000 });

describe('price guard', () => {
  it('passes a plain 50% clearance with no findings', () => {
    assert.deepEqual(codes(checkOfferPrice(draft())), { errors: [], warnings: [] });
    assert.equal(checkOfferPrice(draft()).discountBp, 5000);
  });

  it('refuses a clearance price not below the public price, or below cost', () => {
    assert.deepEqual(codes(checkOfferPrice(draft({ clearancePriceFen: 10_000 }))).errors, ['CLEARANCE_NOT_BELOW_PUBLIC']);
    assert.deepEqual(codes(checkOfferPrice(draft({ clearancePriceFen: 12_000 }))).errors, ['CLEARANCE_NOT_BELOW_PUBLIC']);
    assert.deepEqual(codes(checkOfferPrice(draft({ costFen: 5001 }))).errors, ['CLEARANCE_BELOW_COST']);
    assert.deepEqual(codes(checkOfferPrice(draft({ costFen: 5000 }))).errors, [], 'at cost is allowed');
    const both = checkOfferPrice(draft({ clearancePriceFen: 10_000, costFen: 20_000 }));
    assert.deepEqual(codes(both).errors, ['CLEARANCE_NOT_BELOW_PUBLIC', 'CLEARANCE_BELOW_COST']);
  });

  it('warns on a discount deeper than the threshold, exactly at the boundary', () => {
    // 70% off 10,000 is 3,000: exactly 70% does not warn, one fen less does.
    assert.deepEqual(codes(checkOfferPrice(draft({ clearancePriceFen: 3000 }))).warnings, []);
    assert.deepEqual(codes(checkOfferPrice(draft({ clearancePriceFen: 2999 }))).warnings, ['DEEP_DISCOUNT']);
    // A threshold of 50% from settings.
    assert.deepEqual(codes(checkOfferPrice(draft({ clearancePriceFen: 4999 }), { deepDiscountWarnBp: 5000 })).warnings, ['DEEP_DISCOUNT']);
    // Boundary that bp rounding would blur: 70% of 333 is 99.9 fen.
    assert.deepEqual(codes(checkOfferPrice(draft({ publicPriceFen: 333, clearancePriceFen: 100 }))).warnings, [], '69.97% off');
    assert.deepEqual(codes(checkOfferPrice(draft({ publicPriceFen: 333, clearancePriceFen: 99 }))).warnings, ['DEEP_DISCOUNT'], '70.27% off');
  });

  it('warns below the lowest public sale price of the last 30 days (price protection)', () => {
    assert.deepEqual(codes(checkOfferPrice(draft({ lowestPublicSalePriceFen30d: 5001 }))).warnings, ['BELOW_RECENT_PUBLIC_LOW']);
    assert.deepEqual(codes(checkOfferPrice(draft({ lowestPublicSalePriceFen30d: 5000 }))).warnings, []);
    assert.deepEqual(codes(checkOfferPrice(draft({ lowestPublicSalePriceFen30d: null }))).warnings, []);
  });

  it('speaks zh-CN and English with the amounts', () => {
    const r = checkOfferPrice(draft({ clearancePriceFen: 1000, costFen: 2000, lowestPublicSalePriceFen30d: 8000 }));
    assert.equal(r.errors[0]?.code, 'CLEARANCE_BELOW_COST');
    assert.match(r.errors[0]?.zh ?? '', /清仓价 ¥10\.00 低于成本价 ¥20\.00/);
    assert.match(r.errors[0]?.en ?? '', /below the cost ¥20\.00/);
    assert.match(r.warnings[0]?.en ?? '', /90%.*deeper than 70%/);
    assert.match(r.warnings[1]?.zh ?? '', /价保/);
  });

  it('throws on amounts that are not whole fen (the edge validates first)', () => {
    assert.throws(() => checkOfferPrice(draft({ clearancePriceFen: 10.5 })));
    assert.throws(() => checkOfferPrice(draft({ publicPriceFen: 0 })));
    assert.throws(() => checkOfferPrice(draft({ costFen: -1 })));
    assert.throws(() => checkOfferPrice(draft(), { deepDiscountWarnBp: 10_001 }));
  });

  it('property: each code appears exactly when its condition holds', () => {
    fc.assert(fc.property(draftArb, warnBp, (d, warn) => {
      const r = codes(checkOfferPrice(d, { deepDiscountWarnBp: warn }));
      const expectErrors = [
        ...(d.clearancePriceFen >= d.publicPriceFen ? ['CLEARANCE_NOT_BELOW_PUBLIC'] : []),
        ...(d.costFen !== null && d.clearancePriceFen < d.costFen ? ['CLEARANCE_BELOW_COST'] : []),
      ];
      // The model uses exact rationals (BigInt), not the implementation's arithmetic.
      const deep = BigInt(d.publicPriceFen - d.clearancePriceFen) * 10_000n > BigInt(warn) * BigInt(d.publicPriceFen);
      const expectWarnings = [
        ...(deep ? ['DEEP_DISCOUNT'] : []),
        ...(d.lowestPublicSalePriceFen30d !== null && d.clearancePriceFen < d.lowestPublicSalePriceFen30d ? ['BELOW_RECENT_PUBLIC_LOW'] : []),
      ];
      assert.deepEqual(r, { errors: expectErrors, warnings: expectWarnings });
    }));
  });

  it('property: a lower clearance price never removes a warning or the cost error, nor adds the public-price error', () => {
    fc.assert(fc.property(draftArb, warnBp, fc.integer({ min: 1, max: 1_000_000 }), (d, warn, cut) => {
      fc.pre(d.clearancePriceFen - cut >= 1);
      const before = codes(checkOfferPrice(d, { deepDiscountWarnBp: warn }));
      const after = codes(checkOfferPrice({ ...d, clearancePriceFen: d.clearancePriceFen - cut }, { deepDiscountWarnBp: warn }));
      for (const w of before.warnings) assert.ok(after.warnings.includes(w), w);
      if (before.errors.includes('CLEARANCE_BELOW_COST')) assert.ok(after.errors.includes('CLEARANCE_BELOW_COST'));
      if (!before.errors.includes('CLEARANCE_NOT_BELOW_PUBLIC')) assert.ok(!after.errors.includes('CLEARANCE_NOT_BELOW_PUBLIC'));
    }));
  });

  it('property: a deeper threshold never adds a DEEP_DISCOUNT warning; discountBp is in range and rounded down', () => {
    fc.assert(fc.property(draftArb, warnBp, warnBp, (d, a, b) => {
      const [low, high] = a <= b ? [a, b] : [b, a];
      const atHigh = codes(checkOfferPrice(d, { deepDiscountWarnBp: high })).warnings.includes('DEEP_DISCOUNT');
      const atLow = codes(checkOfferPrice(d, { deepDiscountWarnBp: low })).warnings.includes('DEEP_DISCOUNT');
      if (atHigh) assert.ok(atLow);
      const bp = discountBp(d.clearancePriceFen, d.publicPriceFen);
      assert.ok(bp >= 0 && bp < 10_000 && Number.isInteger(bp));
      if (d.clearancePriceFen < d.publicPriceFen) {
        const exact = ((d.publicPriceFen - d.clearancePriceFen) * 10_000) / d.publicPriceFen;
        assert.ok(bp <= exact && exact < bp + 1);
      }
    }));
  });
});

describe('public price lock', () => {
  const now = Date.parse('2026-11-25T02:00:00.000Z');
  const event = (status: string, endsAt: string, eventId = 'evt_1') => ({ eventId, status, startsAt: '2026-11-25T00:00:00.000Z', endsAt });

  it('locks while an event is scheduled, in warm-up or live and its window has not ended', () => {
    assert.deepEqual(PRICE_LOCKING_EVENT_STATUSES, ['scheduled', 'warmup', 'live']);
    for (const status of ['scheduled', 'warmup', 'live']) assert.equal(lockingEvents([event(status, '2026-11-25T03:00:00.000Z')], now).length, 1, status);
    for (const status of ['draft', 'submitted', 'ended', 'settled', 'cancelled', 'rejected', 'withdrawn']) assert.equal(lockingEvents([event(status, '2026-11-25T03:00:00.000Z')], now).length, 0, status);
    assert.equal(lockingEvents([event('scheduled', '2026-11-25T02:00:00.000Z')], now).length, 0, 'ended at now: not locked');
  });

  it('decides who may change a locked price', () => {
    const locking = [event('live', '2026-11-25T03:00:00.000Z'), event('scheduled', '2026-11-26T03:00:00.000Z', 'evt_2')];
    const ask = (role: string, override: boolean, reason = '') => decidePublicPriceChange({ fromPriceFen: 100, toPriceFen: 90, role, override, reason }, locking);
    assert.deepEqual(ask('merchant', false), { kind: 'locked', lockedBy: locking[1] }, 'names the lock that lasts longest');
    assert.deepEqual(ask('operator', false), { kind: 'locked', lockedBy: locking[1] });
    assert.deepEqual(ask('merchant', true, 'typo'), { kind: 'override_not_allowed' });
    assert.deepEqual(ask('operator', true), { kind: 'reason_required' });
    assert.deepEqual(ask('operator', true, 'wrong price typed'), { kind: 'change', operatorOverride: true });
    assert.deepEqual(decidePublicPriceChange({ fromPriceFen: 100, toPriceFen: 90, role: 'merchant', override: false, reason: '' }, []), { kind: 'change', operatorOverride: false });
    assert.deepEqual(decidePublicPriceChange({ fromPriceFen: 100, toPriceFen: 100, role: 'merchant', override: false, reason: '' }, locking), { kind: 'unchanged' });
    assert.deepEqual(decidePublicPriceChange({ fromPriceFen: 100, toPriceFen: 90, role: 'operator', override: true, reason: 'x' }, []), { kind: 'change', operatorOverride: false }, 'no lock: nothing overridden');
  });

  it('property: a locked price changes only by an operator override with a reason', () => {
    fc.assert(fc.property(fen, fen, fc.constantFrom('operator', 'merchant', 'promoter', 'buyer', 'system'), fc.boolean(), fc.constantFrom('', 'why'), fc.boolean(),
      (from, to, role, override, reason, locked) => {
        const d = decidePublicPriceChange({ fromPriceFen: from, toPriceFen: to, role, override, reason }, locked ? [event('live', '2026-11-25T03:00:00.000Z')] : []);
        if (d.kind === 'change') {
          assert.notEqual(from, to);
          assert.equal(d.operatorOverride, locked);
          if (locked) assert.ok(role === 'operator' && override && reason !== '');
        }
        if (override && role !== 'operator') assert.equal(d.kind, 'override_not_allowed');
      }));
  });
});

describe('price history window', () => {
  const point = (priceFen: number, at: string): PricePoint => ({ priceFen, effectiveFrom: at, changedBy: 'usr_1', reason: '', operatorOverride: false });
  const points = [point(100, '2026-11-01T00:00:00.000Z'), point(90, '2026-11-10T00:00:00.000Z'), point(95, '2026-11-20T00:00:00.000Z')];

  it('starts with the price in force at from, then the changes up to to', () => {
    const w = priceWindow(points, Date.parse('2026-11-05T00:00:00.000Z'), Date.parse('2026-11-15T00:00:00.000Z'));
    assert.deepEqual(w.map((p) => p.priceFen), [100, 90]);
    assert.deepEqual(priceWindow(points, Date.parse('2026-10-01T00:00:00.000Z'), Date.parse('2026-10-02T00:00:00.000Z')), []);
    assert.deepEqual(priceWindow(points, Date.parse('2026-11-10T00:00:00.000Z'), Date.parse('2026-11-30T00:00:00.000Z')).map((p) => p.priceFen), [90, 95]);
    assert.equal(isPriceFlat(points, Date.parse('2026-11-11T00:00:00.000Z'), Date.parse('2026-11-19T00:00:00.000Z')), true);
    assert.equal(isPriceFlat(points, Date.parse('2026-11-11T00:00:00.000Z'), Date.parse('2026-11-20T00:00:00.000Z')), false);
  });
});

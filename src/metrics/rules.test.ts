import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dayFigures, daysBetween, hourBuckets, priceVerdict, secondsToSellOut, sellThroughBp, shanghaiHourLabel, shareBp, type HourTally } from './rules.ts';

describe('hour buckets', () => {
  it('lists every Asia/Shanghai hour of the window across midnight, zero where nothing sold', () => {
    // 22:30 to 01:30 in Shanghai = 14:30 to 17:30 UTC.
    const startsAt = Date.parse('2026-11-25T14:30:00.000Z');
    const endsAt = Date.parse('2026-11-25T17:30:00.000Z');
    const tallies: HourTally[] = [
      { utcHour: '2026-11-25T15', orders: 2, units: 3, gmvFen: 300 },
      { utcHour: '2026-11-25T17', orders: 1, units: 1, gmvFen: 100 },
    ];
    const hours = hourBuckets(tallies, startsAt, endsAt);
    assert.deepEqual(hours.map((h) => [h.shanghaiHour, h.orders, h.units, h.gmvFen]), [
      ['2026-11-25 22:00', 0, 0, 0],
      ['2026-11-25 23:00', 2, 3, 300],
      ['2026-11-26 00:00', 0, 0, 0],
      ['2026-11-26 01:00', 1, 1, 100],
    ]);
    assert.equal(hours[0]?.startsAt, '2026-11-25T14:00:00.000Z');
  });

  it('widens to an hour after the window in which a late payment landed', () => {
    const hours = hourBuckets([{ utcHour: '2026-11-25T04', orders: 1, units: 1, gmvFen: 5 }], Date.parse('2026-11-25T02:00:00Z'), Date.parse('2026-11-25T03:00:00Z'));
    assert.deepEqual(hours.map((h) => [h.shanghaiHour, h.orders]), [['2026-11-25 10:00', 0], ['2026-11-25 11:00', 0], ['2026-11-25 12:00', 1]]);
  });

  it('an end on the hour does not add an empty hour', () => {
    assert.equal(hourBuckets([], Date.parse('2026-11-25T02:00:00Z'), Date.parse('2026-11-25T14:00:00Z')).length, 12);
  });

  it('always adds up to the tallies, in order, one hour apart', () => {
    const base = Date.parse('2026-11-25T00:00:00Z');
    fc.assert(fc.property(
      fc.array(fc.record({ h: fc.integer({ min: 0, max: 47 }), orders: fc.nat(9), units: fc.nat(9), gmvFen: fc.nat(9999) }), { maxLength: 30 }),
      fc.integer({ min: 0, max: 23 * 60 }), fc.integer({ min: 1, max: 24 * 60 }),
      (rows, startMin, lengthMin) => {
        const tallies = rows.map((r) => ({ utcHour: new Date(base + r.h * 3_600_000).toISOString().slice(0, 13), orders: r.orders, units: r.units, gmvFen: r.gmvFen }));
        const hours = hourBuckets(tallies, base + startMin * 60_000, base + (startMin + lengthMin) * 60_000);
        assert.equal(hours.reduce((s, h) => s + h.gmvFen, 0), rows.reduce((s, r) => s + r.gmvFen, 0));
        assert.equal(hours.reduce((s, h) => s + h.orders, 0), rows.reduce((s, r) => s + r.orders, 0));
        for (let i = 1; i < hours.length; i++) assert.equal(Date.parse(hours[i]?.startsAt as string) - Date.parse(hours[i - 1]?.startsAt as string), 3_600_000);
      }), { seed: 20261125, numRuns: 200 });
  });

  it('labels hours on the Shanghai clock', () => {
    assert.equal(shanghaiHourLabel(Date.parse('2026-12-31T16:00:00Z')), '2027-01-01 00:00');
  });
});

describe('days', () => {
  it('puts a UTC hour in its Shanghai day, public and events apart', () => {
    const days = dayFigures([
      { utcHour: '2026-11-25T15', kind: 'event', orders: 1, units: 2, gmvFen: 200 },
      { utcHour: '2026-11-25T16', kind: 'public', orders: 1, units: 1, gmvFen: 100 },
      { utcHour: '2026-11-24T16', kind: 'public', orders: 3, units: 3, gmvFen: 30 },
    ], daysBetween('2026-11-25', '2026-11-26'));
    assert.deepEqual(days.map((d) => [d.day, d.public.gmvFen, d.events.gmvFen, d.total.orders]), [['2026-11-25', 30, 200, 4], ['2026-11-26', 100, 0, 1]]);
  });
});

describe('sell-through and shares', () => {
  it('is basis points rounded down, null without a denominator', () => {
    assert.equal(sellThroughBp(1, 3), 3333);
    assert.equal(sellThroughBp(10, 10), 10_000);
    assert.equal(sellThroughBp(0, 10), 0);
    assert.equal(sellThroughBp(0, 0), null);
    assert.equal(shareBp(9, 10), 9000);
    assert.equal(shareBp(5, 0), null);
  });

  it('counts time to sell out from the start, null when not sold out', () => {
    const start = Date.parse('2026-11-25T02:00:00Z');
    assert.equal(secondsToSellOut(start, start + 90 * 60_000 + 999), 5400);
    assert.equal(secondsToSellOut(start, null), null);
  });
});

describe('public price evidence', () => {
  const at = (h: number) => new Date(Date.parse('2026-11-25T02:00:00Z') + h * 3_600_000).toISOString();
  it('is flat with one price, or the same price recorded again', () => {
    assert.deepEqual(priceVerdict([{ priceFen: 99_900, effectiveFrom: at(-100), operatorOverride: false }]), { isFlat: true, changes: 0, hasOperatorOverride: false });
    assert.equal(priceVerdict([{ priceFen: 5, effectiveFrom: at(-1), operatorOverride: false }, { priceFen: 5, effectiveFrom: at(1), operatorOverride: false }]).isFlat, true);
  });

  it('is not flat after a change, and names an operator override', () => {
    assert.deepEqual(priceVerdict([
      { priceFen: 99_900, effectiveFrom: at(-100), operatorOverride: false },
      { priceFen: 89_900, effectiveFrom: at(2), operatorOverride: true },
      { priceFen: 99_900, effectiveFrom: at(3), operatorOverride: true },
    ]), { isFlat: false, changes: 2, hasOperatorOverride: true });
  });
});

// Asia/Shanghai day arithmetic at its edges, and what a stored day means at an instant.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addDays, dayStateAt, daysOfMonth, isDay, isHoldLapsed, isMonth, monthOf, shanghaiDay, shanghaiDayStartMs, shanghaiInstant, shanghaiMonth } from './rules.ts';

const DAY_MS = 86_400_000;

describe('calendar rules', () => {
  it('puts 23:30 UTC on the next day in Shanghai, and 16:00 UTC at its midnight', () => {
    assert.equal(shanghaiDay(Date.parse('2026-11-24T23:30:00.000Z')), '2026-11-25');
    assert.equal(shanghaiDay(Date.parse('2026-11-24T15:59:59.999Z')), '2026-11-24');
    assert.equal(shanghaiDay(Date.parse('2026-11-24T16:00:00.000Z')), '2026-11-25');
    assert.equal(shanghaiMonth(Date.parse('2026-11-30T23:30:00.000Z')), '2026-12');
    assert.equal(shanghaiMonth(Date.parse('2026-12-31T16:00:00.000Z')), '2027-01');
    assert.equal(shanghaiDay(Date.parse('2028-02-28T16:00:00.000Z')), '2028-02-29');
  });

  it('turns a Shanghai wall-clock time on a day into its UTC instant', () => {
    assert.equal(shanghaiInstant('2026-11-25', '10:00'), Date.parse('2026-11-25T02:00:00.000Z'));
    assert.equal(shanghaiInstant('2026-11-25', '22:00'), Date.parse('2026-11-25T14:00:00.000Z'));
    assert.equal(shanghaiInstant('2026-11-25', '00:00'), Date.parse('2026-11-24T16:00:00.000Z'));
    assert.equal(shanghaiInstant('2026-11-25', '24:00'), shanghaiDayStartMs('2026-11-26'));
    assert.equal(shanghaiInstant('2027-01-01', '07:59'), Date.parse('2026-12-31T23:59:00.000Z'));
    for (const bad of ['24:01', '25:00', '10:60', '9:00', '10-00', '']) assert.throws(() => shanghaiInstant('2026-11-25', bad), bad);
    assert.throws(() => shanghaiInstant('2026-02-30', '10:00'));
  });

  it('knows real days and months', () => {
    for (const good of ['2026-11-25', '2028-02-29', '2026-12-31', '2026-01-01']) assert.ok(isDay(good), good);
    for (const bad of ['2026-02-29', '2026-13-01', '2026-00-10', '2026-11-31', '2026-11-5', '26-11-25', '2026-11-25T00:00', '1999-12-31', '']) assert.ok(!isDay(bad), bad);
    for (const good of ['2026-11', '2027-01']) assert.ok(isMonth(good), good);
    for (const bad of ['2026-13', '2026-1', '2026-00', '2026-11-01']) assert.ok(!isMonth(bad), bad);
    assert.equal(monthOf('2026-11-25'), '2026-11');
    assert.throws(() => monthOf('2026-11'));
    assert.equal(daysOfMonth('2026-02').length, 28);
    assert.equal(daysOfMonth('2028-02').length, 29);
    assert.deepEqual([daysOfMonth('2026-12')[0], daysOfMonth('2026-12').at(-1)], ['2026-12-01', '2026-12-31']);
    assert.equal(addDays('2026-12-31', 1), '2027-01-01');
    assert.equal(addDays('2026-03-01', -1), '2026-02-28');
  });

  it('round-trips any instant through its Shanghai day (seeded property)', () => {
    fc.assert(fc.property(fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2999-01-01T00:00:00Z') }), (ms) => {
      const day = shanghaiDay(ms);
      const start = shanghaiDayStartMs(day);
      return isDay(day) && start <= ms && ms < start + DAY_MS && shanghaiDay(start) === day && shanghaiDay(start - 1) === addDays(day, -1);
    }), { numRuns: 2000 });
  });

  it('counts a hold at or past its expiry as free, a booking as booked', () => {
    const at = Date.parse('2026-11-25T02:00:00.000Z');
    const until = '2026-11-25T02:00:00.000Z';
    assert.equal(dayStateAt(undefined, at), 'free');
    assert.equal(dayStateAt({ state: 'held', holdUntil: until }, at - 1), 'held');
    assert.equal(dayStateAt({ state: 'held', holdUntil: until }, at), 'free');
    assert.equal(dayStateAt({ state: 'booked', holdUntil: null }, at + DAY_MS), 'booked');
    assert.equal(isHoldLapsed(null, at), false);
  });
});

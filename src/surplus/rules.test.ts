// The surplus ranking, pure: figures at their edges and the documented order.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rankSurplus, surplusFigures } from './rules.ts';

const now = Date.parse('2026-11-25T02:00:00.000Z');
const created = (daysAgo: number) => new Date(now - daysAgo * 86_400_000).toISOString();

describe('surplus rules', () => {
  it('computes days of cover over 30 days and stock age in whole days', () => {
    assert.deepEqual(surplusFigures({ skuId: 'a', stockUnits: 300, soldUnits: 30, createdAt: created(10.9) }, now), { daysOfCover: 300, stockAgeDays: 10 });
    assert.deepEqual(surplusFigures({ skuId: 'b', stockUnits: 10, soldUnits: 3, createdAt: created(0) }, now), { daysOfCover: 100, stockAgeDays: 0 });
    assert.equal(surplusFigures({ skuId: 'c', stockUnits: 7, soldUnits: 9, createdAt: created(1) }, now).daysOfCover, 23.3);
    assert.equal(surplusFigures({ skuId: 'd', stockUnits: 7, soldUnits: 0, createdAt: created(1) }, now).daysOfCover, null, 'no sales: no end in sight');
    assert.equal(surplusFigures({ skuId: 'e', stockUnits: 1, soldUnits: 1, createdAt: new Date(now + 5000).toISOString() }, now).stockAgeDays, 0, 'never negative');
    assert.throws(() => surplusFigures({ skuId: 'f', stockUnits: -1, soldUnits: 0, createdAt: created(1) }, now));
    assert.throws(() => surplusFigures({ skuId: 'g', stockUnits: 1, soldUnits: 0.5, createdAt: created(1) }, now));
  });

  it('ranks no sales first, then most days of cover, most stock, oldest, id; leaves out empty SKUs', () => {
    const ranked = rankSurplus([
      { skuId: 'sells-fast', stockUnits: 100, soldUnits: 300, createdAt: created(5) },
      { skuId: 'no-sales-small', stockUnits: 5, soldUnits: 0, createdAt: created(1) },
      { skuId: 'no-sales-big', stockUnits: 50, soldUnits: 0, createdAt: created(1) },
      { skuId: 'slow', stockUnits: 100, soldUnits: 10, createdAt: created(5) },
      { skuId: 'empty', stockUnits: 0, soldUnits: 0, createdAt: created(100) },
      { skuId: 'slow-twin-old', stockUnits: 100, soldUnits: 10, createdAt: created(50) },
      { skuId: 'slow-twin-b', stockUnits: 100, soldUnits: 10, createdAt: created(5) },
    ], now);
    assert.deepEqual(ranked.map((r) => r.skuId), ['no-sales-big', 'no-sales-small', 'slow-twin-old', 'slow', 'slow-twin-b', 'sells-fast']);
    assert.deepEqual(ranked.map((r) => r.daysOfCover), [null, null, 300, 300, 300, 10]);
  });

  it('is a permutation that puts every SKU after one with more cover (random inputs, seed printed)', () => {
    const seed = Number(process.env.SEED ?? Date.now() % 1_000_000);
    let state = seed;
    const random = (n: number) => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state % n;
    };
    for (let round = 0; round < 200; round++) {
      const skus = Array.from({ length: 1 + random(30) }, (_, i) => ({ skuId: `s${i}`, stockUnits: random(50), soldUnits: random(3) === 0 ? 0 : random(60), createdAt: created(random(400)) }));
      const ranked = rankSurplus(skus, now);
      assert.equal(ranked.length, skus.filter((s) => s.stockUnits > 0).length, `seed ${seed}`);
      const cover = (c: number | null) => (c === null ? Infinity : c);
      for (let i = 1; i < ranked.length; i++) assert.ok(cover(ranked[i - 1]?.daysOfCover ?? null) >= cover(ranked[i]?.daysOfCover ?? null), `seed ${seed}`);
    }
  });
});

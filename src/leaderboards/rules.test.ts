import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { rankTallies, type PromoterTally } from './rules.ts';

describe('leaderboard ranking', () => {
  const tallies: PromoterTally[] = [
    { promoterId: 'a', orders: 3, gmvFen: 300 },
    { promoterId: 'b', orders: 5, gmvFen: 200 },
    { promoterId: 'c', orders: 1, gmvFen: 300 },
    { promoterId: 'd', orders: 5, gmvFen: 100 },
  ];

  it('ranks by GMV with shared ranks for equal GMV, then by orders', () => {
    assert.deepEqual(rankTallies(tallies, 'gmv').map((r) => [r.promoterId, r.rank]), [['a', 1], ['c', 1], ['b', 3], ['d', 4]]);
  });

  it('ranks by orders, equal orders sharing a rank', () => {
    assert.deepEqual(rankTallies(tallies, 'orders').map((r) => [r.promoterId, r.rank]), [['b', 1], ['d', 1], ['a', 3], ['c', 4]]);
  });

  it('is a permutation, sorted, and does not depend on input order', () => {
    const tally = fc.record({ promoterId: fc.string({ minLength: 1, maxLength: 4 }), orders: fc.nat(50), gmvFen: fc.nat(10_000) });
    fc.assert(fc.property(fc.uniqueArray(tally, { selector: (t) => t.promoterId, maxLength: 40 }), (list) => {
      const ranked = rankTallies(list, 'gmv');
      assert.equal(ranked.length, list.length);
      for (let i = 1; i < ranked.length; i++) {
        assert.ok((ranked[i - 1] as PromoterTally).gmvFen >= (ranked[i] as PromoterTally).gmvFen);
        assert.ok((ranked[i] as { rank: number }).rank <= i + 1);
      }
      assert.deepEqual(rankTallies([...list].reverse(), 'gmv'), ranked);
    }), { seed: 20261125, numRuns: 200 });
  });
});

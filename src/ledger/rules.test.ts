// The ledger's pure rules: the split of a paid order and the proportional reversal of refunds,
// exhaustively over small orders and as properties over large ones (seeded, printed, replayable).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  assertBalanced, paidPostings, partsOf, refundPostings, refundReversal, releaseDueMs, releasePostings, remainingParts, reversedSoFar,
  shareOf, splitOrder, positionOf, type Owners, type Parts, type Posting, type Split, type SplitInput,
} from './rules.ts';

const SEED = Number(process.env.LEDGER_SEED ?? Date.now() % 2_147_483_647);
const owners: Owners = { storeId: 'sto_1', promoterId: 'usr_p', leaderId: 'usr_l' };
const sum = (postings: readonly Posting[]) => postings.reduce((s, p) => s + p.amountFen, 0);
const partsSum = (p: Parts) => p.merchantFen + p.commissionFen + p.overrideFen + p.platformFen;

function input(totalFen: number, over: Partial<SplitInput> = {}): SplitInput {
  return { totalFen, commissionBp: 1000, feeRateBp: 600, baseFeeRateBp: 600, overrideBp: 100, promoterEarns: true, leaderEarns: true, ...over };
}

/** Every way to cut `total` into ordered positive refunds (2^(total-1) of them). */
function* compositions(total: number): Generator<number[]> {
  for (let mask = 0; mask < 2 ** (total - 1); mask++) {
    const parts: number[] = [];
    let run = 1;
    for (let bit = 0; bit < total - 1; bit++) {
      if (mask & (1 << bit)) { parts.push(run); run = 1; } else run += 1;
    }
    parts.push(run);
    yield parts;
  }
}

/** Applies refunds in order, checking each entry and the running reconciliation; returns the total reversed per part. */
function applyRefunds(split: Split, refunds: number[]): Parts {
  let refunded = 0;
  const reversed: Parts = { merchantFen: 0, commissionFen: 0, overrideFen: 0, platformFen: 0 };
  for (const refund of refunds) {
    const reversal = refundReversal(split, refunded, refund);
    assert.equal(partsSum(reversal), refund, 'a refund reverses exactly its amount');
    const postings = refundPostings(reversal, owners, 'pending');
    assertBalanced(postings);
    assert.equal(sum(postings), 0);
    refunded += refund;
    for (const key of Object.keys(reversed) as Array<keyof Parts>) reversed[key] += reversal[key];
    assert.deepEqual(reversed, reversedSoFar(split, refunded), 'the running reversal is the cumulative target');
    assert.ok(reversed.commissionFen <= split.commissionFen && reversed.overrideFen <= split.overrideFen && reversed.platformFen <= split.feeFen - split.overrideFen);
    assert.ok(reversed.merchantFen <= split.merchantFen + 2, 'the merchant runs ahead by at most 2 fen');
    const remaining = remainingParts(split, refunded);
    assert.equal(partsSum(remaining), split.totalFen - refunded, 'what is left is what was not refunded');
  }
  return reversed;
}

describe('ledger rules: the split of a paid order', () => {
  it('accounts for every fen of every order of 1..3000 fen at many rates, with and without promoter and leader', () => {
    const rates = [0, 1, 99, 100, 333, 600, 1000, 1500, 3333, 5000, 9999, 10_000];
    let cases = 0;
    for (let totalFen = 1; totalFen <= 3000; totalFen += totalFen < 200 ? 1 : 37) {
      for (const commissionBp of rates) {
        for (const feeRateBp of rates) {
          for (const [promoterEarns, leaderEarns] of [[true, true], [true, false], [false, false], [false, true]] as const) {
            const overrideBp = [0, 100, 2500, 10_000][cases % 4] as number;
            const split = splitOrder(input(totalFen, { commissionBp, feeRateBp, baseFeeRateBp: Math.min(10_000, feeRateBp * 2), overrideBp, promoterEarns, leaderEarns }));
            cases += 1;
            const parts = partsOf(split);
            assert.equal(partsSum(parts), totalFen, 'M + C + O + (F - O) = T');
            assert.ok(parts.merchantFen >= 0 && parts.platformFen >= 0);
            if (!promoterEarns) assert.equal(split.commissionFen + split.overrideFen, 0);
            if (!leaderEarns) assert.equal(split.overrideFen, 0);
            if (promoterEarns) assert.equal(split.commissionFen, Math.floor((totalFen * commissionBp) / 10_000));
            if (commissionBp + feeRateBp <= 10_000) assert.equal(split.feeFen, Math.floor((totalFen * feeRateBp) / 10_000));
            assert.ok(split.overrideFen <= split.feeFen, 'the override comes out of the fee');
            const postings = paidPostings(split, owners);
            assertBalanced(postings);
            assert.equal(postings[0]?.amountFen, -totalFen);
          }
        }
      }
    }
    assert.ok(cases > 100_000, `${cases} cases`);
  });

  it('computes the worked example of the brief: 100.00 at 10% commission, 6% fee, 1% override', () => {
    const split = splitOrder(input(10_000));
    assert.deepEqual(split, { totalFen: 10_000, commissionFen: 1000, overrideFen: 100, feeFen: 600, feeGrossFen: 600, merchantFen: 8400 });
    const postings = paidPostings(split, owners);
    assert.deepEqual(postings.map((p) => [p.account, p.amountFen]), [
      ['clearing', -10_000], ['merchant:sto_1:pending', 8400], ['promoter:usr_p:pending', 1000], ['promoter:usr_l:pending', 100], ['platform:fee:pending', 500],
    ]);
    // A discounted fee: half the base waived; the gross and discount are kept for statements.
    const discounted = splitOrder(input(10_000, { feeRateBp: 300, baseFeeRateBp: 600 }));
    assert.equal(discounted.feeFen, 300);
    assert.equal(discounted.feeGrossFen, 600);
    assert.equal(discounted.merchantFen, 8700);
  });

  it('caps the override at the fee and the fee at what the commission leaves', () => {
    assert.equal(splitOrder(input(10_000, { feeRateBp: 50, overrideBp: 100 })).overrideFen, 50);
    const greedy = splitOrder(input(10_000, { commissionBp: 8000, feeRateBp: 3000 }));
    assert.equal(greedy.feeFen, 2000);
    assert.equal(greedy.merchantFen, 0);
  });

  it('refuses nonsense inputs', () => {
    assert.throws(() => splitOrder(input(0)));
    assert.throws(() => splitOrder(input(1.5)));
    assert.throws(() => splitOrder(input(100, { commissionBp: 10_001 })));
    assert.throws(() => splitOrder(input(100, { feeRateBp: -1 })));
    assert.throws(() => assertBalanced([{ account: 'clearing', ownerId: null, amountFen: 1 }]));
    assert.throws(() => assertBalanced([{ account: 'a', ownerId: null, amountFen: 0 }]));
    assert.throws(() => assertBalanced([{ account: 'a', ownerId: null, amountFen: 0.5 }, { account: 'b', ownerId: null, amountFen: -0.5 }]));
    assert.throws(() => refundReversal(splitOrder(input(100)), 90, 11), 'beyond the total');
    assert.throws(() => refundReversal(splitOrder(input(100)), 0, 0));
  });

  it('is exact past 2^53 / 10000 (BigInt products)', () => {
    assert.equal(shareOf(9_007_199_254_740_991, 9999), Number((9_007_199_254_740_991n * 9999n) / 10_000n));
  });
});

describe('ledger rules: refunds reverse in proportion', () => {
  it('reverses exactly the original parts after every sequence of partial refunds of orders of 1..13 fen', () => {
    let sequences = 0;
    for (let totalFen = 1; totalFen <= 13; totalFen++) {
      for (const [commissionBp, feeRateBp, overrideBp] of [[1000, 600, 100], [3333, 3333, 3333], [5000, 5000, 10_000], [0, 0, 0], [9999, 1, 1], [2500, 2500, 2500]]) {
        const split = splitOrder(input(totalFen, { commissionBp: commissionBp as number, feeRateBp: feeRateBp as number, overrideBp: overrideBp as number }));
        for (const refunds of compositions(totalFen)) {
          const reversed = applyRefunds(split, refunds);
          assert.deepEqual(reversed, partsOf(split), `T=${totalFen} refunds ${refunds.join('+')}`);
          sequences += 1;
        }
      }
    }
    assert.ok(sequences > 40_000, `${sequences} sequences`);
  });

  it('releases what refunds left, pending to available, balanced', () => {
    const split = splitOrder(input(9999));
    const remaining = remainingParts(split, 3333);
    const postings = releasePostings(remaining, owners);
    assertBalanced(postings);
    assert.ok(postings.every((p) => p.account.endsWith(p.amountFen > 0 ? ':available' : ':pending')));
    assert.deepEqual(releasePostings(remainingParts(split, 9999), owners), [], 'a fully refunded order releases nothing');
  });

  it('holds as a property over large orders and random refund sequences', () => {
    console.log(`ledger rules property seed ${SEED} (replay: LEDGER_SEED=${SEED})`);
    const bp = fc.integer({ min: 0, max: 10_000 });
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 2_000_000_000 }), bp, bp, bp, fc.boolean(), fc.boolean(), fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 12 }),
      (totalFen, commissionBp, feeRateBp, overrideBp, promoterEarns, leaderEarns, weights) => {
        const split = splitOrder({ totalFen, commissionBp, feeRateBp, baseFeeRateBp: 10_000, overrideBp, promoterEarns, leaderEarns });
        assert.equal(partsSum(partsOf(split)), totalFen);
        // Cut the total into refunds in proportion to the weights; the last takes what is left.
        const weightSum = weights.reduce((a, b) => a + b, 0);
        const refunds: number[] = [];
        let left = totalFen;
        for (const w of weights.slice(0, -1)) {
          const r = Math.min(left - 1, Math.floor((totalFen * w) / weightSum));
          if (r > 0) { refunds.push(r); left -= r; }
        }
        refunds.push(left);
        assert.deepEqual(applyRefunds(split, refunds), partsOf(split));
      },
    ), { seed: SEED, numRuns: 2000 });
  });
});

describe('ledger rules: release timing and positions', () => {
  it('releases at delivery + the return window, else at shipping + the auto-release days, else never', () => {
    const day = 86_400_000;
    assert.equal(releaseDueMs({ deliveredAt: '2026-11-01T00:00:00.000Z', shippedAt: '2026-10-30T00:00:00.000Z' }, 7, 15), Date.parse('2026-11-01T00:00:00.000Z') + 7 * day);
    assert.equal(releaseDueMs({ deliveredAt: null, shippedAt: '2026-10-30T00:00:00.000Z' }, 7, 15), Date.parse('2026-10-30T00:00:00.000Z') + 15 * day);
    assert.equal(releaseDueMs({ deliveredAt: null, shippedAt: null }, 7, 15), null);
  });

  it('shows a negative available balance as a debt', () => {
    assert.deepEqual(positionOf({ pendingFen: 5, availableFen: -30 }), { pendingFen: 5, availableFen: 0, debtFen: 30 });
    assert.deepEqual(positionOf({ pendingFen: 0, availableFen: 30 }), { pendingFen: 0, availableFen: 30, debtFen: 0 });
  });
});

// Fee terms by example and as properties (fast-check prints the seed of any failure; replay with
// fc.assert(..., { seed })).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { computeTerms, discountedRateBp, formatBp, policyApplies, type FeePolicy, type TermsInput } from './rules.ts';

const at = Date.parse('2026-11-25T02:00:00.000Z');
let counter = 0;
function policy(over: Partial<FeePolicy> & Pick<FeePolicy, 'kind' | 'discountBp'>): FeePolicy {
  counter += 1;
  return { id: `fpl_${String(counter).padStart(4, '0')}`, storeId: null, category: null, channelId: null, startsAt: null, endsAt: null, createdAt: `2026-11-01T00:00:00.${String(counter).padStart(3, '0')}Z`, deletedAt: null, ...over };
}
const base: TermsInput = { channelFeeRateBp: 600, policies: [], storeId: 'sto_a', channelId: 'chn_a', isFirstEvent: false, skuCategories: ['生鲜'], atMs: at };

describe('fee terms', () => {
  it('charges the channel rate when no policy applies', () => {
    const t = computeTerms(base);
    assert.deepEqual({ ...t, explanation: undefined }, { feeRateBp: 600, baseFeeRateBp: 600, discountBp: 0, appliedPolicyIds: [], explanation: undefined });
    assert.match(t.explanation.zh, /6%/);
    assert.match(t.explanation.en, /no discount applies/);
  });

  it('halves the fee for a thin-margin category when every SKU is in it', () => {
    const fresh = policy({ kind: 'category', category: '生鲜', discountBp: 5000 });
    const t = computeTerms({ ...base, policies: [fresh] });
    assert.equal(t.feeRateBp, 300);
    assert.deepEqual(t.appliedPolicyIds, [fresh.id]);
    assert.match(t.explanation.zh, /类目「生鲜」优惠减免 50% 的服务费,实际费率 3%/);
    assert.match(t.explanation.en, /category "生鲜" discount waives 50% of the fee: 3%/);
    assert.equal(computeTerms({ ...base, policies: [fresh], skuCategories: ['生鲜', '男装'] }).feeRateBp, 600, 'a mixed lot earns no category discount');
    assert.equal(computeTerms({ ...base, policies: [fresh], skuCategories: [] }).feeRateBp, 600, 'an empty lot earns none');
  });

  it('applies the single largest discount; policies never stack', () => {
    const store = policy({ kind: 'store', storeId: 'sto_a', discountBp: 2000 });
    const first = policy({ kind: 'first_event', discountBp: 10_000 });
    const fresh = policy({ kind: 'category', category: '生鲜', discountBp: 5000 });
    const t = computeTerms({ ...base, policies: [store, fresh, first], isFirstEvent: false });
    assert.equal(t.feeRateBp, 300);
    assert.deepEqual(t.appliedPolicyIds, [fresh.id]);
    assert.match(t.explanation.en, /1 more policy applies; discounts do not stack/);
    const firstEvent = computeTerms({ ...base, policies: [store, fresh, first], isFirstEvent: true });
    assert.equal(firstEvent.feeRateBp, 0);
    assert.deepEqual(firstEvent.appliedPolicyIds, [first.id]);
  });

  it('breaks ties by the policy created first', () => {
    const a = policy({ kind: 'store', storeId: 'sto_a', discountBp: 3000 });
    const b = policy({ kind: 'first_event', discountBp: 3000 });
    assert.deepEqual(computeTerms({ ...base, policies: [b, a], isFirstEvent: true }).appliedPolicyIds, [a.id]);
  });

  it("respects a policy's store, channel, window and deletion", () => {
    const ctx = { storeId: 'sto_a', channelId: 'chn_a', isFirstEvent: true, skuCategories: ['生鲜'], atMs: at };
    assert.equal(policyApplies(policy({ kind: 'store', storeId: 'sto_b', discountBp: 1 }), ctx), false);
    assert.equal(policyApplies(policy({ kind: 'store', storeId: 'sto_a', channelId: 'chn_b', discountBp: 1 }), ctx), false);
    assert.equal(policyApplies(policy({ kind: 'store', storeId: 'sto_a', channelId: 'chn_a', discountBp: 1 }), ctx), true);
    assert.equal(policyApplies(policy({ kind: 'first_event', storeId: 'sto_b', discountBp: 1 }), ctx), false, 'a first-event policy narrowed to another store');
    assert.equal(policyApplies(policy({ kind: 'first_event', startsAt: '2026-11-25T02:00:00.000Z', discountBp: 1 }), ctx), true, 'starts at now');
    assert.equal(policyApplies(policy({ kind: 'first_event', startsAt: '2026-11-25T02:00:00.001Z', discountBp: 1 }), ctx), false);
    assert.equal(policyApplies(policy({ kind: 'first_event', endsAt: '2026-11-25T02:00:00.000Z', discountBp: 1 }), ctx), false, 'ends at now: over');
    assert.equal(policyApplies(policy({ kind: 'first_event', deletedAt: '2026-11-20T00:00:00.000Z', discountBp: 1 }), ctx), false);
    assert.equal(policyApplies(policy({ kind: 'first_event', discountBp: 1 }), { ...ctx, isFirstEvent: false }), false);
  });

  it('rounds the fee down (in the merchant\'s favour) and formats rates', () => {
    assert.equal(discountedRateBp(5, 5000), 2);
    assert.equal(discountedRateBp(600, 3333), 400);
    assert.equal(discountedRateBp(600, 10_000), 0);
    assert.equal(formatBp(600), '6%');
    assert.equal(formatBp(250), '2.5%');
    assert.equal(formatBp(333), '3.33%');
    assert.throws(() => computeTerms({ ...base, channelFeeRateBp: 10_001 }));
    assert.throws(() => computeTerms({ ...base, policies: [policy({ kind: 'first_event', discountBp: -1 })] }));
  });
});

const bp = fc.integer({ min: 0, max: 10_000 });
const kindArb = fc.constantFrom('store' as const, 'category' as const, 'first_event' as const);
const policyArb = fc.record({
  kind: kindArb,
  discountBp: bp,
  storeId: fc.constantFrom(null, 'sto_a', 'sto_b'),
  channelId: fc.constantFrom(null, 'chn_a', 'chn_b'),
  category: fc.constantFrom(null, '生鲜', '男装'),
  startsAt: fc.constantFrom(null, '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'),
  endsAt: fc.constantFrom(null, '2026-11-25T02:00:00.000Z', '2027-01-01T00:00:00.000Z'),
  deletedAt: fc.constantFrom(null, null, '2026-11-02T00:00:00.000Z'),
  createdAt: fc.constantFrom('2026-10-01T00:00:00.000Z', '2026-10-02T00:00:00.000Z'),
}).map((p) => ({ ...p, storeId: p.kind === 'store' ? p.storeId ?? 'sto_a' : p.storeId }));
const inputArb = fc.record({
  channelFeeRateBp: bp,
  policies: fc.array(policyArb, { maxLength: 8 }).map((ps) => ps.map((p, i) => ({ ...p, id: `fpl_${i}` }))),
  storeId: fc.constantFrom('sto_a', 'sto_b'),
  channelId: fc.constantFrom('chn_a', 'chn_b'),
  isFirstEvent: fc.boolean(),
  skuCategories: fc.array(fc.constantFrom('', '生鲜', '男装'), { maxLength: 4 }),
  atMs: fc.constant(at),
});

describe('fee terms properties', () => {
  it('the fee is whole, never negative and never above the base; the discount is one applicable policy\'s', () => {
    fc.assert(fc.property(inputArb, (input) => {
      const t = computeTerms(input);
      assert.ok(Number.isInteger(t.feeRateBp) && t.feeRateBp >= 0 && t.feeRateBp <= t.baseFeeRateBp);
      assert.equal(t.baseFeeRateBp, input.channelFeeRateBp);
      assert.equal(t.feeRateBp, Math.floor((input.channelFeeRateBp * (10_000 - t.discountBp)) / 10_000));
      const applicable = input.policies.filter((p) => policyApplies(p, input));
      assert.equal(t.discountBp, Math.max(0, ...applicable.map((p) => p.discountBp)));
      assert.equal(t.appliedPolicyIds.length, applicable.length > 0 ? 1 : 0);
      for (const id of t.appliedPolicyIds) assert.ok(applicable.some((p) => p.id === id));
    }));
  });

  it('is monotone: a larger discount never raises the fee, a higher base never lowers it', () => {
    fc.assert(fc.property(bp, bp, bp, (base, d1, d2) => {
      const [low, high] = d1 <= d2 ? [d1, d2] : [d2, d1];
      assert.ok(discountedRateBp(base, high) <= discountedRateBp(base, low));
      assert.ok(discountedRateBp(Math.min(base + 1, 10_000), low) >= discountedRateBp(base, low));
    }));
  });

  it('adding a policy never raises the fee', () => {
    fc.assert(fc.property(inputArb, policyArb, (input, extra) => {
      const before = computeTerms(input).feeRateBp;
      const after = computeTerms({ ...input, policies: [...input.policies, { ...extra, id: 'fpl_extra' }] }).feeRateBp;
      assert.ok(after <= before);
    }));
  });

  it('is deterministic: the order of the policies does not change the terms', () => {
    fc.assert(fc.property(inputArb, fc.infiniteStream(fc.nat()), (input, randoms) => {
      const shuffled = input.policies.map((p) => ({ p, k: randoms.next().value as number })).sort((a, b) => a.k - b.k).map((x) => x.p);
      assert.deepEqual(computeTerms({ ...input, policies: shuffled }), computeTerms(input));
    }));
  });
});

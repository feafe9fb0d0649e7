// Pure fee decisions: which discount policies apply to an event, and the platform fee rate that
// results. No I/O, no clock reads. All rates are integer basis points (1 bp = 0.01%).
//
// How policies combine (the contract the terms and their explanation follow):
// - A policy applies when it is not deleted, its window [startsAt, endsAt) holds `atMs` (an open
//   end is unbounded), its channel is null or the event's, its store is null or the event's, and
//   its kind's condition holds: 'store' (its store is the event's), 'category' (every SKU of the
//   lot is in its category: a mixed lot earns no category discount, so a fee is never waived on
//   goods outside the category), 'first_event' (the merchant has no earlier event that was
//   scheduled or ran).
// - Discounts never stack: the single largest discount applies; ties go to the policy created
//   first (then the smaller id), so the result is deterministic.
// - feeRateBp = floor(baseFeeRateBp * (10000 - discountBp) / 10000): the fee is rounded down, in the
//   merchant's favour, so 0 <= feeRateBp <= baseFeeRateBp.

export type FeePolicyKind = 'store' | 'category' | 'first_event';

export const FEE_POLICY_KINDS: readonly FeePolicyKind[] = ['store', 'category', 'first_event'];

/**
 * Statuses of an event that count as a merchant's earlier event (it was booked or ran), so the
 * next one is not its first. Drafts, rejected, withdrawn and cancelled applications do not count.
 */
export const EVENT_STATUSES_COUNTED_FOR_FIRST: readonly string[] = ['scheduled', 'warmup', 'live', 'ended', 'settled'];

export const BP_WHOLE = 10_000;

export interface FeePolicy {
  id: string;
  kind: FeePolicyKind;
  storeId: string | null;
  category: string | null;
  /** null: every channel. */
  channelId: string | null;
  /** Share of the fee waived, 0..10000. */
  discountBp: number;
  /** UTC ISO-8601, or null for open. */
  startsAt: string | null;
  endsAt: string | null;
  createdAt: string;
  deletedAt: string | null;
}

/** The event the terms are for. */
export interface FeeContext {
  storeId: string;
  channelId: string;
  /** The merchant has no earlier event that was scheduled or ran. */
  isFirstEvent: boolean;
  /** The category of each SKU of the lot ('' when a product has none). */
  skuCategories: readonly string[];
  atMs: number;
}

export interface TermsInput extends FeeContext {
  channelFeeRateBp: number;
  /** Candidate policies; computeTerms keeps only those that apply. */
  policies: readonly FeePolicy[];
}

export interface FeeTerms {
  /** The rate charged: baseFeeRateBp less the discount, rounded down. */
  feeRateBp: number;
  /** The channel's platform fee rate. */
  baseFeeRateBp: number;
  /** Share of the base fee waived (of the one policy that applies), 0..10000. */
  discountBp: number;
  /** The policy whose discount applies ([] when none); discounts never stack. */
  appliedPolicyIds: string[];
  explanation: { zh: string; en: string };
}

function assertBp(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > BP_WHOLE) throw new Error(`fees: ${name} must be whole basis points 0..10000, got ${value}`);
}

/** Whether one policy applies to the event described by `context`. */
export function policyApplies(policy: FeePolicy, context: FeeContext): boolean {
  if (policy.deletedAt !== null) return false;
  if (policy.startsAt !== null && Date.parse(policy.startsAt) > context.atMs) return false;
  if (policy.endsAt !== null && Date.parse(policy.endsAt) <= context.atMs) return false;
  if (policy.channelId !== null && policy.channelId !== context.channelId) return false;
  if (policy.storeId !== null && policy.storeId !== context.storeId) return false;
  switch (policy.kind) {
    case 'store':
      return policy.storeId === context.storeId;
    case 'category':
      return policy.category !== null && policy.category !== '' && context.skuCategories.length > 0
        && context.skuCategories.every((c) => c === policy.category);
    case 'first_event':
      return context.isFirstEvent;
  }
}

/** The fee after waiving `discountBp` of `baseBp`, rounded down. */
export function discountedRateBp(baseBp: number, discountBp: number): number {
  assertBp('base rate', baseBp);
  assertBp('discount', discountBp);
  return Math.floor((baseBp * (BP_WHOLE - discountBp)) / BP_WHOLE);
}

/** 600 -> "6%", 250 -> "2.5%", 333 -> "3.33%". */
export function formatBp(bp: number): string {
  return `${Number((bp / 100).toFixed(2))}%`;
}

function describePolicy(policy: FeePolicy): { zh: string; en: string } {
  switch (policy.kind) {
    case 'store':
      return { zh: '商家专属优惠', en: 'merchant discount' };
    case 'category':
      return { zh: `类目「${policy.category ?? ''}」优惠`, en: `category "${policy.category ?? ''}" discount` };
    case 'first_event':
      return { zh: '首场活动优惠', en: 'first-event discount' };
  }
}

function bestPolicy(applicable: readonly FeePolicy[]): FeePolicy | undefined {
  return [...applicable].sort((a, b) => b.discountBp - a.discountBp
    || (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0)
    || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0];
}

/** The fee terms of an event: the channel's rate less the single largest applicable discount. */
export function computeTerms(input: TermsInput): FeeTerms {
  assertBp('channel fee rate', input.channelFeeRateBp);
  for (const policy of input.policies) assertBp(`discount of ${policy.id}`, policy.discountBp);
  const applicable = input.policies.filter((p) => policyApplies(p, input));
  const best = bestPolicy(applicable);
  const base = input.channelFeeRateBp;
  const discountBp = best?.discountBp ?? 0;
  const feeRateBp = discountedRateBp(base, discountBp);
  if (feeRateBp < 0 || feeRateBp > base) throw new Error(`fees: rate ${feeRateBp} outside 0..${base}`);

  let explanation: FeeTerms['explanation'];
  if (!best) {
    explanation = {
      zh: `平台服务费率 ${formatBp(base)}(频道标准费率,无适用优惠)。`,
      en: `Platform fee ${formatBp(base)} (the channel's rate; no discount applies).`,
    };
  } else {
    const what = describePolicy(best);
    const others = applicable.length - 1;
    explanation = {
      zh: `频道标准费率 ${formatBp(base)},${what.zh}减免 ${formatBp(discountBp)} 的服务费,实际费率 ${formatBp(feeRateBp)}`
        + `${others > 0 ? `(另有 ${others} 项优惠适用,优惠不叠加,取最大一项)` : ''}。`,
      en: `Channel rate ${formatBp(base)}; ${what.en} waives ${formatBp(discountBp)} of the fee: ${formatBp(feeRateBp)}`
        + `${others > 0 ? ` (${others} more ${others === 1 ? 'policy applies' : 'policies apply'}; discounts do not stack, the largest counts)` : ''}.`,
    };
  }
  return { feeRateBp, baseFeeRateBp: base, discountBp, appliedPolicyIds: best ? [best.id] : [], explanation };
}

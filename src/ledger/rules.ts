// Pure money rules of the ledger: account names, the split of a paid order, the proportional
// reversal of refunds, what a release moves, and the balance check every entry must pass.
// No I/O, no clock. Money is integer fen; rates are basis points (10000 = 100%).
// Sign convention: a positive posting means the account's owner is owed more.

export const BP_WHOLE = 10_000;

export type Hold = 'pending' | 'available';

/** Account names (text ids): one grammar, used by every writer and reader of the ledger. */
export const accounts = {
  clearing: 'clearing',
  merchant: (storeId: string, hold: Hold) => `merchant:${storeId}:${hold}`,
  promoter: (userId: string, hold: Hold) => `promoter:${userId}:${hold}`,
  platformFee: (hold: Hold) => `platform:fee:${hold}`,
  transit: 'payouts:transit',
} as const;

export type PayeeKind = 'promoter' | 'merchant';

export function availableAccount(kind: PayeeKind, payeeId: string): string {
  return kind === 'promoter' ? accounts.promoter(payeeId, 'available') : accounts.merchant(payeeId, 'available');
}

export interface Posting {
  account: string;
  /** The user (promoter) or store (merchant) the account belongs to; null for the platform's. */
  ownerId: string | null;
  amountFen: number;
}

export interface SplitInput {
  totalFen: number;
  /** The event's commission rate (the channel default when the event has none); 0 without a promoter. */
  commissionBp: number;
  /** The fee rate charged, after the event's discount. */
  feeRateBp: number;
  /** The channel's base fee rate (for statements: gross fee and discount). */
  baseFeeRateBp: number;
  /** The channel's leader override rate. */
  overrideBp: number;
  /** The credited promoter earns commission (there is one, not banned, not buying from themself). */
  promoterEarns: boolean;
  /** Their team leader earns an override (the promoter earns and has a leader who is not banned). */
  leaderEarns: boolean;
}

/** The parts of a paid order: merchantFen + commissionFen + feeFen = totalFen; the override is inside the fee. */
export interface Split {
  totalFen: number;
  commissionFen: number;
  overrideFen: number;
  /** The platform fee charged, override included (the platform keeps feeFen - overrideFen). */
  feeFen: number;
  /** The fee at the base rate: feeGrossFen - feeFen is the discount the merchant was given. */
  feeGrossFen: number;
  merchantFen: number;
}

function assertFen(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`ledger: ${name} must be whole non-negative fen, got ${value}`);
}

function assertBp(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > BP_WHOLE) throw new Error(`ledger: ${name} must be basis points 0..10000, got ${value}`);
}

/** floor(amount * bp / 10000), exact for any safe amount (BigInt past 2^53 / 10000). */
export function shareOf(amountFen: number, bp: number): number {
  const product = amountFen * bp;
  if (Number.isSafeInteger(product)) return Math.floor(product / BP_WHOLE);
  return Number((BigInt(amountFen) * BigInt(bp)) / BigInt(BP_WHOLE));
}

/** floor(part * numerator / denominator) for whole non-negative numbers, exactly. */
export function proportion(partFen: number, numerator: number, denominator: number): number {
  if (denominator <= 0) throw new Error('ledger: proportion of a zero total');
  const product = partFen * numerator;
  if (Number.isSafeInteger(product)) return Math.floor(product / denominator);
  return Number((BigInt(partFen) * BigInt(numerator)) / BigInt(denominator));
}

/**
 * Splits a paid order. Commission C = floor(T*commission), fee F = floor(T*fee), override
 * O = min(floor(T*override), F) paid out of the fee, merchant M = T - C - F. Rates that would add up
 * to more than the order (a misconfigured channel) are cut, commission first kept: F <= T - C, so
 * M is never negative; the platform gives way, never the merchant's goods below zero.
 */
export function splitOrder(input: SplitInput): Split {
  const { totalFen } = input;
  if (!Number.isSafeInteger(totalFen) || totalFen <= 0) throw new Error(`ledger: an order total must be positive whole fen, got ${totalFen}`);
  for (const [name, bp] of [['commissionBp', input.commissionBp], ['feeRateBp', input.feeRateBp], ['baseFeeRateBp', input.baseFeeRateBp], ['overrideBp', input.overrideBp]] as const) assertBp(name, bp);
  const commissionFen = input.promoterEarns ? shareOf(totalFen, input.commissionBp) : 0;
  const feeFen = Math.min(shareOf(totalFen, input.feeRateBp), totalFen - commissionFen);
  const overrideFen = input.promoterEarns && input.leaderEarns ? Math.min(shareOf(totalFen, input.overrideBp), feeFen) : 0;
  const feeGrossFen = Math.max(feeFen, Math.min(shareOf(totalFen, input.baseFeeRateBp), totalFen - commissionFen));
  const split = { totalFen, commissionFen, overrideFen, feeFen, feeGrossFen, merchantFen: totalFen - commissionFen - feeFen };
  assertSplit(split);
  return split;
}

export function assertSplit(split: Split): void {
  for (const [name, value] of Object.entries(split)) assertFen(name, value);
  if (split.merchantFen + split.commissionFen + split.feeFen !== split.totalFen) throw new Error('ledger: a split does not add up to its order');
  if (split.overrideFen > split.feeFen || split.feeGrossFen < split.feeFen) throw new Error('ledger: an override above the fee, or a fee above its gross');
}

/** The four shares a payment is divided into (the fee part here is what the platform keeps). */
export interface Parts {
  merchantFen: number;
  commissionFen: number;
  overrideFen: number;
  platformFen: number;
}

export function partsOf(split: Split): Parts {
  return { merchantFen: split.merchantFen, commissionFen: split.commissionFen, overrideFen: split.overrideFen, platformFen: split.feeFen - split.overrideFen };
}

/**
 * What refunds have reversed of each part once `refundedFen` of the order is refunded in all:
 * floor(part * refunded / total) for commission, override and platform, the merchant the rest, so
 * the reversal of each refund sums to its amount and a full refund reverses every part exactly.
 * (The merchant's reversal runs ahead of its share by at most 2 fen while refunds are partial,
 * because the floors of the other parts lag; it lands exactly on its share when fully refunded.)
 */
export function reversedSoFar(split: Split, refundedFen: number): Parts {
  if (!Number.isSafeInteger(refundedFen) || refundedFen < 0 || refundedFen > split.totalFen) throw new Error(`ledger: refunded ${refundedFen} outside 0..${split.totalFen}`);
  const parts = partsOf(split);
  const commissionFen = proportion(parts.commissionFen, refundedFen, split.totalFen);
  const overrideFen = proportion(parts.overrideFen, refundedFen, split.totalFen);
  const platformFen = proportion(parts.platformFen, refundedFen, split.totalFen);
  return { commissionFen, overrideFen, platformFen, merchantFen: refundedFen - commissionFen - overrideFen - platformFen };
}

/** What one refund reverses: the cumulative target after it less the cumulative target before it. */
export function refundReversal(split: Split, refundedBeforeFen: number, refundFen: number): Parts {
  if (!Number.isSafeInteger(refundFen) || refundFen <= 0) throw new Error(`ledger: a refund must be positive whole fen, got ${refundFen}`);
  const before = reversedSoFar(split, refundedBeforeFen);
  const after = reversedSoFar(split, refundedBeforeFen + refundFen);
  return {
    merchantFen: after.merchantFen - before.merchantFen,
    commissionFen: after.commissionFen - before.commissionFen,
    overrideFen: after.overrideFen - before.overrideFen,
    platformFen: after.platformFen - before.platformFen,
  };
}

/** What is left of each part after refunds: what a release moves, or what a statement counts as earned. */
export function remainingParts(split: Split, refundedFen: number): Parts {
  const parts = partsOf(split);
  const reversed = reversedSoFar(split, refundedFen);
  return {
    merchantFen: parts.merchantFen - reversed.merchantFen,
    commissionFen: parts.commissionFen - reversed.commissionFen,
    overrideFen: parts.overrideFen - reversed.overrideFen,
    platformFen: parts.platformFen - reversed.platformFen,
  };
}

/** Who owns the parts of one order. */
export interface Owners {
  storeId: string;
  promoterId: string | null;
  leaderId: string | null;
}

/**
 * Postings crediting (sign +1) or debiting (sign -1) each part to its owner's account in `hold`;
 * zero legs are left out (the database refuses them). The caller adds the opposite leg.
 */
export function partPostings(parts: Parts, owners: Owners, hold: Hold, sign: 1 | -1): Posting[] {
  const legs: Posting[] = [{ account: accounts.merchant(owners.storeId, hold), ownerId: owners.storeId, amountFen: sign * parts.merchantFen }];
  if (parts.commissionFen !== 0) {
    if (owners.promoterId === null) throw new Error('ledger: commission without a promoter');
    legs.push({ account: accounts.promoter(owners.promoterId, hold), ownerId: owners.promoterId, amountFen: sign * parts.commissionFen });
  }
  if (parts.overrideFen !== 0) {
    if (owners.leaderId === null) throw new Error('ledger: an override without a leader');
    legs.push({ account: accounts.promoter(owners.leaderId, hold), ownerId: owners.leaderId, amountFen: sign * parts.overrideFen });
  }
  legs.push({ account: accounts.platformFee(hold), ownerId: null, amountFen: sign * parts.platformFen });
  return legs.filter((leg) => leg.amountFen !== 0);
}

/** Order paid: clearing -T; each part to its owner's pending account. */
export function paidPostings(split: Split, owners: Owners): Posting[] {
  return [{ account: accounts.clearing, ownerId: null, amountFen: -split.totalFen }, ...partPostings(partsOf(split), owners, 'pending', 1)];
}

/** A refund: clearing +R; each part's reversal out of pending (still held) or available (released). */
export function refundPostings(reversal: Parts, owners: Owners, hold: Hold): Posting[] {
  const refundFen = reversal.merchantFen + reversal.commissionFen + reversal.overrideFen + reversal.platformFen;
  return [{ account: accounts.clearing, ownerId: null, amountFen: refundFen }, ...partPostings(reversal, owners, hold, -1)];
}

/** A release: what remains of each part moves from pending to available. */
export function releasePostings(remaining: Parts, owners: Owners): Posting[] {
  return [...partPostings(remaining, owners, 'pending', -1), ...partPostings(remaining, owners, 'available', 1)];
}

/** Every entry's postings sum to zero, with no zero or fractional leg: checked before any write. */
export function assertBalanced(postings: readonly Posting[]): void {
  let sum = 0;
  for (const posting of postings) {
    if (!Number.isSafeInteger(posting.amountFen) || posting.amountFen === 0) throw new Error(`ledger: bad posting ${posting.amountFen} on ${posting.account}`);
    sum += posting.amountFen;
  }
  if (sum !== 0) throw new Error(`ledger: postings sum to ${sum}, not zero`);
}

/** When an order's money leaves the hold: delivery + return window, else shipping + auto-release; null: not yet shipped. */
export function releaseDueMs(order: { deliveredAt: string | null; shippedAt: string | null }, returnWindowDays: number, autoReleaseDays: number): number | null {
  const dayMs = 86_400_000;
  if (order.deliveredAt !== null) return Date.parse(order.deliveredAt) + returnWindowDays * dayMs;
  if (order.shippedAt !== null) return Date.parse(order.shippedAt) + autoReleaseDays * dayMs;
  return null;
}

/** A payee's position from their account balances: a negative available balance is a debt, shown, never hidden. */
export function positionOf(balances: { pendingFen: number; availableFen: number }): { pendingFen: number; availableFen: number; debtFen: number } {
  return {
    pendingFen: balances.pendingFen,
    availableFen: Math.max(0, balances.availableFen),
    debtFen: Math.max(0, -balances.availableFen),
  };
}

/** 'YYYY-MM-DD' in Asia/Shanghai (UTC+8, no daylight saving) to the UTC instant its day starts. */
export function shanghaiDayStartMs(day: string): number {
  const ms = Date.parse(`${day}T00:00:00.000+08:00`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(ms)) throw new Error(`ledger: not a day: ${day}`);
  return ms;
}

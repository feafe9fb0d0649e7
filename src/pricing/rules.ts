// Pure price decisions: when an event locks a SKU's public price (invariant 7), what price was in
// force at a moment, and the price guard every clearance-lot draft passes on save and on submit.
// No I/O, no clock reads: times are passed in.
import { formatYuan } from '../platform/money.ts';

/**
 * Event statuses that lock the public price of the event's SKUs (while the event has not ended by
 * its window). Extend this list when the lifecycle grows a status that must lock prices.
 */
export const PRICE_LOCKING_EVENT_STATUSES: readonly string[] = ['scheduled', 'warmup', 'live'];

/** An event a SKU is in, as the lock sees it. Times are UTC ISO-8601. */
export interface LockingEventCandidate {
  eventId: string;
  status: string;
  startsAt: string;
  endsAt: string;
}

/** Events among `events` that lock the price now: an active status and a window not yet ended. */
export function lockingEvents<T extends LockingEventCandidate>(events: readonly T[], nowMs: number): T[] {
  return events.filter((e) => PRICE_LOCKING_EVENT_STATUSES.includes(e.status) && Date.parse(e.endsAt) > nowMs);
}

export interface PublicPriceChangeRequest {
  fromPriceFen: number;
  toPriceFen: number;
  /** Role of who asks: only an operator may override a lock. */
  role: string;
  override: boolean;
  /** Trimmed reason; '' when none was given. */
  reason: string;
}

export type PublicPriceDecision =
  | { kind: 'unchanged' }
  | { kind: 'change'; operatorOverride: boolean }
  | { kind: 'locked'; lockedBy: LockingEventCandidate }
  | { kind: 'override_not_allowed' }
  | { kind: 'reason_required' };

/**
 * Whether a public price change may happen. A lock refuses it unless an operator overrides with a
 * reason; the history records operator_override = 1 only when a lock was actually overridden.
 * `locking` must already be filtered by lockingEvents.
 */
export function decidePublicPriceChange(request: PublicPriceChangeRequest, locking: readonly LockingEventCandidate[]): PublicPriceDecision {
  if (request.override && request.role !== 'operator') return { kind: 'override_not_allowed' };
  if (request.override && request.reason === '') return { kind: 'reason_required' };
  if (request.fromPriceFen === request.toPriceFen) return { kind: 'unchanged' };
  if (locking.length === 0) return { kind: 'change', operatorOverride: false };
  if (request.override) return { kind: 'change', operatorOverride: true };
  // Name the lock that lasts longest: the price is free again only after it ends.
  const lockedBy = [...locking].sort((a, b) => Date.parse(b.endsAt) - Date.parse(a.endsAt) || (a.eventId < b.eventId ? -1 : 1))[0] as LockingEventCandidate;
  return { kind: 'locked', lockedBy };
}

/** One row of a SKU's public price history. */
export interface PricePoint {
  priceFen: number;
  /** UTC ISO-8601: the price is in force from here until the next point's effectiveFrom. */
  effectiveFrom: string;
  changedBy: string | null;
  reason: string;
  operatorOverride: boolean;
}

/**
 * The points that describe the price over [fromMs, toMs]: the one in force at fromMs (if the SKU
 * had a price then) and every later one up to toMs. `points` must be in effective order.
 */
export function priceWindow(points: readonly PricePoint[], fromMs: number, toMs: number): PricePoint[] {
  let inForce: PricePoint | undefined;
  const later: PricePoint[] = [];
  for (const point of points) {
    const at = Date.parse(point.effectiveFrom);
    if (at <= fromMs) inForce = point;
    else if (at <= toMs) later.push(point);
  }
  return inForce ? [inForce, ...later] : later;
}

/** Whether the public price stayed one value through [fromMs, toMs] (a report's check of invariant 7). */
export function isPriceFlat(points: readonly PricePoint[], fromMs: number, toMs: number): boolean {
  const window = priceWindow(points, fromMs, toMs);
  return window.every((p) => p.priceFen === window[0]?.priceFen);
}

// ---- Price guard (issue 3, part 4) ----

/** What the guard checks for one offer of a clearance lot. All amounts are integer fen. */
export interface OfferPriceDraft {
  clearancePriceFen: number;
  publicPriceFen: number;
  /** The SKU's cost, when the merchant gave one. */
  costFen: number | null;
  /** The lowest unit price of a paid public order of the SKU in the last 30 days, if any. */
  lowestPublicSalePriceFen30d: number | null;
}

export interface PriceGuardSettings {
  /** A discount deeper than this, in basis points of the public price, warns (7000 = 70%). */
  deepDiscountWarnBp: number;
}

export const DEFAULT_PRICE_GUARD_SETTINGS: PriceGuardSettings = { deepDiscountWarnBp: 7000 };

/** Errors block a submit. */
export type PriceGuardErrorCode = 'CLEARANCE_NOT_BELOW_PUBLIC' | 'CLEARANCE_BELOW_COST';
/** Warnings are shown to merchant and operator but do not block. */
export type PriceGuardWarningCode = 'DEEP_DISCOUNT' | 'BELOW_RECENT_PUBLIC_LOW';

export interface PriceGuardFinding<Code extends string> {
  /** Stable: clients switch on it. */
  code: Code;
  en: string;
  zh: string;
}

export interface PriceGuardResult {
  errors: PriceGuardFinding<PriceGuardErrorCode>[];
  warnings: PriceGuardFinding<PriceGuardWarningCode>[];
  /** The discount off the public price, in basis points rounded down (0 when not below it). */
  discountBp: number;
}

/** Largest amount the guard accepts: times 10,000 it stays a safe integer. */
export const GUARD_PRICE_FEN_MAX = 100_000_000_000;

function assertWholeFen(name: string, value: number, minimum: number): void {
  if (!Number.isSafeInteger(value) || value < minimum || value > GUARD_PRICE_FEN_MAX) {
    throw new Error(`price guard: ${name} must be a whole number of fen in ${minimum}..${GUARD_PRICE_FEN_MAX}, got ${value}`);
  }
}

/** The discount of `clearanceFen` off `publicFen`, in basis points rounded down; 0 when not below. */
export function discountBp(clearanceFen: number, publicFen: number): number {
  if (clearanceFen >= publicFen) return 0;
  return Math.floor(((publicFen - clearanceFen) * 10_000) / publicFen);
}

function percent(bp: number): string {
  return `${(bp / 100).toFixed(bp % 100 === 0 ? 0 : 2)}%`;
}

/**
 * The price guard for one offer draft. Errors: CLEARANCE_NOT_BELOW_PUBLIC (clearance >= public),
 * CLEARANCE_BELOW_COST (clearance < cost, when cost is known). Warnings: DEEP_DISCOUNT (discount
 * strictly deeper than settings.deepDiscountWarnBp, compared exactly in integers),
 * BELOW_RECENT_PUBLIC_LOW (clearance < the lowest public sale price of the last 30 days: buyers
 * who paid that may claim price protection). Each finding has a stable code and zh-CN and English
 * text; the text names amounts, so show it to the merchant and operator only. Throws on amounts
 * that are not whole fen (the edge validates them first).
 */
export function checkOfferPrice(draft: OfferPriceDraft, settings: PriceGuardSettings = DEFAULT_PRICE_GUARD_SETTINGS): PriceGuardResult {
  assertWholeFen('clearancePriceFen', draft.clearancePriceFen, 1);
  assertWholeFen('publicPriceFen', draft.publicPriceFen, 1);
  if (draft.costFen !== null) assertWholeFen('costFen', draft.costFen, 0);
  if (draft.lowestPublicSalePriceFen30d !== null) assertWholeFen('lowestPublicSalePriceFen30d', draft.lowestPublicSalePriceFen30d, 0);
  if (!Number.isSafeInteger(settings.deepDiscountWarnBp) || settings.deepDiscountWarnBp < 0 || settings.deepDiscountWarnBp > 10_000) {
    throw new Error(`price guard: deepDiscountWarnBp must be 0..10000, got ${settings.deepDiscountWarnBp}`);
  }
  const clearance = draft.clearancePriceFen;
  const yuan = (fen: number) => `¥${formatYuan(fen)}`;
  const result: PriceGuardResult = { errors: [], warnings: [], discountBp: discountBp(clearance, draft.publicPriceFen) };

  if (clearance >= draft.publicPriceFen) {
    result.errors.push({
      code: 'CLEARANCE_NOT_BELOW_PUBLIC',
      en: `The clearance price ${yuan(clearance)} must be below the public price ${yuan(draft.publicPriceFen)}.`,
      zh: `清仓价 ${yuan(clearance)} 必须低于公开售价 ${yuan(draft.publicPriceFen)}。`,
    });
  }
  if (draft.costFen !== null && clearance < draft.costFen) {
    result.errors.push({
      code: 'CLEARANCE_BELOW_COST',
      en: `The clearance price ${yuan(clearance)} is below the cost ${yuan(draft.costFen)}.`,
      zh: `清仓价 ${yuan(clearance)} 低于成本价 ${yuan(draft.costFen)}。`,
    });
  }
  // Exact: (public - clearance) / public > warn / 10000, cross-multiplied in safe integers.
  if ((draft.publicPriceFen - clearance) * 10_000 > settings.deepDiscountWarnBp * draft.publicPriceFen) {
    result.warnings.push({
      code: 'DEEP_DISCOUNT',
      en: `A discount of ${percent(result.discountBp)} is deeper than ${percent(settings.deepDiscountWarnBp)} off the public price.`,
      zh: `折扣幅度 ${percent(result.discountBp)} 超过公开售价的 ${percent(settings.deepDiscountWarnBp)}。`,
    });
  }
  if (draft.lowestPublicSalePriceFen30d !== null && clearance < draft.lowestPublicSalePriceFen30d) {
    result.warnings.push({
      code: 'BELOW_RECENT_PUBLIC_LOW',
      en: `The clearance price ${yuan(clearance)} is below the lowest public sale price of the last 30 days (${yuan(draft.lowestPublicSalePriceFen30d)}): buyers who paid that may claim price protection.`,
      zh: `清仓价 ${yuan(clearance)} 低于近 30 天公开成交最低价 ${yuan(draft.lowestPublicSalePriceFen30d)},存在价保风险。`,
    });
  }
  return result;
}

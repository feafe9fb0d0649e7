// Pricing: the public price history and its lock while an event runs (invariant 7), and the price
// guard applied to clearance-lot drafts. The catalog calls recordInitialPrices and
// recordPriceChange inside its own transactions, so a price and its history commit together.
import type { AppContext } from '../platform/context.ts';
import type { Db } from '../platform/db/db.ts';
import type { Role } from '../platform/db/schema.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import {
  checkOfferPrice, decidePublicPriceChange, lockingEvents,
  type PriceGuardResult, type PriceGuardSettings, type PricePoint,
} from './rules.ts';
import * as store from './store.ts';

/** Most history rows one read returns. */
export const PRICE_HISTORY_MAX = 1000;
/** The look-back of the "lowest public sale price" the price guard compares with. */
export const RECENT_PUBLIC_LOW_DAYS = 30;
/** Times outside [0, 9999-12-31] are clamped: stored times are compared as ISO text. */
export const LATEST_HISTORY_MS = Date.parse('9999-12-31T23:59:59.999Z');
const clampMs = (ms: number) => Math.min(Math.max(ms, 0), LATEST_HISTORY_MS);

/** Most offers one guard call checks (a clearance lot is far smaller). */
export const GUARD_OFFERS_MAX = 200;

/** Who changes a price: a signed-in user, or null for the system (seeds, imports). */
export interface PriceActor {
  userId: string;
  role: Role;
}

export interface PublicPriceChange {
  storeId: string;
  skuId: string;
  fromPriceFen: number;
  toPriceFen: number;
  actor: PriceActor | null;
  /** An operator's explicit override of an event's price lock; needs a reason. */
  override: boolean;
  reason: string;
}

/** One offer of a draft as the guard takes it. */
export interface OfferPriceInput {
  skuId: string;
  clearancePriceFen: number;
}

/** The guard's verdict on one offer, with the facts it used. */
export interface OfferPriceCheck extends PriceGuardResult {
  skuId: string;
  publicPriceFen: number;
  costFen: number | null;
  lowestPublicSalePriceFen30d: number | null;
}

export interface SkuPriceHistory {
  skuId: string;
  publicPriceFen: number;
  /** Oldest first: the price in force at `from`, then every change up to `to`. */
  items: PricePoint[];
  /** True when more changes happened than one read returns (PRICE_HISTORY_MAX). */
  truncated: boolean;
}

export interface PricingService {
  readonly guardSettings: PriceGuardSettings;
  /** Writes the first history row of new SKUs, on the caller's transaction. */
  recordInitialPrices(trx: Db, skus: ReadonlyArray<{ skuId: string; priceFen: number }>, changedBy: string | null): Promise<void>;
  /**
   * Decides and records a public price change on the caller's transaction, which must already have
   * written the new price to the SKU row (so it holds that row's lock on PostgreSQL). Throws
   * PRICE_LOCKED while an active event holds the SKU (unless an operator overrides with a reason),
   * FORBIDDEN for an override by anyone else, VALIDATION_FAILED for an override without a reason.
   */
  recordPriceChange(trx: Db, change: PublicPriceChange): Promise<void>;
  /** The price in force at fromMs (if the SKU had one) and every change in (fromMs, toMs], oldest first. */
  publicPriceHistory(skuId: string, fromMs: number, toMs: number): Promise<PricePoint[]>;
  /** The same for a store's SKU, NOT_FOUND when it is not the store's. */
  storeSkuPriceHistory(storeId: string, skuId: string, fromMs: number, toMs: number): Promise<SkuPriceHistory>;
  /** Lowest unit price of paid public orders per SKU, paid in the 30 days before nowMs; absent = none. */
  lowestPublicSalePricesFen30d(skuIds: string[], nowMs: number): Promise<Map<string, number>>;
  /**
   * The price guard for a draft's offers (store's SKUs only; VALIDATION_FAILED names unknown ones),
   * in the order given. Call on every draft save and on submit; pass the result to
   * assertPriceGuardPasses on submit.
   */
  guardOffers(storeId: string, offers: OfferPriceInput[], nowMs: number): Promise<OfferPriceCheck[]>;
}

function toPricePoint(row: store.PriceHistoryRow): PricePoint {
  return {
    priceFen: Number(row.price_fen),
    effectiveFrom: row.effective_from,
    changedBy: row.changed_by,
    reason: row.reason,
    operatorOverride: row.operator_override === 1,
  };
}

/** Refuses a submit when any offer has a price-guard error; details name SKUs and codes, never prices. */
export function assertPriceGuardPasses(checks: readonly OfferPriceCheck[]): void {
  const failing = checks.filter((c) => c.errors.length > 0).map((c) => ({ skuId: c.skuId, codes: c.errors.map((e) => e.code) }));
  if (failing.length > 0) throw new AppError('PRICE_GUARD_FAILED', undefined, { offers: failing });
}

export function createPricingService(ctx: AppContext): PricingService {
  const { db } = ctx;
  const guardSettings: PriceGuardSettings = { deepDiscountWarnBp: ctx.config.deepDiscountWarnBp };

  async function history(executor: Db, skuId: string, fromMs: number, toMs: number): Promise<{ items: PricePoint[]; truncated: boolean }> {
    if (!(toMs >= fromMs)) throw new AppError('VALIDATION_FAILED', undefined, { issues: [{ path: '/to', message: 'must not be before from' }] });
    const fromIso = isoUtc(clampMs(fromMs));
    const inForce = await store.pricePointAt(executor, skuId, fromIso);
    const later = await store.pricePointsBetween(executor, skuId, fromIso, isoUtc(clampMs(toMs)), PRICE_HISTORY_MAX + 1);
    const truncated = later.length > PRICE_HISTORY_MAX;
    const rows = [...(inForce ? [inForce] : []), ...later.slice(0, PRICE_HISTORY_MAX)];
    return { items: rows.map(toPricePoint), truncated };
  }

  async function lowestPublicSalePricesFen30d(skuIds: string[], nowMs: number): Promise<Map<string, number>> {
    return store.lowestPublicSalePrices(db, [...new Set(skuIds)], isoUtc(nowMs - RECENT_PUBLIC_LOW_DAYS * 86_400_000), isoUtc(nowMs));
  }

  return {
    guardSettings,

    async recordInitialPrices(trx, skus, changedBy) {
      const effectiveFrom = isoUtc(ctx.clock.nowMs());
      await store.insertPricePoints(trx, skus.map((s) => ({
        sku_id: s.skuId, price_fen: s.priceFen, effective_from: effectiveFrom, changed_by: changedBy, reason: 'created', operator_override: 0,
      })));
    },

    async recordPriceChange(trx, change) {
      const nowMs = ctx.clock.nowMs();
      const reason = change.reason.trim();
      const locking = lockingEvents(await store.activeEventsOfSku(trx, change.skuId, isoUtc(nowMs)), nowMs);
      const decision = decidePublicPriceChange({
        fromPriceFen: change.fromPriceFen, toPriceFen: change.toPriceFen, role: change.actor?.role ?? 'system', override: change.override, reason,
      }, locking);
      switch (decision.kind) {
        case 'unchanged':
          return;
        case 'override_not_allowed':
          throw new AppError('FORBIDDEN', 'Only an operator may override the price lock of an event.');
        case 'reason_required':
          throw new AppError('VALIDATION_FAILED', 'An override needs a reason.', { issues: [{ path: '/reason', message: 'required with override' }] });
        case 'locked':
          throw new AppError('PRICE_LOCKED', undefined, {
            skuId: change.skuId,
            eventId: decision.lockedBy.eventId,
            eventStatus: decision.lockedBy.status,
            startsAt: decision.lockedBy.startsAt,
            endsAt: decision.lockedBy.endsAt,
          });
        case 'change':
          break;
      }
      await store.insertPricePoints(trx, [{
        sku_id: change.skuId,
        price_fen: change.toPriceFen,
        effective_from: isoUtc(nowMs),
        changed_by: change.actor?.userId ?? null,
        reason,
        operator_override: decision.operatorOverride ? 1 : 0,
      }]);
      if (decision.operatorOverride) {
        // Read at call time (not destructured) so the logger in use is the one that receives it.
        ctx.log.warn({
          skuId: change.skuId, storeId: change.storeId, operatorId: change.actor?.userId, reason,
          fromPriceFen: change.fromPriceFen, toPriceFen: change.toPriceFen, eventIds: locking.map((e) => e.eventId),
        }, 'public price changed during an event: operator override');
      }
    },

    async publicPriceHistory(skuId, fromMs, toMs) {
      return (await history(db, skuId, fromMs, toMs)).items;
    },

    async storeSkuPriceHistory(storeId, skuId, fromMs, toMs) {
      const [sku] = await store.skuPriceFacts(db, storeId, [skuId]);
      if (!sku) throw new AppError('NOT_FOUND');
      const { items, truncated } = await history(db, skuId, fromMs, toMs);
      return { skuId, publicPriceFen: Number(sku.public_price_fen), items, truncated };
    },

    lowestPublicSalePricesFen30d,

    async guardOffers(storeId, offers, nowMs) {
      if (offers.length > GUARD_OFFERS_MAX) throw new AppError('VALIDATION_FAILED', `At most ${GUARD_OFFERS_MAX} offers at once.`);
      const skuIds = [...new Set(offers.map((o) => o.skuId))];
      const facts = new Map((await store.skuPriceFacts(db, storeId, skuIds)).map((s) => [s.id, s]));
      const unknown = offers.flatMap((o, i) => (facts.has(o.skuId) ? [] : [{ path: `/offers/${i}/skuId`, message: "not a SKU of the store" }]));
      if (unknown.length > 0) throw new AppError('VALIDATION_FAILED', undefined, { issues: unknown });
      const lowest = await lowestPublicSalePricesFen30d(skuIds, nowMs);
      return offers.map((offer) => {
        const sku = facts.get(offer.skuId) as store.SkuPriceFacts;
        const draft = {
          clearancePriceFen: offer.clearancePriceFen,
          publicPriceFen: Number(sku.public_price_fen),
          costFen: sku.cost_fen === null ? null : Number(sku.cost_fen),
          lowestPublicSalePriceFen30d: lowest.get(offer.skuId) ?? null,
        };
        return { skuId: offer.skuId, ...draft, ...checkOfferPrice(draft, guardSettings) };
      });
    },
  };
}

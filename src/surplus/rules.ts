// Pure ranking of a store's SKUs by surplus, to help a merchant pick a clearance lot: what has the
// most stock for its sales. No I/O, no clock: the time is passed in.

/** Sales are counted over this many days before now. */
export const SALES_WINDOW_DAYS = 30;

const DAY_MS = 86_400_000;

export interface SkuStockFacts {
  skuId: string;
  /** Free store stock (event allocations are already carved out). */
  stockUnits: number;
  /** Units of paid orders (public store and events) in the sales window. */
  soldUnits: number;
  /** UTC ISO-8601: when the SKU was created (its stock's age until stock increases are tracked). */
  createdAt: string;
}

export interface SurplusFigures {
  /** Days the free stock lasts at the window's daily sales, one decimal; null when nothing sold (no end in sight). */
  daysOfCover: number | null;
  /** Whole days since the SKU was created. */
  stockAgeDays: number;
}

export function surplusFigures(sku: SkuStockFacts, nowMs: number, windowDays = SALES_WINDOW_DAYS): SurplusFigures {
  if (!Number.isSafeInteger(sku.stockUnits) || sku.stockUnits < 0) throw new Error(`stock of ${sku.skuId} is not a count: ${sku.stockUnits}`);
  if (!Number.isSafeInteger(sku.soldUnits) || sku.soldUnits < 0) throw new Error(`sales of ${sku.skuId} are not a count: ${sku.soldUnits}`);
  const daysOfCover = sku.soldUnits === 0 ? null : Math.round((sku.stockUnits * windowDays * 10) / sku.soldUnits) / 10;
  const stockAgeDays = Math.max(0, Math.floor((nowMs - Date.parse(sku.createdAt)) / DAY_MS));
  return { daysOfCover, stockAgeDays };
}

/**
 * The SKUs with free stock, most surplus first: no sales at all first (endless cover), then the
 * most days of cover, then the most stock, then the oldest stock; the SKU id breaks ties so the
 * order is stable. SKUs without free stock are left out: there is nothing to clear.
 */
export function rankSurplus<T extends SkuStockFacts>(skus: readonly T[], nowMs: number, windowDays = SALES_WINDOW_DAYS): Array<T & SurplusFigures> {
  const ranked = skus.filter((sku) => sku.stockUnits > 0).map((sku) => ({ ...sku, ...surplusFigures(sku, nowMs, windowDays) }));
  return ranked.sort((a, b) => {
    if (a.daysOfCover !== b.daysOfCover) {
      if (a.daysOfCover === null) return -1;
      if (b.daysOfCover === null) return 1;
      return b.daysOfCover - a.daysOfCover;
    }
    if (a.stockUnits !== b.stockUnits) return b.stockUnits - a.stockUnits;
    if (a.stockAgeDays !== b.stockAgeDays) return b.stockAgeDays - a.stockAgeDays;
    return a.skuId < b.skuId ? -1 : a.skuId > b.skuId ? 1 : 0;
  });
}

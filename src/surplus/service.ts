// Surplus: a store's SKUs ranked by how much stock they hold for their sales, for choosing a
// clearance lot. Reads only; the ranking itself is rules.ts.
import type { AppContext } from '../platform/context.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { parseAttributes } from '../catalog/rules.ts';
import { rankSurplus, SALES_WINDOW_DAYS } from './rules.ts';
import * as store from './store.ts';

export interface SurplusSku {
  skuId: string;
  productId: string;
  productTitle: string;
  skuCode: string;
  attributes: Record<string, string>;
  publicPriceFen: number;
  stockUnits: number;
  soldUnits30d: number;
  daysOfCover: number | null;
  stockAgeDays: number;
  createdAt: string;
}

export interface SurplusReport {
  storeId: string;
  windowDays: number;
  asOf: string;
  items: SurplusSku[];
}

export interface SurplusService {
  /** The store's SKUs with free stock, most surplus first (at most `limit`); NOT_FOUND for no such store. */
  rankStore(storeId: string, limit: number): Promise<SurplusReport>;
}

export function createSurplusService(ctx: AppContext): SurplusService {
  const { db, clock, config } = ctx;
  return {
    async rankStore(storeId, limit) {
      if (!(await store.storeExists(db, storeId))) throw new AppError('NOT_FOUND');
      const nowMs = clock.nowMs();
      const rows = await store.skusWithStock(db, storeId, config.limits.surplusSkusMax);
      const sold = await store.paidUnitsSince(db, storeId, isoUtc(nowMs - SALES_WINDOW_DAYS * 86_400_000));
      const ranked = rankSurplus(rows.map((row) => ({ ...row, skuId: row.sku_id, stockUnits: row.stock_units, soldUnits: sold.get(row.sku_id) ?? 0, createdAt: row.created_at })), nowMs);
      return {
        storeId,
        windowDays: SALES_WINDOW_DAYS,
        asOf: isoUtc(nowMs),
        items: ranked.slice(0, limit).map((r) => ({
          skuId: r.skuId, productId: r.product_id, productTitle: r.product_title, skuCode: r.sku_code, attributes: parseAttributes(r.attributes_json),
          publicPriceFen: r.public_price_fen, stockUnits: r.stockUnits, soldUnits30d: r.soldUnits, daysOfCover: r.daysOfCover, stockAgeDays: r.stockAgeDays,
          createdAt: r.createdAt,
        })),
      };
    },
  };
}

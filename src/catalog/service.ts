// STUB of the contract other features rely on — the catalog feature implements it in full.
import type { AppContext } from '../platform/context.ts';

export interface SkuForSale {
  id: string;
  storeId: string;
  productId: string;
  productTitle: string;
  code: string;
  publicPriceFen: number;
  stockUnits: number;
}

export interface CatalogService {
  /** A SKU as the public store sells it (public price, free stock), or null. */
  getSkuForSale(skuId: string): Promise<SkuForSale | null>;
}

export function createCatalogService(_ctx: AppContext): CatalogService {
  return { getSkuForSale: async () => null };
}

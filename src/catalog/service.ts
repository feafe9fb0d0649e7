// The catalog: products and their SKUs, public prices and free store stock. Merchants write it;
// the public reads it through views that carry only public fields; checkout and events use
// getSkuForSale and the stock functions, which run inside their callers' transactions.
import type { AppContext } from '../platform/context.ts';
import type { Limits } from '../platform/config.ts';
import type { Db } from '../platform/db/db.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { checkNewProduct, containsPattern, fromPriceFen, isInStock, normalizeQuery, parseAttributes, type NewProductInput, type ProductChange } from './rules.ts';
import type { PriceActor, PricingService } from '../pricing/service.ts';
import * as store from './store.ts';

export interface SkuForSale {
  id: string;
  storeId: string;
  productId: string;
  productTitle: string;
  code: string;
  publicPriceFen: number;
  stockUnits: number;
}

/** A SKU as its merchant sees it: stock and cost included. */
export interface MerchantSku {
  id: string;
  productId: string;
  code: string;
  attributes: Record<string, string>;
  imageUrl: string | null;
  publicPriceFen: number;
  stockUnits: number;
  costFen: number | null;
  createdAt: string;
}

export interface MerchantProduct {
  id: string;
  storeId: string;
  title: string;
  description: string;
  imageUrl: string | null;
  /** Free text (e.g. "生鲜") that fee policies may discount by; '' when unset. */
  category: string;
  createdAt: string;
  skus: MerchantSku[];
}

export interface PublicStore {
  id: string;
  slug: string;
  name: string;
  description: string;
  logoUrl: string | null;
}

/** A SKU as anyone may see it: no stock count, no cost, and no price but the public one. */
export interface PublicSku {
  id: string;
  code: string;
  attributes: Record<string, string>;
  imageUrl: string | null;
  publicPriceFen: number;
  inStock: boolean;
}

export interface PublicProduct {
  id: string;
  storeSlug: string;
  storeName: string;
  title: string;
  description: string;
  imageUrl: string | null;
  fromPriceFen: number | null;
  inStock: boolean;
  skus: PublicSku[];
}

/** A SKU as an event offer needs it: its store, its product, its public price and free stock. */
export interface SkuForOffer extends SkuForSale {
  attributes: Record<string, string>;
  /** The SKU's own image, or its product's. */
  imageUrl: string | null;
}

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export interface SkuChange {
  publicPriceFen?: number;
  /** Sets the count outright (a stocktake); prefer stockDeltaUnits while orders may be running. */
  stockUnits?: number;
  /** Adds (or, negative, removes) units; refused if stock would go below zero. */
  stockDeltaUnits?: number;
  /** An operator's override of an event's price lock (with publicPriceFen and a reason). */
  override?: boolean;
  /** Why the public price changes; kept in the price history. */
  reason?: string;
}

/** Most products in one page of a listing. */
export const PAGE_SIZE_MAX = 100;
/** Most products one search answers with. */
export const SEARCH_RESULTS_MAX = 50;

export interface CatalogService {
  /** The limits its routes enforce (SKUs per product, units per order). */
  readonly limits: Limits;
  /** Base of absolute links in pages and previews. */
  readonly publicBaseUrl: string;
  /** A SKU as the public store sells it (public price, free stock), or null. */
  getSkuForSale(skuId: string): Promise<SkuForSale | null>;
  /** The SKUs found among `skuIds` (missing ones are left out), for building event offers. */
  getSkusForOffers(skuIds: string[]): Promise<SkuForOffer[]>;
  /** Carves `units` out of free store stock on `db` (a transaction); false when not enough. */
  takeStock(db: Db, skuId: string, units: number): Promise<boolean>;
  /** Gives `units` back to free store stock on `db` (a transaction). */
  returnStock(db: Db, skuId: string, units: number): Promise<void>;
  stockOf(db: Db, skuId: string): Promise<number | null>;

  /** `createdBy` is recorded as who set each SKU's first public price (null: the system). */
  createProduct(storeId: string, input: NewProductInput, createdBy?: string | null): Promise<MerchantProduct>;
  listStoreProducts(storeId: string, limit: number, cursor: string | undefined): Promise<Page<MerchantProduct>>;
  updateProduct(storeId: string, productId: string, change: ProductChange): Promise<MerchantProduct>;
  /**
   * Changes a SKU's public price and/or stock in one transaction. A price change is recorded in the
   * price history and refused with PRICE_LOCKED while an event holds the SKU, unless `actor` is an
   * operator overriding with a reason. `actor` null: the system, which may not override.
   */
  updateSku(storeId: string, skuId: string, change: SkuChange, actor?: PriceActor | null): Promise<MerchantSku>;

  findPublicStore(slug: string): Promise<PublicStore | null>;
  listPublicProducts(slug: string, limit: number, cursor: string | undefined): Promise<(Page<PublicProduct> & { store: PublicStore }) | null>;
  findPublicProduct(productId: string): Promise<PublicProduct | null>;
  /** Products matching `q`, in one store (by slug) or everywhere; null when the store is unknown. */
  searchPublic(q: string, storeSlug: string | undefined): Promise<{ query: string; items: PublicProduct[] } | null>;
}

function toMerchantSku(row: store.SkuRow): MerchantSku {
  return {
    id: row.id,
    productId: row.product_id,
    code: row.code,
    attributes: parseAttributes(row.attributes_json),
    imageUrl: row.image_url,
    publicPriceFen: row.public_price_fen,
    stockUnits: row.stock_units,
    costFen: row.cost_fen,
    createdAt: row.created_at,
  };
}

function toMerchantProduct(row: store.ProductRow, skus: store.SkuRow[]): MerchantProduct {
  return {
    id: row.id,
    storeId: row.store_id,
    title: row.title,
    description: row.description,
    imageUrl: row.image_url,
    category: row.category,
    createdAt: row.created_at,
    skus: skus.map(toMerchantSku),
  };
}

function toPublicStore(row: store.StoreRow): PublicStore {
  return { id: row.id, slug: row.slug, name: row.name, description: row.description, logoUrl: row.logo_url };
}

function toPublicProduct(row: store.ProductRow, owner: store.StoreRow, skuRows: store.SkuRow[]): PublicProduct {
  const skus: PublicSku[] = skuRows.map((sku) => ({
    id: sku.id,
    code: sku.code,
    attributes: parseAttributes(sku.attributes_json),
    imageUrl: sku.image_url,
    publicPriceFen: sku.public_price_fen,
    inStock: isInStock(sku.stock_units),
  }));
  return {
    id: row.id,
    storeSlug: owner.slug,
    storeName: owner.name,
    title: row.title,
    description: row.description,
    imageUrl: row.image_url ?? skus.find((s) => s.imageUrl !== null)?.imageUrl ?? null,
    fromPriceFen: fromPriceFen(skus),
    inStock: skus.some((s) => s.inStock),
    skus,
  };
}

function groupByProduct(skus: store.SkuRow[]): Map<string, store.SkuRow[]> {
  const byProduct = new Map<string, store.SkuRow[]>();
  for (const sku of skus) {
    const list = byProduct.get(sku.product_id) ?? [];
    list.push(sku);
    byProduct.set(sku.product_id, list);
  }
  return byProduct;
}

function toSkuForSale(row: Awaited<ReturnType<typeof store.findSkusWithProduct>>[number]): SkuForSale {
  return {
    id: row.id,
    storeId: row.store_id,
    productId: row.product_id,
    productTitle: row.product_title,
    code: row.code,
    publicPriceFen: row.public_price_fen,
    stockUnits: row.stock_units,
  };
}

export function createCatalogService(ctx: AppContext, pricing: PricingService): CatalogService {
  const { db } = ctx;

  async function requireStore(storeId: string): Promise<store.StoreRow> {
    const row = await store.findStoreById(db, storeId);
    if (!row) throw new AppError('NOT_FOUND');
    return row;
  }

  async function publicProducts(rows: store.ProductRow[], owners: Map<string, store.StoreRow>): Promise<PublicProduct[]> {
    const byProduct = groupByProduct(await store.skusOfProducts(db, rows.map((r) => r.id)));
    const products: PublicProduct[] = [];
    for (const row of rows) {
      let owner = owners.get(row.store_id);
      if (!owner) {
        owner = await requireStore(row.store_id);
        owners.set(owner.id, owner);
      }
      products.push(toPublicProduct(row, owner, byProduct.get(row.id) ?? []));
    }
    return products;
  }

  return {
    limits: ctx.config.limits,
    publicBaseUrl: ctx.config.publicBaseUrl,

    async getSkuForSale(skuId) {
      const [row] = await store.findSkusWithProduct(db, [skuId]);
      return row ? toSkuForSale(row) : null;
    },

    async getSkusForOffers(skuIds) {
      const rows = await store.findSkusWithProduct(db, [...new Set(skuIds)]);
      return rows.map((row) => ({
        ...toSkuForSale(row),
        attributes: parseAttributes(row.attributes_json),
        imageUrl: row.image_url ?? row.product_image_url,
      }));
    },

    takeStock: (executor, skuId, units) => store.takeStock(executor, skuId, units),
    returnStock: (executor, skuId, units) => store.returnStock(executor, skuId, units),
    stockOf: (executor, skuId) => store.stockOf(executor, skuId),

    async createProduct(storeId, input, createdBy = null) {
      await requireStore(storeId);
      const issues = checkNewProduct(input, ctx.config.limits.maxSkusPerProduct);
      if (issues.length > 0) throw new AppError('VALIDATION_FAILED', undefined, { issues });
      const nowMs = ctx.clock.nowMs();
      const createdAt = isoUtc(nowMs);
      const product: store.ProductRow = {
        id: newId('prd', nowMs),
        store_id: storeId,
        title: input.title,
        description: input.description ?? '',
        image_url: input.imageUrl ?? null,
        category: (input.category ?? '').trim(),
        created_at: createdAt,
      };
      const skus: store.SkuRow[] = input.skus.map((sku) => ({
        id: newId('sku', nowMs),
        product_id: product.id,
        store_id: storeId,
        code: sku.code,
        attributes_json: JSON.stringify(sku.attributes),
        image_url: sku.imageUrl ?? null,
        public_price_fen: sku.publicPriceFen,
        stock_units: sku.stockUnits,
        cost_fen: sku.costFen ?? null,
        created_at: createdAt,
      }));
      try {
        await db.transaction().execute(async (trx) => {
          const taken = await store.takenSkuCodes(trx, storeId, skus.map((s) => s.code));
          if (taken.length > 0) throw new AppError('ALREADY_EXISTS', `SKU code already used in this store: ${taken.join(', ')}`, { codes: taken });
          await store.insertProduct(trx, product, skus);
          await pricing.recordInitialPrices(trx, skus.map((s) => ({ skuId: s.id, priceFen: s.public_price_fen })), createdBy);
        });
      } catch (err) {
        // Two merchants' sessions racing on one code: the unique constraint decides.
        if (store.isUniqueViolation(err)) throw new AppError('ALREADY_EXISTS', 'SKU code already used in this store');
        throw err;
      }
      return toMerchantProduct(product, skus);
    },

    async listStoreProducts(storeId, limit, cursor) {
      await requireStore(storeId);
      const size = Math.min(limit, PAGE_SIZE_MAX);
      const rows = await store.listProducts(db, storeId, size, cursor);
      const byProduct = groupByProduct(await store.skusOfProducts(db, rows.map((r) => r.id)));
      return {
        items: rows.map((row) => toMerchantProduct(row, byProduct.get(row.id) ?? [])),
        nextCursor: rows.length === size ? rows[rows.length - 1]?.id ?? null : null,
      };
    },

    async updateProduct(storeId, productId, change) {
      return db.transaction().execute(async (trx) => {
        const row = await store.findProductOfStore(trx, storeId, productId);
        if (!row) throw new AppError('NOT_FOUND');
        const updated: store.ProductRow = {
          ...row,
          title: change.title ?? row.title,
          description: change.description ?? row.description,
          category: change.category?.trim() ?? row.category,
        };
        await store.updateProduct(trx, updated);
        return toMerchantProduct(updated, await store.skusOfProducts(trx, [productId]));
      });
    },

    async updateSku(storeId, skuId, change, actor = null) {
      if (change.stockUnits !== undefined && change.stockDeltaUnits !== undefined) {
        throw new AppError('VALIDATION_FAILED', 'Send stockUnits or stockDeltaUnits, not both.', { issues: [{ path: '/stockDeltaUnits', message: 'not with stockUnits' }] });
      }
      if (change.publicPriceFen === undefined && (change.override !== undefined || change.reason !== undefined)) {
        throw new AppError('VALIDATION_FAILED', 'override and reason go with publicPriceFen.', { issues: [{ path: '/publicPriceFen', message: 'required with override or reason' }] });
      }
      return db.transaction().execute(async (trx) => {
        const sku = await store.findSkuOfStore(trx, storeId, skuId);
        if (!sku) throw new AppError('NOT_FOUND');
        if (change.stockUnits !== undefined) await store.setStock(trx, skuId, change.stockUnits);
        if (change.stockDeltaUnits !== undefined && !(await store.changeStock(trx, skuId, change.stockDeltaUnits))) {
          const available = (await store.stockOf(trx, skuId)) ?? 0;
          throw new AppError('INSUFFICIENT_STOCK', undefined, { skuId, requested: -change.stockDeltaUnits, available });
        }
        if (change.publicPriceFen !== undefined) {
          // Write first: on PostgreSQL the row lock then orders this change with an event carving
          // the same SKU's stock, so the lock check below sees any event committed before it.
          await store.setPublicPrice(trx, skuId, change.publicPriceFen);
          await pricing.recordPriceChange(trx, {
            storeId, skuId, fromPriceFen: Number(sku.public_price_fen), toPriceFen: change.publicPriceFen, actor,
            override: change.override ?? false, reason: change.reason ?? '',
          });
        }
        const updated = await store.findSkuOfStore(trx, storeId, skuId);
        if (!updated) throw new Error(`SKU ${skuId} vanished inside its own transaction`);
        return toMerchantSku(updated);
      });
    },

    async findPublicStore(slug) {
      const row = await store.findStoreBySlug(db, slug);
      return row ? toPublicStore(row) : null;
    },

    async listPublicProducts(slug, limit, cursor) {
      const owner = await store.findStoreBySlug(db, slug);
      if (!owner) return null;
      const size = Math.min(limit, PAGE_SIZE_MAX);
      const rows = await store.listProducts(db, owner.id, size, cursor);
      const items = await publicProducts(rows, new Map([[owner.id, owner]]));
      return { store: toPublicStore(owner), items, nextCursor: rows.length === size ? rows[rows.length - 1]?.id ?? null : null };
    },

    async findPublicProduct(productId) {
      const row = await store.findProduct(db, productId);
      if (!row) return null;
      const [product] = await publicProducts([row], new Map());
      return product ?? null;
    },

    async searchPublic(q, storeSlug) {
      const query = normalizeQuery(q);
      let owner: store.StoreRow | undefined;
      if (storeSlug !== undefined) {
        owner = await store.findStoreBySlug(db, storeSlug);
        if (!owner) return null;
      }
      if (query === '') return { query, items: [] };
      const rows = await store.searchProducts(db, containsPattern(query), owner?.id ?? null, SEARCH_RESULTS_MAX);
      return { query, items: await publicProducts(rows, new Map(owner ? [[owner.id, owner]] : [])) };
    },
  };
}

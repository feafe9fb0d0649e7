// The catalog's SQL: stores, products, SKUs and the free store stock they hold. Every function
// takes the executor it runs on, so callers can put several in one transaction.
import { sql, type Selectable } from 'kysely';
import type { Db } from '../platform/db/db.ts';
import type { ProductsTable, SkusTable, StoresTable } from '../platform/db/schema.ts';

export type StoreRow = Selectable<StoresTable>;
export type ProductRow = ProductsTable;
export type SkuRow = SkusTable;

export interface SkuWithProductRow extends SkuRow {
  product_title: string;
  product_image_url: string | null;
}

export async function findStoreById(db: Db, storeId: string): Promise<StoreRow | undefined> {
  return db.selectFrom('stores').selectAll().where('id', '=', storeId).executeTakeFirst();
}

export async function findStoreBySlug(db: Db, slug: string): Promise<StoreRow | undefined> {
  return db.selectFrom('stores').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function insertProduct(db: Db, product: ProductRow, skus: SkuRow[]): Promise<void> {
  await db.insertInto('products').values(product).execute();
  if (skus.length > 0) await db.insertInto('skus').values(skus).execute();
}

/** Which of `codes` a store already uses. */
export async function takenSkuCodes(db: Db, storeId: string, codes: string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const rows = await db.selectFrom('skus').select('code').where('store_id', '=', storeId).where('code', 'in', codes).execute();
  return rows.map((r) => r.code);
}

/** A page of a store's products, newest first; `beforeId` is the last id of the previous page. */
export async function listProducts(db: Db, storeId: string, limit: number, beforeId: string | undefined): Promise<ProductRow[]> {
  let query = db.selectFrom('products').selectAll().where('store_id', '=', storeId);
  if (beforeId !== undefined) query = query.where('id', '<', beforeId);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

export async function findProductOfStore(db: Db, storeId: string, productId: string): Promise<ProductRow | undefined> {
  return db.selectFrom('products').selectAll().where('id', '=', productId).where('store_id', '=', storeId).executeTakeFirst();
}

export async function updateProduct(db: Db, row: ProductRow): Promise<void> {
  await db.updateTable('products').set({ title: row.title, description: row.description, category: row.category }).where('id', '=', row.id).execute();
}

export async function findProduct(db: Db, productId: string): Promise<ProductRow | undefined> {
  return db.selectFrom('products').selectAll().where('id', '=', productId).executeTakeFirst();
}

/** SKUs of the given products, in the order they were created. */
export async function skusOfProducts(db: Db, productIds: string[]): Promise<SkuRow[]> {
  if (productIds.length === 0) return [];
  return db.selectFrom('skus').selectAll().where('product_id', 'in', productIds).orderBy('id').execute();
}

/** Products whose title, description or a SKU code contains the (lower-cased, escaped) pattern. */
export async function searchProducts(db: Db, pattern: string, storeId: string | null, limit: number): Promise<ProductRow[]> {
  let query = db.selectFrom('products').selectAll()
    .where((eb) => eb.or([
      sql<boolean>`lower(products.title) like ${pattern} escape '\\'`,
      sql<boolean>`lower(products.description) like ${pattern} escape '\\'`,
      eb.exists(eb.selectFrom('skus').select(sql`1`.as('one'))
        .whereRef('skus.product_id', '=', 'products.id')
        .where(sql<boolean>`lower(skus.code) like ${pattern} escape '\\'`)),
    ]));
  if (storeId !== null) query = query.where('store_id', '=', storeId);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

export async function findSkusWithProduct(db: Db, skuIds: string[]): Promise<SkuWithProductRow[]> {
  if (skuIds.length === 0) return [];
  return db.selectFrom('skus')
    .innerJoin('products', 'products.id', 'skus.product_id')
    .selectAll('skus')
    .select(['products.title as product_title', 'products.image_url as product_image_url'])
    .where('skus.id', 'in', skuIds)
    .execute();
}

export async function findSkuOfStore(db: Db, storeId: string, skuId: string): Promise<SkuRow | undefined> {
  return db.selectFrom('skus').selectAll().where('id', '=', skuId).where('store_id', '=', storeId).executeTakeFirst();
}

export async function setPublicPrice(db: Db, skuId: string, publicPriceFen: number): Promise<void> {
  await db.updateTable('skus').set({ public_price_fen: publicPriceFen }).where('id', '=', skuId).execute();
}

export async function setStock(db: Db, skuId: string, stockUnits: number): Promise<void> {
  await db.updateTable('skus').set({ stock_units: stockUnits }).where('id', '=', skuId).execute();
}

/** Adds `deltaUnits` (may be negative) unless stock would go below zero; true when applied. */
export async function changeStock(db: Db, skuId: string, deltaUnits: number): Promise<boolean> {
  const result = await db.updateTable('skus')
    .set({ stock_units: sql<number>`stock_units + ${deltaUnits}` })
    .where('id', '=', skuId)
    .where(sql<boolean>`stock_units + ${deltaUnits} >= 0`)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** The one guard against overselling store stock: a conditional decrement, its row count checked. */
export async function takeStock(db: Db, skuId: string, units: number): Promise<boolean> {
  const result = await db.updateTable('skus')
    .set({ stock_units: sql<number>`stock_units - ${units}` })
    .where('id', '=', skuId)
    .where('stock_units', '>=', units)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

export async function returnStock(db: Db, skuId: string, units: number): Promise<void> {
  const result = await db.updateTable('skus')
    .set({ stock_units: sql<number>`stock_units + ${units}` })
    .where('id', '=', skuId)
    .executeTakeFirst();
  if (result.numUpdatedRows !== 1n) throw new Error(`returning stock to missing SKU ${skuId}`);
}

export async function stockOf(db: Db, skuId: string): Promise<number | null> {
  const row = await db.selectFrom('skus').select('stock_units').where('id', '=', skuId).executeTakeFirst();
  return row?.stock_units ?? null;
}

/** A unique constraint refused a row (SQLite and PostgreSQL spell it differently). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

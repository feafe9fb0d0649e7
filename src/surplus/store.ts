// The surplus ranking's SQL: a store's SKUs with free stock, and their paid sales since a time.
import type { Db } from '../platform/db/db.ts';

export interface SkuStockRow {
  sku_id: string;
  product_id: string;
  product_title: string;
  sku_code: string;
  attributes_json: string;
  public_price_fen: number;
  stock_units: number;
  created_at: string;
}

export async function storeExists(db: Db, storeId: string): Promise<boolean> {
  return (await db.selectFrom('stores').select('id').where('id', '=', storeId).executeTakeFirst()) !== undefined;
}

export async function skusWithStock(db: Db, storeId: string, limit: number): Promise<SkuStockRow[]> {
  return db.selectFrom('skus')
    .innerJoin('products', 'products.id', 'skus.product_id')
    .select(['skus.id as sku_id', 'products.id as product_id', 'products.title as product_title', 'skus.code as sku_code',
      'skus.attributes_json', 'skus.public_price_fen', 'skus.stock_units', 'skus.created_at'])
    .where('skus.store_id', '=', storeId)
    .where('skus.stock_units', '>', 0)
    .orderBy('skus.id')
    .limit(limit)
    .execute();
}

/** Units of paid orders per SKU of the store paid at or after `sinceIso` (index orders_store_paid). */
export async function paidUnitsSince(db: Db, storeId: string, sinceIso: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('orders')
    .select(['sku_id', (eb) => eb.fn.sum<number>('quantity').as('units')])
    .where('store_id', '=', storeId)
    .where('paid_at', 'is not', null)
    .where('paid_at', '>=', sinceIso)
    .where('status', '=', 'paid')
    .groupBy('sku_id')
    .execute();
  return new Map(rows.map((r) => [r.sku_id, Number(r.units)]));
}

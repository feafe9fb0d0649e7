// Reviews' SQL: the order a review is about, the review rows, and the public and store lists.
// Rows carry what the screening needs (order kind, prices); the views decide what leaves.
import type { Db } from '../platform/db/db.ts';
import type { OrderKind, OrderStatus, ReviewsTable } from '../platform/db/schema.ts';
import type { Insertable } from 'kysely';

export interface OrderRow {
  id: number;
  store_id: string;
  buyer_id: string;
  kind: OrderKind;
  status: OrderStatus;
  sku_id: string;
  product_id: string;
  quantity: number;
  refunded_units: number;
  unit_price_fen: number;
  total_fen: number;
  delivered_at: string | null;
}

export async function orderForReview(db: Db, orderId: number): Promise<OrderRow | undefined> {
  return db.selectFrom('orders')
    .innerJoin('skus', 'skus.id', 'orders.sku_id')
    .select(['orders.id', 'orders.store_id', 'orders.buyer_id', 'orders.kind', 'orders.status', 'orders.sku_id', 'skus.product_id',
      'orders.quantity', 'orders.refunded_units', 'orders.unit_price_fen', 'orders.total_fen', 'orders.delivered_at'])
    .where('orders.id', '=', orderId)
    .executeTakeFirst();
}

export type NewReviewRow = Insertable<ReviewsTable>;

/** Inserts the order's review; null when the order already has one (UNIQUE order_id, under any race). */
export async function insertReview(db: Db, row: NewReviewRow): Promise<number | null> {
  const inserted = await db.insertInto('reviews').values(row)
    .onConflict((oc) => oc.column('order_id').doNothing())
    .returning('id').executeTakeFirst();
  return inserted ? Number(inserted.id) : null;
}

/** A review with what every view and the screening need. */
export interface ReviewRow {
  id: number;
  order_id: number;
  store_id: string;
  product_id: string;
  product_title: string;
  sku_id: string;
  sku_attributes_json: string;
  buyer_id: string;
  buyer_name: string;
  buyer_mobile: string | null;
  rating: number;
  body: string;
  created_at: string;
  hidden_at: string | null;
  order_kind: OrderKind;
  unit_price_fen: number;
  total_fen: number;
}

function reviewQuery(db: Db) {
  return db.selectFrom('reviews')
    .innerJoin('orders', 'orders.id', 'reviews.order_id')
    .innerJoin('skus', 'skus.id', 'reviews.sku_id')
    .innerJoin('products', 'products.id', 'reviews.product_id')
    .innerJoin('users', 'users.id', 'reviews.buyer_id')
    .select([
      'reviews.id', 'reviews.order_id', 'reviews.store_id', 'reviews.product_id', 'products.title as product_title', 'reviews.sku_id',
      'skus.attributes_json as sku_attributes_json', 'reviews.buyer_id', 'users.display_name as buyer_name', 'users.mobile as buyer_mobile',
      'reviews.rating', 'reviews.body', 'reviews.created_at', 'reviews.hidden_at', 'orders.kind as order_kind', 'orders.unit_price_fen',
      'orders.total_fen',
    ]);
}

export async function reviewOfOrder(db: Db, orderId: number): Promise<ReviewRow | undefined> {
  return reviewQuery(db).where('reviews.order_id', '=', orderId).executeTakeFirst();
}

export async function reviewInStore(db: Db, storeId: string, reviewId: number): Promise<ReviewRow | undefined> {
  return reviewQuery(db).where('reviews.id', '=', reviewId).where('reviews.store_id', '=', storeId).executeTakeFirst();
}

/** A product's reviews shown to the public (not hidden), newest first. */
export async function visibleReviews(db: Db, productId: string, beforeId: number | undefined, limit: number): Promise<ReviewRow[]> {
  let query = reviewQuery(db).where('reviews.product_id', '=', productId).where('reviews.hidden_at', 'is', null);
  if (beforeId !== undefined) query = query.where('reviews.id', '<', beforeId);
  return query.orderBy('reviews.id', 'desc').limit(limit).execute();
}

/** Count and rating sum of a product's reviews shown to the public. */
export async function visibleSummary(db: Db, productId: string): Promise<{ count: number; ratingSum: number }> {
  const row = await db.selectFrom('reviews')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('rating').as('rating_sum')])
    .where('product_id', '=', productId).where('hidden_at', 'is', null)
    .executeTakeFirst();
  return { count: Number(row?.count ?? 0), ratingSum: Number(row?.rating_sum ?? 0) };
}

export async function productExists(db: Db, productId: string): Promise<boolean> {
  return (await db.selectFrom('products').select('id').where('id', '=', productId).executeTakeFirst()) !== undefined;
}

export interface StoreReviewFilter {
  storeId: string;
  hidden?: boolean | undefined;
  productId?: string | undefined;
  beforeId?: number | undefined;
  limit: number;
}

export async function storeReviews(db: Db, filter: StoreReviewFilter): Promise<ReviewRow[]> {
  let query = reviewQuery(db).where('reviews.store_id', '=', filter.storeId);
  if (filter.hidden === true) query = query.where('reviews.hidden_at', 'is not', null);
  if (filter.hidden === false) query = query.where('reviews.hidden_at', 'is', null);
  if (filter.productId !== undefined) query = query.where('reviews.product_id', '=', filter.productId);
  if (filter.beforeId !== undefined) query = query.where('reviews.id', '<', filter.beforeId);
  return query.orderBy('reviews.id', 'desc').limit(filter.limit).execute();
}

/** Hides a review; keeps the first hiding time when it is hidden already. */
export async function hideReview(db: Db, reviewId: number, nowIso: string): Promise<void> {
  await db.updateTable('reviews').set({ hidden_at: nowIso }).where('id', '=', reviewId).where('hidden_at', 'is', null).execute();
}

export async function unhideReview(db: Db, reviewId: number): Promise<void> {
  await db.updateTable('reviews').set({ hidden_at: null }).where('id', '=', reviewId).execute();
}

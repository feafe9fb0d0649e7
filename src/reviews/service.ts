// Reviews: a buyer reviews a delivered order once; the public sees rating, body, a masked name,
// the SKU's attributes and the day, never the price, the order or the sale it came from; the
// merchant sees everything of their store's reviews and may hide or show them again.
import type { AppContext } from '../platform/context.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import {
  averageRating, checkReviewBody, decideReview, decideUnhide, hiddenBy, isValidRating, maskBuyerName, reviewDay, screenReview,
  type HiddenBy, type Screening,
} from './rules.ts';
import * as store from './store.ts';

/** A review as anyone may see it: exactly these fields. */
export interface PublicReview {
  rating: number;
  body: string;
  buyerName: string;
  skuAttributes: Record<string, string>;
  /** Asia/Shanghai day, YYYY-MM-DD. */
  date: string;
}

export interface PublicReviews {
  productId: string;
  averageRating: number | null;
  count: number;
  items: PublicReview[];
  nextBeforeId: number | null;
}

/** The buyer's own review. */
export interface BuyerReview {
  id: number;
  orderId: number;
  productId: string;
  skuId: string;
  rating: number;
  body: string;
  createdAt: string;
  /** False when the screening or the merchant keeps it from the public. */
  isPublic: boolean;
}

/** A review as the store's merchant (and operators) see it. */
export interface StoreReview {
  id: number;
  orderId: number;
  productId: string;
  productTitle: string;
  skuId: string;
  skuAttributes: Record<string, string>;
  buyerName: string;
  rating: number;
  body: string;
  createdAt: string;
  hidden: boolean;
  hiddenAt: string | null;
  hiddenBy: HiddenBy;
  screening: { namesPricePaid: boolean; words: string[] };
}

export interface ReviewsService {
  create(buyerId: string, orderId: number, input: { rating: number; body: string }): Promise<BuyerReview>;
  ofOrder(buyerId: string, orderId: number): Promise<BuyerReview>;
  /** Null for an unknown product. */
  publicReviews(productId: string, page: { beforeId?: number | undefined; limit?: number | undefined }): Promise<PublicReviews | null>;
  storeReviews(storeId: string, filter: Omit<store.StoreReviewFilter, 'storeId' | 'limit'> & { limit?: number | undefined }): Promise<{ items: StoreReview[]; nextBeforeId: number | null }>;
  hide(storeId: string, reviewId: number): Promise<StoreReview>;
  unhide(storeId: string, reviewId: number): Promise<StoreReview>;
}

export const PUBLIC_REVIEWS_PAGE_MAX = 50;
export const STORE_REVIEWS_PAGE_MAX = 200;

function attributesOf(json: string): Record<string, string> {
  const parsed = JSON.parse(json) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function screeningOf(row: store.ReviewRow): Screening {
  return screenReview({ body: row.body, orderKind: row.order_kind, unitPriceFen: row.unit_price_fen, totalFen: row.total_fen });
}

function toPublic(row: store.ReviewRow): PublicReview {
  return {
    rating: row.rating,
    body: row.body,
    buyerName: maskBuyerName(row.buyer_name, row.buyer_mobile),
    skuAttributes: attributesOf(row.sku_attributes_json),
    date: reviewDay(row.created_at),
  };
}

function toBuyer(row: store.ReviewRow): BuyerReview {
  return {
    id: row.id, orderId: row.order_id, productId: row.product_id, skuId: row.sku_id, rating: row.rating, body: row.body,
    createdAt: row.created_at, isPublic: row.hidden_at === null && !screeningOf(row).hides,
  };
}

function toStore(row: store.ReviewRow): StoreReview {
  const screening = screeningOf(row);
  const by = hiddenBy(row.hidden_at, screening);
  return {
    id: row.id, orderId: row.order_id, productId: row.product_id, productTitle: row.product_title, skuId: row.sku_id,
    skuAttributes: attributesOf(row.sku_attributes_json), buyerName: maskBuyerName(row.buyer_name, row.buyer_mobile), rating: row.rating,
    body: row.body, createdAt: row.created_at, hidden: by !== null, hiddenAt: row.hidden_at, hiddenBy: by,
    screening: { namesPricePaid: screening.namesPricePaid, words: screening.words },
  };
}

export function createReviewsService(ctx: AppContext): ReviewsService {
  const { db, clock } = ctx;

  async function inStore(storeId: string, reviewId: number): Promise<store.ReviewRow> {
    const row = await store.reviewInStore(db, storeId, reviewId);
    // Another store's review is answered exactly like a missing one.
    if (!row) throw new AppError('NOT_FOUND');
    return row;
  }

  return {
    async create(buyerId, orderId, input) {
      if (!isValidRating(input.rating)) throw new AppError('VALIDATION_FAILED', 'The rating is a whole number from 1 to 5.');
      const body = checkReviewBody(input.body);
      if (!body.ok) throw new AppError('VALIDATION_FAILED', body.message);
      const order = await store.orderForReview(db, orderId);
      const decision = decideReview(order ? {
        buyerId: order.buyer_id, status: order.status, deliveredAt: order.delivered_at, quantity: order.quantity, refundedUnits: order.refunded_units,
      } : null, buyerId);
      if (!decision.ok) throw new AppError(decision.code, decision.message);
      if (!order) throw new AppError('NOT_FOUND');
      const nowIso = isoUtc(clock.nowMs());
      const screening = screenReview({ body: body.body, orderKind: order.kind, unitPriceFen: order.unit_price_fen, totalFen: order.total_fen });
      const id = await store.insertReview(db, {
        order_id: order.id, store_id: order.store_id, product_id: order.product_id, sku_id: order.sku_id, buyer_id: buyerId,
        rating: input.rating, body: body.body, created_at: nowIso, hidden_at: screening.hides ? nowIso : null,
      });
      if (id === null) throw new AppError('ALREADY_EXISTS', 'This order already has a review.');
      return this.ofOrder(buyerId, orderId);
    },

    async ofOrder(buyerId, orderId) {
      const row = await store.reviewOfOrder(db, orderId);
      if (!row || row.buyer_id !== buyerId) throw new AppError('NOT_FOUND');
      return toBuyer(row);
    },

    async publicReviews(productId, page) {
      if (!(await store.productExists(db, productId))) return null;
      const limit = Math.min(page.limit ?? 20, PUBLIC_REVIEWS_PAGE_MAX);
      const [rows, summary] = await Promise.all([store.visibleReviews(db, productId, page.beforeId, limit), store.visibleSummary(db, productId)]);
      const last = rows.at(-1);
      return {
        productId,
        averageRating: averageRating(summary.ratingSum, summary.count),
        count: summary.count,
        // The screening again on the way out: a word added to the list since a review was written hides it too.
        items: rows.filter((row) => !screeningOf(row).hides).map(toPublic),
        nextBeforeId: rows.length === limit && last ? last.id : null,
      };
    },

    async storeReviews(storeId, filter) {
      const limit = Math.min(filter.limit ?? 50, STORE_REVIEWS_PAGE_MAX);
      const rows = await store.storeReviews(db, { ...filter, storeId, limit });
      const last = rows.at(-1);
      return { items: rows.map(toStore), nextBeforeId: rows.length === limit && last ? last.id : null };
    },

    async hide(storeId, reviewId) {
      const row = await inStore(storeId, reviewId);
      if (row.hidden_at === null) await store.hideReview(db, reviewId, isoUtc(clock.nowMs()));
      return toStore(await inStore(storeId, reviewId));
    },

    async unhide(storeId, reviewId) {
      const row = await inStore(storeId, reviewId);
      const decision = decideUnhide(row.hidden_at, screeningOf(row));
      if (!decision.ok) throw new AppError('CONFLICT', decision.message);
      if (decision.write) await store.unhideReview(db, reviewId);
      return toStore(await inStore(storeId, reviewId));
    },
  };
}

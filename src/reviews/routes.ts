// Reviews HTTP: the buyer's review of an order, the public list of a product's reviews, and the
// store's list with hide/unhide. The public schema declares only rating, body, masked name, SKU
// attributes and day, so nothing else of an order can be serialised by it.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole, requireStoreStaff } from '../platform/auth.ts';
import { AppError } from '../platform/errors.ts';
import { RATING_MAX, RATING_MIN, REVIEW_BODY_MAX_CHARS, REVIEW_BODY_MAX_RAW_CHARS } from './rules.ts';
import { PUBLIC_REVIEWS_PAGE_MAX, STORE_REVIEWS_PAGE_MAX, type ReviewsService } from './service.ts';

const PUBLIC_CACHE = 'public, max-age=30';
const PRIVATE = 'private, no-store';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const OrderParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const StoreParams = Type.Object({ storeId: Id });
const ReviewParams = Type.Object({ storeId: Id, reviewId: Type.Integer({ minimum: 1 }) });
const Attributes = Type.Record(Type.String(), Type.String(), { description: 'The SKU bought, e.g. {"颜色":"黑"}.' });

const PublicReview = Type.Object({
  rating: Type.Integer({ minimum: RATING_MIN, maximum: RATING_MAX }),
  body: Type.String(),
  buyerName: Type.String({ description: 'Masked, e.g. "买家 ***1234" (the last four digits of the mobile).' }),
  skuAttributes: Attributes,
  date: Type.String({ description: 'The day written, Asia/Shanghai (YYYY-MM-DD).' }),
}, { additionalProperties: false });

const BuyerReview = Type.Object({
  id: Type.Integer(),
  orderId: Type.Integer(),
  productId: Type.String(),
  skuId: Type.String(),
  rating: Type.Integer(),
  body: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  isPublic: Type.Boolean({ description: 'False when the screening or the merchant keeps the review from the public.' }),
}, { additionalProperties: false });

const StoreReview = Type.Object({
  id: Type.Integer(),
  orderId: Type.Integer(),
  productId: Type.String(),
  productTitle: Type.String(),
  skuId: Type.String(),
  skuAttributes: Attributes,
  buyerName: Type.String(),
  rating: Type.Integer(),
  body: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  hidden: Type.Boolean(),
  hiddenAt: Type.Union([Type.String(), Type.Null()]),
  hiddenBy: Type.Union([Type.Literal('screening'), Type.Literal('merchant'), Type.Null()], { description: 'screening: the body names the price paid or the hidden sale (cannot be shown again); merchant: hidden by the store.' }),
  screening: Type.Object({ namesPricePaid: Type.Boolean(), words: Type.Array(Type.String()) }),
}, { additionalProperties: false });

export async function reviewsRoutes(app: App, reviews: ReviewsService): Promise<void> {
  app.post('/api/v1/orders/:id/review', {
    schema: {
      tags: ['reviews'],
      summary: 'Reviews one of the calling buyer\'s delivered orders, once.',
      description: `Rating ${RATING_MIN}-${RATING_MAX}, body 1-${REVIEW_BODY_MAX_CHARS} characters after trimming. 409 ALREADY_EXISTS for a second review of the order; 409 CONFLICT before delivery or after a full refund; 404 for another buyer's order. A body naming the price paid or the hidden sale is kept but not shown to the public.`,
      security: [{ bearer: [] }],
      params: OrderParams,
      body: Type.Object({
        rating: Type.Integer({ minimum: RATING_MIN, maximum: RATING_MAX }),
        body: Type.String({ minLength: 1, maxLength: REVIEW_BODY_MAX_RAW_CHARS }),
      }, { additionalProperties: false }),
      response: { 201: BuyerReview, ...errorResponses },
    },
  }, async (request, reply) => {
    const buyer = requireRole(request, 'buyer');
    const review = await reviews.create(buyer.userId, request.params.id, request.body);
    return reply.status(201).header('cache-control', PRIVATE).send(review);
  });

  app.get('/api/v1/orders/:id/review', {
    schema: {
      tags: ['reviews'],
      summary: 'The calling buyer\'s review of one of their orders; 404 when there is none.',
      security: [{ bearer: [] }],
      params: OrderParams,
      response: { 200: BuyerReview, ...errorResponses },
    },
  }, async (request, reply) => {
    const buyer = requireRole(request, 'buyer');
    reply.header('cache-control', PRIVATE);
    return reviews.ofOrder(buyer.userId, request.params.id);
  });

  app.get('/api/v1/public/products/:productId/reviews', {
    schema: {
      tags: ['public'],
      summary: "A product's reviews, newest first, with the average rating and the count of reviews shown.",
      description: 'Each review holds only rating, body, a masked buyer name, the SKU\'s attributes and the day. Page with beforeId = the previous answer\'s nextBeforeId.',
      params: Type.Object({ productId: Id }),
      querystring: Type.Object({
        beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
        limit: Type.Integer({ minimum: 1, maximum: PUBLIC_REVIEWS_PAGE_MAX, default: 20 }),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          productId: Type.String(),
          averageRating: Type.Union([Type.Number(), Type.Null()], { description: 'One decimal; null without reviews.' }),
          count: Type.Integer(),
          items: Type.Array(PublicReview),
          nextBeforeId: Type.Union([Type.Integer(), Type.Null()]),
        }, { additionalProperties: false }),
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const result = await reviews.publicReviews(request.params.productId, request.query);
    if (!result) throw new AppError('NOT_FOUND');
    reply.header('cache-control', PUBLIC_CACHE);
    return result;
  });

  app.get('/api/v1/stores/:storeId/reviews', {
    schema: {
      tags: ['reviews'],
      summary: "The store's reviews, newest first, with order, hidden state and screening (merchant of the store, operator).",
      security: [{ bearer: [] }],
      params: StoreParams,
      querystring: Type.Object({
        hidden: Type.Optional(Type.Boolean()),
        productId: Type.Optional(Id),
        beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
        limit: Type.Integer({ minimum: 1, maximum: STORE_REVIEWS_PAGE_MAX, default: 50 }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(StoreReview), nextBeforeId: Type.Union([Type.Integer(), Type.Null()]) }), ...errorResponses },
    },
  }, async (request, reply) => {
    requireStoreStaff(request, request.params.storeId);
    reply.header('cache-control', PRIVATE);
    return reviews.storeReviews(request.params.storeId, request.query);
  });

  app.post('/api/v1/stores/:storeId/reviews/:reviewId/hide', {
    schema: {
      tags: ['reviews'],
      summary: 'Hides a review from the public (merchant of the store, operator); hiding twice changes nothing.',
      security: [{ bearer: [] }],
      params: ReviewParams,
      response: { 200: StoreReview, ...errorResponses },
    },
  }, async (request, reply) => {
    requireStoreStaff(request, request.params.storeId);
    reply.header('cache-control', PRIVATE);
    return reviews.hide(request.params.storeId, request.params.reviewId);
  });

  app.post('/api/v1/stores/:storeId/reviews/:reviewId/unhide', {
    schema: {
      tags: ['reviews'],
      summary: 'Shows a hidden review again (merchant of the store, operator).',
      description: '409 CONFLICT for a review the screening hides (it names the price paid or the hidden sale).',
      security: [{ bearer: [] }],
      params: ReviewParams,
      response: { 200: StoreReview, ...errorResponses },
    },
  }, async (request, reply) => {
    requireStoreStaff(request, request.params.storeId);
    reply.header('cache-control', PRIVATE);
    return reviews.unhide(request.params.storeId, request.params.reviewId);
  });
}

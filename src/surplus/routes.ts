// Surplus HTTP: a store's SKUs ranked by surplus, for its merchant and operators.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireStoreStaff } from '../platform/auth.ts';
import type { SurplusService } from './service.ts';

/** Most SKUs in one answer. */
export const SURPLUS_PAGE_MAX = 500;

const SurplusSkuSchema = Type.Object({
  skuId: Type.String(),
  productId: Type.String(),
  productTitle: Type.String(),
  skuCode: Type.String(),
  attributes: Type.Record(Type.String(), Type.String()),
  publicPriceFen: Type.Integer(),
  stockUnits: Type.Integer({ description: 'Free store stock.' }),
  soldUnits30d: Type.Integer({ description: 'Units of paid orders (public store and events) in the last 30 days.' }),
  daysOfCover: Type.Union([Type.Number(), Type.Null()], { description: 'Stock / daily sales over 30 days, one decimal; null when nothing sold.' }),
  stockAgeDays: Type.Integer({ description: 'Whole days since the SKU was created.' }),
  createdAt: Type.String({ format: 'date-time' }),
}, { additionalProperties: false });

export async function surplusRoutes(app: App, surplus: SurplusService): Promise<void> {
  app.get('/api/v1/stores/:storeId/skus/surplus', {
    schema: {
      tags: ['catalog'],
      summary: "The store's SKUs with free stock ranked by surplus: no sales first, then most days of cover, most stock, oldest (merchant of the store, operator).",
      security: [{ bearer: [] }],
      params: Type.Object({ storeId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) }),
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: SURPLUS_PAGE_MAX, default: 100 }) }, { additionalProperties: false }),
      response: {
        200: Type.Object({ storeId: Type.String(), windowDays: Type.Integer(), asOf: Type.String({ format: 'date-time' }), items: Type.Array(SurplusSkuSchema) }),
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    requireStoreStaff(request, request.params.storeId);
    reply.header('cache-control', 'private, no-store');
    return surplus.rankStore(request.params.storeId, request.query.limit);
  });
}

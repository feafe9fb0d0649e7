// Pricing HTTP: a SKU's public price history, for its merchant and operators.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole, storeScope } from '../platform/auth.ts';
import { AppError } from '../platform/errors.ts';
import { LATEST_HISTORY_MS, PRICE_HISTORY_MAX, type PricingService } from './service.ts';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

const PricePointSchema = Type.Object({
  priceFen: Type.Integer({ description: 'The public price, integer fen.' }),
  effectiveFrom: Type.String({ format: 'date-time', description: 'In force from here until the next item.' }),
  changedBy: Type.Union([Type.String(), Type.Null()], { description: 'User id; null for rows backfilled at migration.' }),
  reason: Type.String(),
  operatorOverride: Type.Boolean({ description: "True when an operator changed the price while an event locked it." }),
}, { additionalProperties: false });

export async function pricingRoutes(app: App, pricing: PricingService): Promise<void> {
  app.get('/api/v1/stores/:storeId/skus/:skuId/price-history', {
    schema: {
      tags: ['catalog'],
      summary: "A SKU's public price history, oldest first (merchant of the store, or operator).",
      description: `The price in force at \`from\` (default: the beginning) and every change up to \`to\` (default: now); at most ${PRICE_HISTORY_MAX} changes (then truncated is true).`,
      security: [{ bearer: [] }],
      params: Type.Object({ storeId: Id, skuId: Id }),
      querystring: Type.Object({
        from: Type.Optional(Type.String({ format: 'date-time' })),
        to: Type.Optional(Type.String({ format: 'date-time' })),
      }, { additionalProperties: false }),
      response: {
        200: Type.Object({
          skuId: Type.String(),
          publicPriceFen: Type.Integer({ description: 'The price now.' }),
          items: Type.Array(PricePointSchema),
          truncated: Type.Boolean(),
        }, { additionalProperties: false }),
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'merchant', 'operator');
    storeScope(principal, request.params.storeId);
    const fromMs = request.query.from === undefined ? 0 : Date.parse(request.query.from);
    const toMs = request.query.to === undefined ? LATEST_HISTORY_MS : Date.parse(request.query.to);
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs)) throw new AppError('VALIDATION_FAILED');
    reply.header('cache-control', 'private, no-store');
    return pricing.storeSkuPriceHistory(request.params.storeId, request.params.skuId, fromMs, toMs);
  });
}

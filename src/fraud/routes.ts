// Fraud HTTP: operators list and resolve flags (self-purchase, one phone or address through many promoters).
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole } from '../platform/auth.ts';
import { FLAGS_PAGE_MAX, type FraudService } from './service.ts';

const Kind = Type.Union([Type.Literal('self_purchase'), Type.Literal('many_promoters_phone'), Type.Literal('many_promoters_address')]);
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(schema: T) => Type.Union([schema, Type.Null()]);

const Flag = Type.Object({
  id: Type.Integer(),
  kind: Kind,
  eventId: Nullable(Type.String()),
  orderId: Nullable(Type.Integer()),
  promoterId: Nullable(Type.String()),
  buyerId: Nullable(Type.String()),
  detail: Type.Record(Type.String(), Type.Unknown(), { description: 'What raised it (e.g. promoterIds, threshold) and the resolution note.' }),
  createdAt: Type.String({ format: 'date-time' }),
  resolvedAt: Nullable(Type.String()),
  resolvedBy: Nullable(Type.String()),
}, { additionalProperties: false });

export async function fraudRoutes(app: App, fraud: FraudService): Promise<void> {
  app.get('/api/v1/fraud-flags', {
    schema: {
      tags: ['promoters'],
      summary: 'Fraud flags, newest first (operator): self-purchases, and one phone or address buying an event through many promoters.',
      security: [{ bearer: [] }],
      querystring: Type.Object({
        status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])),
        kind: Type.Optional(Kind),
        eventId: Type.Optional(Type.String({ maxLength: 40 })),
        promoterId: Type.Optional(Type.String({ maxLength: 40 })),
        beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
        limit: Type.Integer({ minimum: 1, maximum: FLAGS_PAGE_MAX, default: 100 }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(Flag), nextBeforeId: Type.Union([Type.Integer(), Type.Null()]) }), ...errorResponses },
    },
  }, async (request, reply) => {
    requireRole(request, 'operator');
    reply.header('cache-control', 'private, no-store');
    return fraud.listFlags(request.query);
  });

  app.post('/api/v1/fraud-flags/:flagId/resolve', {
    schema: {
      tags: ['promoters'],
      summary: 'Resolves a flag with a note (operator); resolving again keeps the first resolution.',
      security: [{ bearer: [] }],
      params: Type.Object({ flagId: Type.Integer({ minimum: 1 }) }),
      body: Type.Object({ note: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
      response: { 200: Flag, ...errorResponses },
    },
  }, async (request) => {
    const principal = requireRole(request, 'operator');
    return fraud.resolveFlag(request.params.flagId, principal.userId, request.body.note);
  });
}

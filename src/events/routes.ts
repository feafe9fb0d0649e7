// Events HTTP for staff: creating and cancelling events, reading them with their offers.
// Every response that can carry a clearance price is sent with Cache-Control: private, no-store.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole, storeScope } from '../platform/auth.ts';
import { AppError } from '../platform/errors.ts';
import type { EventsService, EventView } from './service.ts';
import { EVENTS_PAGE_MAX } from './service.ts';
import { EventStatusSchema } from './lifecycle-routes.ts';

const PRIVATE_CACHE = 'private, no-store';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Phase = Type.Union([Type.Literal('warmup'), Type.Literal('live'), Type.Literal('ended')]);
const Status = EventStatusSchema;

const OfferInputSchema = Type.Object({
  skuId: Id,
  clearancePriceFen: Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'Integer fen; must be below the public price.' }),
  allocatedUnits: Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'Units carved out of free store stock.' }),
  perBuyerLimit: Type.Integer({ minimum: 1, maximum: 10_000 }),
  isHero: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

function newEventBody(maxOffers: number) {
  return Type.Object({
    storeId: Id,
    channelId: Id,
    title: Type.String({ minLength: 1, maxLength: 120 }),
    startsAt: Type.String({ format: 'date-time', description: 'ISO-8601 with an offset, e.g. 2026-11-25T10:00:00+08:00.' }),
    endsAt: Type.String({ format: 'date-time', description: 'After startsAt; the window lasts at most 7 days.' }),
    offers: Type.Array(OfferInputSchema, { minItems: 1, maxItems: maxOffers }),
  }, { additionalProperties: false });
}

const OfferSchema = Type.Object({
  id: Type.String(),
  eventId: Type.String(),
  skuId: Type.String(),
  productId: Type.String(),
  productTitle: Type.String(),
  skuCode: Type.String(),
  attributes: Type.Record(Type.String(), Type.String()),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
  publicPriceFen: Type.Integer(),
  clearancePriceFen: Type.Integer({ description: 'Hidden from the public: staff and access holders only.' }),
  allocatedUnits: Type.Integer(),
  reservedUnits: Type.Integer({ description: 'Units held by pending or paid orders.' }),
  perBuyerLimit: Type.Integer(),
  isHero: Type.Boolean(),
  position: Type.Integer(),
}, { additionalProperties: false });

/** Fields every view of an event carries. */
const eventFields = {
  id: Type.String(),
  storeId: Type.String(),
  channelId: Type.String(),
  title: Type.String(),
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
  status: Status,
  phase: Phase,
  allocationReturnedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
};

const EventSchema = Type.Object({
  ...eventFields,
  storeSlug: Type.String(),
  storeName: Type.String(),
  offers: Type.Array(OfferSchema),
}, { additionalProperties: false });

const EventSummarySchema = Type.Object({
  ...eventFields,
  offerCount: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
}, { additionalProperties: false });

const EventParams = Type.Object({ eventId: Id });

export async function eventsRoutes(app: App, events: EventsService): Promise<void> {
  const withPhase = (view: EventView) => ({ ...view, phase: events.phaseOf(view) });

  app.post('/api/v1/events', {
    schema: {
      tags: ['events'],
      summary: 'Create an event with its offers, carving each allocation out of store stock (operator).',
      description: 'All or nothing: INSUFFICIENT_STOCK (409, details {skuId, requested, available}) or PRICE_NOT_BELOW_PUBLIC (400, details {offerIndex, skuId}) write nothing.',
      security: [{ bearer: [] }],
      body: newEventBody(events.maxOffersPerEvent),
      response: { 201: EventSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    requireRole(request, 'operator');
    reply.header('cache-control', PRIVATE_CACHE);
    const view = await events.createEvent(request.body);
    return reply.status(201).send(withPhase(view));
  });

  app.get('/api/v1/events', {
    schema: {
      tags: ['events'],
      summary: "List events, newest first (operator: all, or one store's; merchant: its own store's).",
      security: [{ bearer: [] }],
      querystring: Type.Object({
        storeId: Type.Optional(Id),
        limit: Type.Integer({ minimum: 1, maximum: EVENTS_PAGE_MAX, default: 50 }),
        cursor: Type.Optional(Id),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(EventSummarySchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'merchant');
    let storeId = request.query.storeId ?? null;
    if (principal.role === 'merchant') {
      if (storeId !== null) storeScope(principal, storeId);
      storeId = principal.storeId;
      if (storeId === null) throw new AppError('FORBIDDEN');
    }
    reply.header('cache-control', PRIVATE_CACHE);
    return events.listEvents(storeId, request.query.limit, request.query.cursor);
  });

  app.get('/api/v1/events/:eventId', {
    schema: {
      tags: ['events'],
      summary: 'An event with its offers, clearance prices and reserved units (operator, or the merchant of its store).',
      security: [{ bearer: [] }],
      params: EventParams,
      response: { 200: EventSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'merchant');
    const view = await events.loadEventView(request.params.eventId);
    if (!view) throw new AppError('NOT_FOUND');
    storeScope(principal, view.storeId);
    reply.header('cache-control', PRIVATE_CACHE);
    return withPhase(view);
  });

  app.post('/api/v1/events/:eventId/cancel', {
    schema: {
      tags: ['events'],
      summary: 'Cancel an event before its window opens, returning its allocation to store stock (operator).',
      security: [{ bearer: [] }],
      params: EventParams,
      response: { 200: EventSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator');
    reply.header('cache-control', PRIVATE_CACHE);
    return withPhase(await events.cancelEvent(request.params.eventId, principal.userId));
  });
}

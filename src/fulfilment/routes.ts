// Fulfilment HTTP: the store's orders (its merchant and operators) and the shipping steps. The
// answers carry what buyers paid and where to ship: private, never cached.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole, storeScope } from '../platform/auth.ts';
import { STORE_ORDERS_PAGE_MAX, type FulfilmentService } from './service.ts';

const PRIVATE = 'private, no-store';
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const StoreParams = Type.Object({ storeId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) });
const OrderParams = Type.Object({ storeId: StoreParams.properties.storeId, orderId: Type.Integer({ minimum: 1 }) });
const Status = Type.Union([Type.Literal('pending_payment'), Type.Literal('paid'), Type.Literal('cancelled')]);

const StoreOrder = Type.Object({
  id: Type.Integer(),
  kind: Type.Union([Type.Literal('event'), Type.Literal('public')]),
  status: Status,
  event: Type.Union([Type.Object({ id: Type.String(), title: Type.String() }), Type.Null()]),
  channel: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  promoter: Type.Union([Type.Object({ id: Type.String(), displayName: Type.String() }), Type.Null()], { description: 'The promoter credited with the order (event orders).' }),
  skuId: Type.String(),
  skuCode: Type.String(),
  productTitle: Type.String(),
  quantity: Type.Integer(),
  unitPriceFen: Type.Integer(),
  totalFen: Type.Integer(),
  refundedFen: Type.Integer(),
  address: Type.Record(Type.String(), Type.String(), { description: 'Where to ship: name, mobile, province, city, district, detail.' }),
  createdAt: Type.String({ format: 'date-time' }),
  paidAt: Nullable(Type.String()),
  shippedAt: Nullable(Type.String()),
  deliveredAt: Nullable(Type.String()),
  carrier: Nullable(Type.String()),
  trackingNo: Nullable(Type.String()),
}, { additionalProperties: false });

export async function fulfilmentRoutes(app: App, fulfilment: FulfilmentService): Promise<void> {
  app.get('/api/v1/stores/:storeId/orders', {
    schema: {
      tags: ['fulfilment'],
      summary: "The store's orders, public and event orders alike, newest first (merchant of the store, operator).",
      description: 'Filters combine. `shipping`: to_ship (paid, not shipped), shipped (not yet delivered), delivered. Page with `beforeId` = the previous answer\'s nextBeforeId.',
      security: [{ bearer: [] }],
      params: StoreParams,
      querystring: Type.Object({
        status: Type.Optional(Status),
        kind: Type.Optional(Type.Union([Type.Literal('event'), Type.Literal('public')])),
        eventId: Type.Optional(Type.String({ maxLength: 40 })),
        shipping: Type.Optional(Type.Union([Type.Literal('to_ship'), Type.Literal('shipped'), Type.Literal('delivered')])),
        beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
        limit: Type.Integer({ minimum: 1, maximum: STORE_ORDERS_PAGE_MAX, default: 100 }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(StoreOrder), nextBeforeId: Type.Union([Type.Integer(), Type.Null()]) }), ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'merchant');
    storeScope(principal, request.params.storeId);
    reply.header('cache-control', PRIVATE);
    return fulfilment.listOrders(request.params.storeId, request.query);
  });

  app.post('/api/v1/stores/:storeId/orders/:orderId/ship', {
    schema: {
      tags: ['fulfilment'],
      summary: 'Marks a paid order shipped with its carrier and tracking number (merchant of the store, operator).',
      description: 'Sending the same carrier and number again changes nothing; a correction is allowed until delivery. 409 CONFLICT for an order that is not paid or already delivered.',
      security: [{ bearer: [] }],
      params: OrderParams,
      body: Type.Object({
        carrier: Type.String({ minLength: 1, maxLength: 40, description: 'e.g. 顺丰速运, 中通快递.' }),
        trackingNo: Type.String({ minLength: 4, maxLength: 40, pattern: '^[A-Za-z0-9 -]+$', description: 'Letters and digits; spaces and dashes are dropped.' }),
      }, { additionalProperties: false }),
      response: { 200: StoreOrder, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'merchant');
    storeScope(principal, request.params.storeId);
    reply.header('cache-control', PRIVATE);
    return fulfilment.ship(request.params.storeId, request.params.orderId, request.body.carrier, request.body.trackingNo);
  });

  app.post('/api/v1/stores/:storeId/orders/:orderId/deliver', {
    schema: {
      tags: ['fulfilment'],
      summary: "Records a shipped order's delivery (merchant of the store, operator): the return window starts.",
      description: 'Confirming twice changes nothing. 409 CONFLICT before shipping.',
      security: [{ bearer: [] }],
      params: OrderParams,
      response: { 200: StoreOrder, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'merchant');
    storeScope(principal, request.params.storeId);
    reply.header('cache-control', PRIVATE);
    return fulfilment.deliver(request.params.storeId, request.params.orderId);
  });
}

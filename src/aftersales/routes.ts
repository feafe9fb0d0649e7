// After-sales HTTP: the buyer's refund and return requests, the store's after-sales queue and its
// decisions, the store's return policy. Answers carry what the buyer paid: private, never cached.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole, requireStoreStaff } from '../platform/auth.ts';
import { idempotencyKeyOf } from '../platform/idempotency.ts';
import { REFUND_QUEUE_PAGE_MAX, type AftersalesService } from './service.ts';

const PRIVATE = 'private, no-store';
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);
const RefundId = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_]+$' });
const StoreId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const OrderParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const RefundParams = Type.Object({ id: RefundId });
const StoreParams = Type.Object({ storeId: StoreId });
const StoreRefundParams = Type.Object({ storeId: StoreId, id: RefundId });
const Status = Type.Union([
  Type.Literal('requested'), Type.Literal('approved'), Type.Literal('rejected'), Type.Literal('returned'),
  Type.Literal('refunding'), Type.Literal('refunded'), Type.Literal('cancelled'),
]);

const RefundRequest = Type.Object({
  id: Type.String(),
  orderId: Type.Integer(),
  storeId: Type.String(),
  kind: Type.Union([Type.Literal('before_shipping'), Type.Literal('return')], { description: 'before_shipping: refunded at once; return: approve, ship back, receive.' }),
  status: Status,
  quantity: Type.Integer(),
  amountFen: Type.Integer({ description: 'Expected while open; what is paid back once refunding (the last units of an order take what is left of its total).' }),
  reason: Type.String(),
  decisionReason: Nullable(Type.String()),
  returnCarrier: Nullable(Type.String()),
  returnTrackingNo: Nullable(Type.String()),
  productTitle: Type.String(),
  skuCode: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  refundedAt: Nullable(Type.String()),
}, { additionalProperties: false });

export async function aftersalesRoutes(app: App, aftersales: AftersalesService): Promise<void> {
  app.post('/api/v1/orders/:id/refunds', {
    schema: {
      tags: ['after-sales'],
      summary: 'Buyer: ask for units of a paid order back. Before shipping they are refunded at once (status refunding); after it, a return to be approved.',
      description: 'Idempotency-Key required: a retry replays the first answer. Units of open requests count: 409 REFUND_QUANTITY_EXCEEDED beyond the order\'s quantity; 409 RETURN_WINDOW_CLOSED after the store\'s return days past delivery; 409 ORDER_NOT_REFUNDABLE for an unpaid order.',
      security: [{ bearer: [] }],
      params: OrderParams,
      body: Type.Object({
        quantity: Type.Integer({ minimum: 1, maximum: 99 }),
        reason: Type.String({ minLength: 1, maxLength: 500, description: 'Any reason: returns within the window need no particular one.' }),
      }, { additionalProperties: false }),
      response: { 200: RefundRequest, 201: RefundRequest, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'buyer');
    const key = idempotencyKeyOf(request);
    const result = await aftersales.request(principal.userId, request.params.id, request.body, key);
    reply.header('cache-control', PRIVATE).status(result.statusCode === 201 ? 201 : 200);
    return result.body;
  });

  app.get('/api/v1/orders/:id/refunds', {
    schema: {
      tags: ['after-sales'], summary: "Buyer: the refund and return requests of one's own order, newest first.", security: [{ bearer: [] }],
      params: OrderParams, response: { 200: Type.Object({ items: Type.Array(RefundRequest) }), ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'buyer');
    reply.header('cache-control', PRIVATE);
    return { items: await aftersales.ofOrder(principal.userId, request.params.id) };
  });

  app.post('/api/v1/refunds/:id/return-shipment', {
    schema: {
      tags: ['after-sales'],
      summary: 'Buyer: the carrier and tracking number of goods sent back for an approved return (status returned).',
      description: 'Sending the same again answers the request as it is; 409 REFUND_STEP_NOT_ALLOWED in any other status.',
      security: [{ bearer: [] }],
      params: RefundParams,
      body: Type.Object({
        carrier: Type.String({ minLength: 1, maxLength: 40 }),
        trackingNo: Type.String({ minLength: 4, maxLength: 40, pattern: '^[A-Za-z0-9-]+$' }),
      }, { additionalProperties: false }),
      response: { 200: RefundRequest, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'buyer');
    reply.header('cache-control', PRIVATE);
    return aftersales.shipBack(principal.userId, request.params.id, request.body.carrier, request.body.trackingNo);
  });

  app.post('/api/v1/refunds/:id/cancel', {
    schema: {
      tags: ['after-sales'],
      summary: 'Buyer: withdraw a return before sending the goods back (requested or approved); its units are free again.',
      description: 'Cancelling twice answers the request as it is. A refund before shipping is paid at once and cannot be cancelled.',
      security: [{ bearer: [] }],
      params: RefundParams,
      response: { 200: RefundRequest, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'buyer');
    reply.header('cache-control', PRIVATE);
    return aftersales.cancel(principal.userId, request.params.id);
  });

  app.get('/api/v1/stores/:storeId/refunds', {
    schema: {
      tags: ['after-sales'],
      summary: "The store's after-sales queue, newest first (merchant of the store, operator).",
      description: '`status=open` lists what waits on the store or the buyer (requested, approved, returned). Page with `beforeId` = the previous answer\'s nextBeforeId.',
      security: [{ bearer: [] }],
      params: StoreParams,
      querystring: Type.Object({
        status: Type.Optional(Type.Union([Status, Type.Literal('open')])),
        beforeId: Type.Optional(RefundId),
        limit: Type.Integer({ minimum: 1, maximum: REFUND_QUEUE_PAGE_MAX, default: 50 }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(RefundRequest), nextBeforeId: Nullable(Type.String()) }), ...errorResponses },
    },
  }, async (request, reply) => {
    requireStoreStaff(request, request.params.storeId);
    reply.header('cache-control', PRIVATE);
    return aftersales.queue(request.params.storeId, request.query);
  });

  app.post('/api/v1/stores/:storeId/refunds/:id/approve', {
    schema: {
      tags: ['after-sales'],
      summary: 'Approves a return request (merchant of the store, operator): the buyer may send the goods back.',
      description: 'Approving again answers the request as it is; 409 REFUND_STEP_NOT_ALLOWED once rejected or cancelled.',
      security: [{ bearer: [] }],
      params: StoreRefundParams,
      body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 500, description: 'Shown to the buyer, e.g. where to send the goods.' })) }, { additionalProperties: false }),
      response: { 200: RefundRequest, ...errorResponses },
    },
  }, async (request, reply) => {
    requireStoreStaff(request, request.params.storeId);
    reply.header('cache-control', PRIVATE);
    return aftersales.approve(request.params.storeId, request.params.id, request.body.note);
  });

  app.post('/api/v1/stores/:storeId/refunds/:id/reject', {
    schema: {
      tags: ['after-sales'],
      summary: 'Rejects a return request with a reason (merchant of the store, operator), before the goods are sent back; its units are free again.',
      security: [{ bearer: [] }],
      params: StoreRefundParams,
      body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }),
      response: { 200: RefundRequest, ...errorResponses },
    },
  }, async (request, reply) => {
    requireStoreStaff(request, request.params.storeId);
    reply.header('cache-control', PRIVATE);
    return aftersales.reject(request.params.storeId, request.params.id, request.body.reason);
  });

  app.post('/api/v1/stores/:storeId/refunds/:id/receive', {
    schema: {
      tags: ['after-sales'],
      summary: 'Confirms the returned goods arrived (merchant of the store, operator): refunds the units at once (status refunding) and puts them back in store stock.',
      description: 'Once: a second confirmation answers the request as it is and refunds nothing more.',
      security: [{ bearer: [] }],
      params: StoreRefundParams,
      response: { 200: RefundRequest, ...errorResponses },
    },
  }, async (request, reply) => {
    requireStoreStaff(request, request.params.storeId);
    reply.header('cache-control', PRIVATE);
    return aftersales.receive(request.params.storeId, request.params.id);
  });

  app.patch('/api/v1/stores/:storeId/return-policy', {
    schema: {
      tags: ['after-sales'],
      summary: "Sets the store's return days: how long after delivery a buyer may ask for a return (0-90; merchant of the store, operator).",
      security: [{ bearer: [] }],
      params: StoreParams,
      body: Type.Object({ returnDays: Type.Integer({ minimum: 0, maximum: 90 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ storeId: Type.String(), returnDays: Type.Integer() }), ...errorResponses },
    },
  }, async (request, reply) => {
    requireStoreStaff(request, request.params.storeId);
    reply.header('cache-control', PRIVATE);
    return aftersales.setReturnDays(request.params.storeId, request.body.returnDays);
  });
}

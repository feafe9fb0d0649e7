// Checkout routes: reserve (create an order pending payment), read, cancel, pay.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole } from '../platform/auth.ts';
import { idempotencyKeyOf } from '../platform/idempotency.ts';
import { ACCESS_HEADER } from '../access/view.ts';
import type { AccessService } from '../access/service.ts';
import type { CheckoutService } from './service.ts';
import type { OrderRecord } from './store.ts';
import { checkoutPages } from './pages.ts';

export const Address = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 50, description: 'Recipient name.' }),
  mobile: Type.String({ pattern: '^1[3-9][0-9]{9}$', description: 'Mainland mobile number, 11 digits.' }),
  province: Type.String({ minLength: 1, maxLength: 30 }),
  city: Type.String({ minLength: 1, maxLength: 30 }),
  district: Type.String({ minLength: 1, maxLength: 30 }),
  detail: Type.String({ minLength: 1, maxLength: 200 }),
}, { additionalProperties: false });

const ReserveBody = Type.Object({
  offerId: Type.Optional(Type.String({ maxLength: 40, description: 'An event offer (needs access to its event).' })),
  skuId: Type.Optional(Type.String({ maxLength: 40, description: 'A SKU bought in the public store at its public price.' })),
  quantity: Type.Integer({ minimum: 1, maximum: 99 }),
  address: Address,
  joinMembership: Type.Optional(Type.Boolean({ default: false, description: "The buyer's explicit consent to join the store's membership when the order is paid; off unless sent true." })),
}, { additionalProperties: false });

const Reserved = Type.Object({
  id: Type.Integer(),
  status: Type.Literal('pending_payment'),
  kind: Type.Union([Type.Literal('event'), Type.Literal('public')]),
  storeId: Type.String(),
  eventId: Type.Union([Type.String(), Type.Null()]),
  offerId: Type.Union([Type.String(), Type.Null()]),
  skuId: Type.String(),
  productTitle: Type.String(),
  quantity: Type.Integer(),
  unitPriceFen: Type.Integer(),
  totalFen: Type.Integer(),
  payDeadline: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
});

const Order = Type.Object({
  id: Type.Integer(),
  status: Type.Union([Type.Literal('pending_payment'), Type.Literal('paid'), Type.Literal('cancelled')]),
  kind: Type.Union([Type.Literal('event'), Type.Literal('public')]),
  storeId: Type.String(),
  storeName: Type.String(),
  eventId: Type.Union([Type.String(), Type.Null()]),
  offerId: Type.Union([Type.String(), Type.Null()]),
  skuId: Type.String(),
  productTitle: Type.String(),
  skuCode: Type.String(),
  quantity: Type.Integer(),
  unitPriceFen: Type.Integer(),
  totalFen: Type.Integer(),
  payDeadline: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
  paidAt: Type.Union([Type.String(), Type.Null()]),
  cancelledAt: Type.Union([Type.String(), Type.Null()]),
  cancelReason: Type.Union([Type.String(), Type.Null()]),
  address: Address,
  shippedAt: Type.Union([Type.String(), Type.Null()]),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
  carrier: Type.Union([Type.String(), Type.Null()], { description: 'The carrier, once shipped (e.g. 顺丰速运).' }),
  trackingNo: Type.Union([Type.String(), Type.Null()]),
  refundedFen: Type.Integer({ description: 'Refunded so far, in fen.' }),
});

const Payment = Type.Object({
  paymentId: Type.String(),
  provider: Type.String(),
  payUrl: Type.String({ description: "Where the buyer confirms the payment (the provider's cashier)." }),
  amountFen: Type.Integer(),
  status: Type.String(),
});

const OrderParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const idempotencyHeader = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 128, description: 'Required. Unique per intended action; retries reuse it.' })) });

function orderView(order: OrderRecord) {
  const { buyerId: _buyer, promoterId: _promoter, ...view } = order;
  return view as typeof view & { address: { name: string; mobile: string; province: string; city: string; district: string; detail: string } };
}

export async function checkoutRoutes(app: App, checkout: CheckoutService, access: AccessService): Promise<void> {
  app.post('/api/v1/orders', {
    schema: {
      tags: ['checkout'],
      summary: 'Reserves units and creates an order pending payment (deadline: the payment window).',
      description: 'Event offers need access (cookie from a link/code, or the X-Hushsale-Access header). Refusals: SOLD_OUT, LIMIT_REACHED, WINDOW_NOT_OPEN, WINDOW_CLOSED, ACCESS_MISSING (all 4xx). A retry with the same Idempotency-Key replays the first answer (200).',
      security: [{ bearer: [] }],
      headers: idempotencyHeader,
      body: ReserveBody,
      response: { 200: Reserved, 201: Reserved, ...errorResponses },
    },
  }, async (request, reply) => {
    const buyer = requireRole(request, 'buyer');
    const idempotencyKey = idempotencyKeyOf(request);
    const { offerId, skuId, quantity, address, joinMembership } = request.body;
    const headerToken = request.headers[ACCESS_HEADER];
    const result = await checkout.reserve({
      buyerId: buyer.userId, idempotencyKey, quantity, address, joinMembership: joinMembership === true,
      ...(offerId !== undefined ? { offerId } : {}),
      ...(skuId !== undefined ? { skuId } : {}),
      accessTokenFor: (eventId) => (typeof headerToken === 'string' && headerToken ? headerToken : request.cookies[access.accessCookieName(eventId)]),
    });
    reply.header('cache-control', 'private, no-store').status(result.statusCode === 201 ? 201 : 200);
    return result.order;
  });

  app.get('/api/v1/orders', {
    schema: { tags: ['checkout'], summary: "The calling buyer's orders, newest first.", security: [{ bearer: [] }], response: { 200: Type.Object({ orders: Type.Array(Order) }), ...errorResponses } },
  }, async (request, reply) => {
    const buyer = requireRole(request, 'buyer');
    reply.header('cache-control', 'private, no-store');
    return { orders: (await checkout.orders(buyer.userId)).map(orderView) };
  });

  app.get('/api/v1/orders/:id', {
    schema: { tags: ['checkout'], summary: 'One of the calling buyer\'s orders.', security: [{ bearer: [] }], params: OrderParams, response: { 200: Order, ...errorResponses } },
  }, async (request, reply) => {
    const buyer = requireRole(request, 'buyer');
    reply.header('cache-control', 'private, no-store');
    return orderView(await checkout.order(buyer.userId, request.params.id));
  });

  app.post('/api/v1/orders/:id/cancel', {
    schema: { tags: ['checkout'], summary: 'Cancels an order awaiting payment; its units go back at once.', security: [{ bearer: [] }], params: OrderParams, response: { 200: Order, ...errorResponses } },
  }, async (request, reply) => {
    const buyer = requireRole(request, 'buyer');
    reply.header('cache-control', 'private, no-store');
    return orderView(await checkout.cancel(buyer.userId, request.params.id));
  });

  app.post('/api/v1/orders/:id/pay', {
    schema: {
      tags: ['checkout'],
      summary: 'Starts paying an order: returns the provider cashier URL. The order becomes paid when the provider\'s signed notification arrives.',
      security: [{ bearer: [] }],
      params: OrderParams,
      headers: idempotencyHeader,
      body: Type.Optional(Type.Object({ provider: Type.Optional(Type.Union([Type.Literal('sandbox')], { default: 'sandbox' })) }, { additionalProperties: false })),
      response: { 200: Payment, ...errorResponses },
    },
  }, async (request, reply) => {
    const buyer = requireRole(request, 'buyer');
    const idempotencyKey = idempotencyKeyOf(request);
    reply.header('cache-control', 'private, no-store');
    return checkout.pay(buyer.userId, request.params.id, request.body?.provider ?? 'sandbox', idempotencyKey);
  });

  await checkoutPages(app, checkout);
}

// Customers HTTP: a store's members and their export (merchant, operator), an event's new buyers
// and backflow (merchant of the event's store, operator), and a buyer's own memberships.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole, requireStoreStaff } from '../platform/auth.ts';
import { contentTypeOf, XLSX_TYPE } from '../platform/tables.ts';
import { MEMBERS_EXPORT_MAX, MEMBERS_PAGE_MAX, type CustomersService } from './service.ts';

const PRIVATE = 'private, no-store';
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(schema: T) => Type.Union([schema, Type.Null()]);

const Member = Type.Object({
  storeId: Type.String(),
  storeName: Type.String(),
  buyerId: Type.String(),
  displayName: Type.String(),
  mobile: Nullable(Type.String({ description: 'The verified mobile number, shared by joining.' })),
  joinedAt: Type.String({ format: 'date-time' }),
  source: Type.Object({
    orderId: Nullable(Type.Integer()),
    eventId: Nullable(Type.String()),
    eventTitle: Nullable(Type.String()),
    promoterId: Nullable(Type.String()),
    promoterName: Nullable(Type.String()),
  }, { description: 'The order that brought the buyer in, with its event and promoter (null for a public-store order).' }),
}, { additionalProperties: false });

const Cursor = Type.Object({ joinedAt: Type.String(), buyerId: Type.String() });
const Window = Type.Object({ days: Type.Integer(), buyers: Type.Integer(), orders: Type.Integer(), gmvFen: Type.Integer() });

export async function customersRoutes(app: App, customers: CustomersService): Promise<void> {
  app.get('/api/v1/stores/:storeId/members', {
    schema: {
      tags: ['customers'],
      summary: "The store's members, newest first, with where each came from (merchant of the store, operator).",
      description: 'Page with beforeJoinedAt + beforeBuyerId from the previous answer\'s next.',
      security: [{ bearer: [] }],
      params: Type.Object({ storeId: Id }),
      querystring: Type.Object({
        limit: Type.Integer({ minimum: 1, maximum: MEMBERS_PAGE_MAX, default: 100 }),
        beforeJoinedAt: Type.Optional(Type.String({ format: 'date-time' })),
        beforeBuyerId: Type.Optional(Id),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(Member), next: Type.Union([Cursor, Type.Null()]) }), ...errorResponses },
    },
  }, async (request, reply) => {
    requireStoreStaff(request, request.params.storeId);
    const { limit, beforeJoinedAt, beforeBuyerId } = request.query;
    reply.header('cache-control', PRIVATE);
    return customers.members(request.params.storeId, limit, beforeJoinedAt !== undefined && beforeBuyerId !== undefined ? { joinedAt: beforeJoinedAt, buyerId: beforeBuyerId } : undefined);
  });

  app.get('/api/v1/stores/:storeId/members/export', {
    schema: {
      tags: ['customers'],
      summary: `The store's members as CSV or XLSX (at most ${MEMBERS_EXPORT_MAX}; merchant of the store, operator).`,
      security: [{ bearer: [] }],
      params: Type.Object({ storeId: Id }),
      querystring: Type.Object({
        format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')], { default: 'csv' }),
        lang: Type.Union([Type.Literal('en'), Type.Literal('zh')], { default: 'en' }),
      }, { additionalProperties: false }),
      response: {
        200: { description: 'The members, as an attachment.', content: { 'text/csv': { schema: Type.String() }, [XLSX_TYPE]: { schema: Type.String({ format: 'binary' }) } } },
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    requireStoreStaff(request, request.params.storeId);
    const { format, lang } = request.query;
    const table = await customers.exportMembers(request.params.storeId, format, lang);
    return reply.header('cache-control', PRIVATE).header('content-disposition', `attachment; filename="members.${format}"`)
      .header('x-row-count', String(table.rows)).type(contentTypeOf(format))
      // The declared content is the file itself; send its bytes.
      .send(table.bytes as unknown as string);
  });

  app.get('/api/v1/events/:eventId/customers', {
    schema: {
      tags: ['customers'],
      summary: "An event's buyers: how many were new to the store (no order in the 365 days before), per promoter, and how many came back to the public store within 30 and 90 days (merchant of the event's store, operator).",
      security: [{ bearer: [] }],
      params: Type.Object({ eventId: Id }),
      response: {
        200: Type.Object({
          eventId: Type.String(),
          buyers: Type.Integer({ description: 'Distinct buyers with a paid order in the event.' }),
          newBuyers: Type.Integer(),
          newShareBp: Type.Integer({ description: 'newBuyers / buyers in basis points, rounded down.' }),
          byPromoter: Type.Array(Type.Object({ promoterId: Type.String(), displayName: Type.String(), buyers: Type.Integer(), newBuyers: Type.Integer(), newShareBp: Type.Integer() })),
          backflow: Type.Array(Window, { description: 'New buyers of the event who bought in the public store within 30 and 90 days after their first event order, and for how much (paid less refunds).' }),
          asOf: Type.String({ format: 'date-time' }),
        }),
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'merchant');
    reply.header('cache-control', PRIVATE);
    return customers.eventCustomers(principal, request.params.eventId);
  });

  app.get('/api/v1/me/memberships', {
    schema: {
      tags: ['customers'],
      summary: "The stores whose membership the calling buyer joined.",
      security: [{ bearer: [] }],
      response: { 200: Type.Object({ items: Type.Array(Member) }), ...errorResponses },
    },
  }, async (request, reply) => {
    const buyer = requireRole(request, 'buyer');
    reply.header('cache-control', PRIVATE);
    return { items: await customers.membershipsOf(buyer.userId) };
  });

  app.delete('/api/v1/me/memberships/:storeId', {
    schema: {
      tags: ['customers'],
      summary: "Leaves a store's membership (the buyer); the store no longer lists them.",
      security: [{ bearer: [] }],
      params: Type.Object({ storeId: Id }),
      response: { 200: Type.Object({ left: Type.Boolean() }), ...errorResponses },
    },
  }, async (request) => {
    const buyer = requireRole(request, 'buyer');
    await customers.leave(buyer.userId, request.params.storeId);
    return { left: true };
  });
}

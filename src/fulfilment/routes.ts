// Fulfilment HTTP: the store's orders (its merchant and operators) and the shipping steps. The
// answers carry what buyers paid and where to ship: private, never cached.
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireStoreStaff } from '../platform/auth.ts';
import { AppError } from '../platform/errors.ts';
import { IMPORT_LINES_MAX, SHEET_ROWS_MAX, STORE_ORDERS_PAGE_MAX, type FulfilmentService } from './service.ts';
import { SHEET_COLUMNS, XLSX_TYPE } from './sheet.ts';

/** An imported sheet may be larger than a JSON body. */
const IMPORT_BODY_BYTES = 8 * 1024 * 1024;

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
    requireStoreStaff(request, request.params.storeId);
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
    requireStoreStaff(request, request.params.storeId);
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
    requireStoreStaff(request, request.params.storeId);
    reply.header('cache-control', PRIVATE);
    return fulfilment.deliver(request.params.storeId, request.params.orderId);
  });

  app.get('/api/v1/stores/:storeId/shipments', {
    schema: {
      tags: ['fulfilment'],
      summary: 'The shipping sheet: paid orders with address, SKU and quantity, as CSV or XLSX (merchant of the store, operator).',
      description: `Columns: ${SHEET_COLUMNS.map((c) => `${c.key} (${c.zh})`).join(', ')}. Fill carrier and trackingNo and import the same file. At most ${SHEET_ROWS_MAX} orders, oldest first; lang=zh writes Chinese headers. CSV is UTF-8 with a BOM.`,
      security: [{ bearer: [] }],
      params: StoreParams,
      querystring: Type.Object({
        format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')], { default: 'csv' }),
        shipping: Type.Union([Type.Literal('to_ship'), Type.Literal('shipped'), Type.Literal('delivered')], { default: 'to_ship' }),
        eventId: Type.Optional(Type.String({ maxLength: 40 })),
        lang: Type.Union([Type.Literal('en'), Type.Literal('zh')], { default: 'en' }),
      }, { additionalProperties: false }),
      response: {
        200: {
          description: 'The sheet, as an attachment.',
          content: { 'text/csv': { schema: Type.String() }, [XLSX_TYPE]: { schema: Type.String({ format: 'binary' }) } },
        },
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    requireStoreStaff(request, request.params.storeId);
    const { format, shipping, eventId, lang } = request.query;
    const sheet = await fulfilment.exportShipments(request.params.storeId, { format, shipping, eventId, lang });
    return reply
      .header('cache-control', PRIVATE)
      .header('content-disposition', `attachment; filename="shipments-${shipping}.${format}"`)
      .header('x-row-count', String(sheet.rows))
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE)
      // The declared content is the file itself (a string schema for the document); send its bytes.
      .send(sheet.bytes as unknown as string);
  });

  await app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    // The sheet arrives as the raw file; these parsers exist only for this route's scope.
    scope.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: IMPORT_BODY_BYTES }, (_req, body, done) => done(null, body));
    scope.addContentTypeParser(XLSX_TYPE, { parseAs: 'buffer', bodyLimit: IMPORT_BODY_BYTES }, (_req, body, done) => done(null, body));
    // No route bodyLimit: it would lift the JSON limit too; the two parsers carry their own.
    scope.post('/api/v1/stores/:storeId/shipments/import', {
      schema: {
        tags: ['fulfilment'],
        summary: 'Imports tracking numbers from the shipping sheet (CSV or XLSX body; merchant of the store, operator).',
        description: `Send the file as the body with Content-Type text/csv or ${XLSX_TYPE}. Each line is applied or reported with its reason; lines without carrier and trackingNo are skipped; importing the same file again changes nothing (unchanged). At most ${IMPORT_LINES_MAX} lines, 8 MB.`,
        security: [{ bearer: [] }],
        params: StoreParams,
        response: {
          200: Type.Object({
            applied: Type.Integer(),
            unchanged: Type.Integer(),
            skipped: Type.Integer(),
            errors: Type.Integer(),
            lines: Type.Array(Type.Object({
              line: Type.Integer({ description: 'Line of the file; the header is line 1.' }),
              orderId: Type.Union([Type.Integer(), Type.Null()]),
              outcome: Type.Union([Type.Literal('applied'), Type.Literal('unchanged'), Type.Literal('skipped'), Type.Literal('error')]),
              reason: Type.Optional(Type.String()),
            })),
          }),
          ...errorResponses,
        },
      },
    }, async (request, reply) => {
      requireStoreStaff(request, request.params.storeId);
      const body = request.body;
      if (!Buffer.isBuffer(body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE');
      const format = String(request.headers['content-type']).startsWith('text/csv') ? 'csv' : 'xlsx';
      reply.header('cache-control', PRIVATE);
      return fulfilment.importShipments(request.params.storeId, body, format);
    });
  });
}

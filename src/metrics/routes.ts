// Metrics HTTP: an event's figures (its merchant, operators), a store's period (its merchant,
// operators), a channel's events (operators), and the event's live stream (server-sent events).
// Every answer carries sales figures: private, never cached.
import { Type, type TSchema } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole, requireStoreStaff } from '../platform/auth.ts';
import { PERIOD_DAYS_MAX, TOP_PROMOTERS_MAX, type MetricsService } from './service.ts';
import type { MetricsStreamHub } from './stream.ts';

const PRIVATE = 'private, no-store';
/** Bytes queued on one stream before its client counts as not reading. */
const STREAM_BUFFER_BYTES_MAX = 256 * 1024;
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: "An Asia/Shanghai day, 'YYYY-MM-DD'." });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Bp = (description: string) => Nullable(Type.Integer({ description: `${description} In basis points (10000 = 100%), rounded down; null when the denominator is 0.` }));

const Tally = {
  orders: Type.Integer({ description: 'Paid orders (refunded ones included).' }),
  units: Type.Integer({ description: 'Units of paid orders less refunded units.' }),
  gmvFen: Type.Integer({ description: 'Paid totals less refunds, in fen.' }),
};
const TallySchema = Type.Object(Tally, { additionalProperties: false });
const Hour = Type.Object({
  startsAt: Type.String({ format: 'date-time', description: 'UTC instant the hour starts.' }),
  shanghaiHour: Type.String({ description: "The hour on an Asia/Shanghai clock, 'YYYY-MM-DD HH:00'." }),
  ...Tally,
}, { additionalProperties: false });
const NewCustomers = Type.Object({
  buyers: Type.Integer({ description: 'Distinct buyers with a paid order.' }),
  knownBuyers: Type.Integer({ description: 'Of them, buyers whose new-customer mark is known (unknown ones are left out of the share).' }),
  newBuyers: Type.Integer({ description: 'Of the known, buyers new to the store (no order there in the 365 days before).' }),
  shareBp: Bp('newBuyers / knownBuyers.'),
}, { additionalProperties: false });
const Offer = Type.Object({
  offerId: Type.String(),
  skuId: Type.String(),
  skuCode: Type.String(),
  productTitle: Type.String(),
  isHero: Type.Boolean(),
  allocatedUnits: Type.Integer({ description: 'The allocation (as it was before the end gave unsold units back).' }),
  soldUnits: Type.Integer({ description: 'Units of paid orders less refunded units.' }),
  pendingUnits: Type.Integer({ description: 'Units held by orders pending payment.' }),
  sellThroughBp: Bp('soldUnits / allocatedUnits.'),
  orders: Type.Integer(),
  gmvFen: Type.Integer(),
  soldOutAt: Nullable(Type.String({ format: 'date-time', description: 'paid_at of the order whose paid units (as paid) reached the allocation.' })),
  secondsToSellOut: Nullable(Type.Integer({ description: "From the event's start to soldOutAt; null when not sold out." })),
}, { additionalProperties: false });
const Promoter = Type.Object({
  rank: Type.Integer({ description: '1-based by paid GMV; equal GMV shares a rank.' }),
  promoterId: Type.String(),
  displayName: Type.String(),
  ...Tally,
  newCustomers: NewCustomers,
}, { additionalProperties: false });
const PriceEvidence = Type.Object({
  skuId: Type.String(),
  isFlat: Type.Boolean({ description: 'The public price stayed one value through the window (invariant 7).' }),
  changes: Type.Integer({ description: 'Changes of the public price inside the window.' }),
  hasOperatorOverride: Type.Boolean({ description: "A change inside the window was an operator's override of the lock." }),
  items: Type.Array(Type.Object({
    priceFen: Type.Integer(),
    effectiveFrom: Type.String({ format: 'date-time' }),
    reason: Type.String(),
    operatorOverride: Type.Boolean(),
  }, { additionalProperties: false }), { description: 'The public price in force at the start, then every change until the end.' }),
}, { additionalProperties: false });

const EventMetrics = Type.Object({
  eventId: Type.String(),
  title: Type.String(),
  storeId: Type.String(),
  channelId: Type.String(),
  status: Type.String(),
  startsAt: Type.String({ format: 'date-time' }),
  endsAt: Type.String({ format: 'date-time' }),
  asOf: Type.String({ format: 'date-time' }),
  totals: Type.Object({ ...Tally, buyers: Type.Integer() }, { additionalProperties: false }),
  hours: Type.Array(Hour, { description: 'Every Asia/Shanghai hour of the window (zero when nothing sold), and any hour after it in which an order was paid.' }),
  offers: Type.Array(Offer),
  storeDay: Type.Object({
    day: Type.String({ description: "The Asia/Shanghai day of the event's start." }),
    eventGmvFen: Type.Integer({ description: "The event's GMV paid that day." }),
    storeGmvFen: Type.Integer({ description: "All the store's paid GMV that day, public store and events." }),
    shareBp: Bp('eventGmvFen / storeGmvFen.'),
  }, { additionalProperties: false }),
  newCustomers: NewCustomers,
  promoterCount: Type.Integer({ description: 'Promoters with at least one paid order.' }),
  topPromoters: Type.Array(Promoter),
  publicPrices: Type.Array(PriceEvidence),
}, { additionalProperties: false });

const Period = Type.Object({ from: Type.Optional(Day), to: Type.Optional(Day) }, { additionalProperties: false });
const periodText = `Asia/Shanghai days, both ends included; by default the 30 days ending today; at most ${PERIOD_DAYS_MAX} days.`;

const StoreMetrics = Type.Object({
  storeId: Type.String(),
  from: Type.String(),
  to: Type.String(),
  asOf: Type.String({ format: 'date-time' }),
  days: Type.Array(Type.Object({ day: Type.String(), public: TallySchema, events: TallySchema, total: TallySchema }, { additionalProperties: false })),
  totals: Type.Object({ public: TallySchema, events: TallySchema, total: TallySchema }, { additionalProperties: false }),
  events: Type.Array(Type.Object({
    eventId: Type.String(), title: Type.String(), channelId: Type.String(), status: Type.String(),
    startsAt: Type.String({ format: 'date-time' }), endsAt: Type.String({ format: 'date-time' }), ...Tally,
  }, { additionalProperties: false }), { description: "The store's events starting in the period, with all their paid sales." }),
  eventsTruncated: Type.Boolean(),
  newCustomers: NewCustomers,
}, { additionalProperties: false });

const ChannelMetrics = Type.Object({
  channelId: Type.String(),
  from: Type.String(),
  to: Type.String(),
  asOf: Type.String({ format: 'date-time' }),
  events: Type.Array(Type.Object({
    eventId: Type.String(), title: Type.String(), storeId: Type.String(), status: Type.String(),
    startsAt: Type.String({ format: 'date-time' }), endsAt: Type.String({ format: 'date-time' }), ...Tally,
    allocatedUnits: Type.Integer(), sellThroughBp: Bp('units / allocatedUnits.'), newCustomers: NewCustomers,
  }, { additionalProperties: false })),
  eventsTruncated: Type.Boolean(),
}, { additionalProperties: false });

export async function metricsRoutes(app: App, metrics: MetricsService, hub: MetricsStreamHub): Promise<void> {
  // Streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => hub.close());

  app.get('/api/v1/events/:eventId/metrics', {
    schema: {
      tags: ['metrics'],
      summary: "An event's figures: GMV, orders and units by Asia/Shanghai hour, sell-through and time to sell out per offer, share of the store's day, new customers, top promoters, public price evidence (the event's merchant, operators).",
      description: 'See docs/metrics.md for each definition.',
      security: [{ bearer: [] }],
      params: Type.Object({ eventId: Id }),
      querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: TOP_PROMOTERS_MAX, default: 10, description: 'Top promoters listed.' }) }, { additionalProperties: false }),
      response: { 200: EventMetrics, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'merchant');
    reply.header('cache-control', PRIVATE);
    return metrics.eventMetrics(principal, request.params.eventId, request.query.limit);
  });

  app.get('/api/v1/events/:eventId/metrics/stream', {
    schema: {
      tags: ['metrics'],
      summary: "An event's live summary as server-sent events: a `metrics` event at once and within seconds of every paid order (the event's merchant, operators).",
      description: `Each \`metrics\` event's data is JSON: asOf, totals, per-offer sold, pending and sell-through, lastHour (the Asia/Shanghai hour in progress). A \`: keep-alive\` comment comes every ~15 s; \`retry:\` tells browsers when to reconnect. A client that does not send \`Accept: text/event-stream\`, or sends \`once=1\`, gets one event and the response ends. 503 STREAM_LIMIT_REACHED when too many streams are open.`,
      security: [{ bearer: [] }],
      params: Type.Object({ eventId: Id }),
      querystring: Type.Object({ once: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0')], { description: '1: one event, then the response ends.' })) }, { additionalProperties: false }),
      response: {
        200: { description: 'text/event-stream frames.', content: { 'text/event-stream': { schema: Type.String() } } },
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator', 'merchant');
    const { eventId } = request.params;
    // Every refusal happens here, before the response is taken over: 401/403/404/503 are plain JSON.
    await metrics.authorizeEvent(principal, eventId);
    const live = request.query.once !== '1' && (request.headers.accept ?? '').includes('text/event-stream');
    // Taken over, the response skips Fastify's header writing: carry the headers hooks set (request id, helmet's).
    const headers: Record<string, string | string[]> = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': PRIVATE, 'x-accel-buffering': 'no' };
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined && !(name in headers)) headers[name] = Array.isArray(value) ? value : String(value);
    }
    if (!live) {
      const frame = await hub.snapshot(eventId);
      reply.hijack();
      reply.raw.writeHead(200, headers);
      reply.raw.end(frame);
      return;
    }
    const raw = reply.raw;
    const sink = {
      // A client whose buffer holds more than a few frames is not reading: drop it.
      write: (frame: string) => !raw.destroyed && raw.writableLength < STREAM_BUFFER_BYTES_MAX && (raw.write(frame), true),
      end: () => { if (!raw.writableEnded) raw.end(); },
    };
    // The limits too, and nothing awaits between this check and the subscription below.
    hub.assertRoom(eventId);
    reply.hijack();
    raw.writeHead(200, headers);
    const unsubscribe = hub.subscribe(eventId, sink);
    raw.on('close', unsubscribe);
  });

  app.get('/api/v1/stores/:storeId/metrics', {
    schema: {
      tags: ['metrics'],
      summary: "A store's sales per Asia/Shanghai day, public store and events apart, its events in the period with their GMV, and new customers (merchant of the store, operators).",
      description: periodText,
      security: [{ bearer: [] }],
      params: Type.Object({ storeId: Id }),
      querystring: Period,
      response: { 200: StoreMetrics, ...errorResponses },
    },
  }, async (request, reply) => {
    requireStoreStaff(request, request.params.storeId);
    reply.header('cache-control', PRIVATE);
    return metrics.storeMetrics(request.params.storeId, request.query);
  });

  app.get('/api/v1/channels/:channelId/metrics', {
    schema: {
      tags: ['metrics'],
      summary: "A channel's events starting in the period with GMV, orders, units, sell-through and new customers (operators).",
      description: periodText,
      security: [{ bearer: [] }],
      params: Type.Object({ channelId: Id }),
      querystring: Period,
      response: { 200: ChannelMetrics, ...errorResponses },
    },
  }, async (request, reply) => {
    requireRole(request, 'operator');
    reply.header('cache-control', PRIVATE);
    return metrics.channelMetrics(request.params.channelId, request.query);
  });
}

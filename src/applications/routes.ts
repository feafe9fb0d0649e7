// Application routes: merchants draft and submit clearance lots; operators review them.
// Responses carry clearance prices (the merchant's own lot): private, never cached.
import { Type, type Static } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole } from '../platform/auth.ts';
import type { ApplicationsService, ApplicationView } from './service.ts';

const PRIVATE = 'private, no-store';
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Day = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: "A day in Asia/Shanghai, 'YYYY-MM-DD'." });
const Clock = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: "Asia/Shanghai clock time 'HH:MM'." });

const LotOffer = Type.Object({
  skuId: Id,
  clearancePriceFen: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }),
  allocatedUnits: Type.Integer({ minimum: 1, maximum: 10_000_000 }),
  perBuyerLimit: Type.Integer({ minimum: 1, maximum: 10_000 }),
  isHero: Type.Boolean({ default: false }),
}, { additionalProperties: false });

const Draft = Type.Object({
  channelId: Id,
  title: Type.String({ minLength: 1, maxLength: 120 }),
  wishedDates: Type.Array(Day, { minItems: 1, maxItems: 5, description: 'Days wished, in order of preference.' }),
  windowStart: Clock,
  windowEnd: Type.Intersect([Clock], { description: 'At or before windowStart means the next day; the window lasts at most 24 hours.' }),
  commissionRateBp: Type.Integer({ minimum: 0, maximum: 10_000, description: 'Promoter commission in basis points; at least the channel minimum.' }),
  offers: Type.Array(LotOffer, { minItems: 1, maxItems: 50 }),
}, { additionalProperties: false });

const Problem = Type.Object({ path: Type.String(), code: Type.String(), message: Type.String(), messageZh: Type.String() });
const Finding = Type.Object({ code: Type.String({ description: 'Stable code.' }), en: Type.String(), zh: Type.String() });

const Application = Type.Object({
  id: Type.String(),
  storeId: Type.String(),
  status: Type.Union(['draft', 'submitted', 'scheduled', 'rejected', 'withdrawn', 'cancelled'].map((s) => Type.Literal(s))),
  channelId: Type.String(),
  title: Type.String(),
  wishedDates: Type.Array(Type.String()),
  windowStart: Type.String(),
  windowEnd: Type.String(),
  commissionRateBp: Type.Integer(),
  offers: Type.Array(Type.Object({ skuId: Type.String(), clearancePriceFen: Type.Integer(), allocatedUnits: Type.Integer(), perBuyerLimit: Type.Integer(), isHero: Type.Boolean() })),
  heldDay: Type.Union([Type.String(), Type.Null()]),
  holdExpiresAt: Type.Union([Type.String(), Type.Null()]),
  scheduledDay: Type.Union([Type.String(), Type.Null()]),
  rejectReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  submittedAt: Type.Union([Type.String(), Type.Null()]),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  problems: Type.Array(Problem, { description: 'What blocks a submit now (shape, stock).' }),
  priceGuard: Type.Array(Type.Object({
    skuId: Type.String(),
    publicPriceFen: Type.Integer(),
    costFen: Type.Union([Type.Integer(), Type.Null()]),
    lowestPublicSalePriceFen30d: Type.Union([Type.Integer(), Type.Null()]),
    errors: Type.Array(Finding),
    warnings: Type.Array(Finding),
    discountBp: Type.Integer({ description: 'Discount off the public price, basis points.' }),
  }), { description: 'Per offer: errors block submit; warnings (deep discount, below the recent public low) are for people to weigh.' }),
  feeTerms: Type.Union([Type.Object({
    feeRateBp: Type.Integer(),
    baseFeeRateBp: Type.Integer(),
    discountBp: Type.Integer(),
    appliedPolicyIds: Type.Array(Type.String()),
  }, { additionalProperties: true }), Type.Null()], { description: 'The fee terms that would apply; frozen into the event at approval.' }),
});

function out(view: ApplicationView): Static<typeof Application> {
  return view as unknown as Static<typeof Application>;
}

const bearer = [{ bearer: [] }];
const IdParams = Type.Object({ id: Id });

export async function applicationsRoutes(app: App, applications: ApplicationsService): Promise<void> {
  app.post('/api/v1/stores/:storeId/applications', {
    schema: {
      tags: ['applications'], summary: 'Merchant: draft a clearance lot for a channel (checked at once: shape, stock, price guard, fee terms).', security: bearer,
      params: Type.Object({ storeId: Id }), body: Draft, response: { 201: Application, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'merchant', 'operator');
    reply.header('cache-control', PRIVATE).status(201);
    return out(await applications.createDraft(principal, request.params.storeId, request.body));
  });

  app.put('/api/v1/applications/:id', {
    schema: { tags: ['applications'], summary: 'Merchant: replace a draft (drafts only).', security: bearer, params: IdParams, body: Draft, response: { 200: Application, ...errorResponses } },
  }, async (request, reply) => {
    const principal = requireRole(request, 'merchant', 'operator');
    reply.header('cache-control', PRIVATE);
    return out(await applications.updateDraft(principal, request.params.id, request.body));
  });

  app.get('/api/v1/applications', {
    schema: {
      tags: ['applications'], summary: 'Applications: a merchant sees its own; an operator all, or one store\'s (the review queue: ?status=submitted).', security: bearer,
      querystring: Type.Object({ storeId: Type.Optional(Id), status: Type.Optional(Type.Union(['draft', 'submitted', 'scheduled', 'rejected', 'withdrawn', 'cancelled'].map((s) => Type.Literal(s)))) }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(Application) }), ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'merchant', 'operator');
    reply.header('cache-control', PRIVATE);
    const { storeId, status } = request.query;
    const items = await applications.list(principal, { ...(storeId ? { storeId } : {}), ...(status ? { status: status as ApplicationView['status'] } : {}) });
    return { items: items.map(out) };
  });

  app.get('/api/v1/applications/:id', {
    schema: { tags: ['applications'], summary: 'One application, with its problems, price guard and fee terms.', security: bearer, params: IdParams, response: { 200: Application, ...errorResponses } },
  }, async (request, reply) => {
    const principal = requireRole(request, 'merchant', 'operator');
    reply.header('cache-control', PRIVATE);
    return out(await applications.get(principal, request.params.id));
  });

  const action = (path: string, summary: string, roles: Array<'merchant' | 'operator'>, run: (id: string, principal: ReturnType<typeof requireRole>) => Promise<ApplicationView>) => {
    app.post(`/api/v1/applications/:id/${path}`, {
      schema: { tags: ['applications'], summary, security: bearer, params: IdParams, response: { 200: Application, ...errorResponses } },
    }, async (request, reply) => {
      const principal = requireRole(request, ...roles);
      reply.header('cache-control', PRIVATE);
      return out(await run(request.params.id, principal));
    });
  };
  action('submit', 'Merchant: submit; holds the first free wished day for review (48 h by default). NO_FREE_DATE when none is free; APPLICATION_INVALID or PRICE_GUARD_FAILED when the lot is not acceptable.', ['merchant', 'operator'], (id, p) => applications.submit(p, id));
  action('withdraw', 'Merchant: withdraw before approval; frees the held day.', ['merchant', 'operator'], (id, p) => applications.withdraw(p, id));
  action('cancel', 'Merchant: cancel an approved event until the configured lead time before its start (operators any time before it): stock and the day go back.', ['merchant', 'operator'], (id, p) => applications.cancel(p, id));

  app.post('/api/v1/applications/:id/approve', {
    schema: {
      tags: ['applications'], summary: 'Operator: approve, keeping the held day or booking another free one; carves the stock and freezes the fee terms into the event.', security: bearer,
      params: IdParams, body: Type.Optional(Type.Object({ day: Type.Optional(Day) }, { additionalProperties: false })), response: { 200: Application, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator');
    reply.header('cache-control', PRIVATE);
    return out(await applications.approve(principal, request.params.id, request.body?.day));
  });

  app.post('/api/v1/applications/:id/reject', {
    schema: {
      tags: ['applications'], summary: 'Operator: reject with a reason; frees the held day.', security: bearer,
      params: IdParams, body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false }), response: { 200: Application, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator');
    reply.header('cache-control', PRIVATE);
    return out(await applications.reject(principal, request.params.id, request.body.reason));
  });
}

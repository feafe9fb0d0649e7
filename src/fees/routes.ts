// Fees HTTP: operators manage discount policies; a merchant previews the terms of an event.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole, storeScope } from '../platform/auth.ts';
import { AppError } from '../platform/errors.ts';
import type { FeesService } from './service.ts';
import { FEE_POLICIES_PAGE_MAX } from './service.ts';

const PRIVATE_CACHE = 'private, no-store';
/** Most SKUs one preview names (a clearance lot is far smaller). */
const PREVIEW_SKUS_MAX = 100;

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const Kind = Type.Union([Type.Literal('store'), Type.Literal('category'), Type.Literal('first_event')]);
const Bp = Type.Integer({ minimum: 0, maximum: 10_000, description: 'Basis points: 10000 = 100%.' });
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

const FeePolicySchema = Type.Object({
  id: Type.String(),
  kind: Kind,
  storeId: Nullable(Type.String()),
  category: Nullable(Type.String()),
  channelId: Nullable(Type.String({ description: 'null: every channel.' })),
  discountBp: Type.Integer({ description: 'Share of the platform fee waived, basis points.' }),
  startsAt: Nullable(Type.String({ format: 'date-time' })),
  endsAt: Nullable(Type.String({ format: 'date-time' })),
  note: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  deletedAt: Nullable(Type.String({ format: 'date-time' })),
}, { additionalProperties: false });

const NewFeePolicyBody = Type.Object({
  kind: Kind,
  storeId: Type.Optional(Id),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  channelId: Type.Optional(Id),
  discountBp: Bp,
  startsAt: Type.Optional(Type.String({ format: 'date-time' })),
  endsAt: Type.Optional(Type.String({ format: 'date-time' })),
  note: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });

const FeeTermsSchema = Type.Object({
  storeId: Type.String(),
  channelId: Type.String(),
  skuIds: Type.Array(Type.String()),
  isFirstEvent: Type.Boolean(),
  feeRateBp: Type.Integer({ description: 'The platform fee rate that applies, basis points of the amount paid.' }),
  baseFeeRateBp: Type.Integer({ description: "The channel's platform fee rate." }),
  discountBp: Type.Integer({ description: 'Share of the base fee waived.' }),
  appliedPolicyIds: Type.Array(Type.String()),
  explanation: Type.Object({ zh: Type.String(), en: Type.String() }, { additionalProperties: false }),
  computedAt: Type.String({ format: 'date-time' }),
}, { additionalProperties: false });

export async function feesRoutes(app: App, fees: FeesService): Promise<void> {
  app.post('/api/v1/fee-policies', {
    schema: {
      tags: ['fees'],
      summary: 'Operator: create a discount policy on the platform fee (by store, by product category, or for a first event).',
      description: 'Discounts never stack: the single largest applicable discount applies; the fee is rounded down to whole basis points.',
      security: [{ bearer: [] }],
      body: NewFeePolicyBody,
      response: { 201: FeePolicySchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator');
    return reply.status(201).header('cache-control', PRIVATE_CACHE).send(await fees.createPolicy(request.body, principal.userId));
  });

  app.get('/api/v1/fee-policies', {
    schema: {
      tags: ['fees'],
      summary: `Operator: fee policies, newest first (at most ${FEE_POLICIES_PAGE_MAX}); deleted ones only with includeDeleted.`,
      security: [{ bearer: [] }],
      querystring: Type.Object({
        kind: Type.Optional(Kind),
        storeId: Type.Optional(Id),
        channelId: Type.Optional(Id),
        includeDeleted: Type.Boolean({ default: false }),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(FeePolicySchema) }, { additionalProperties: false }), ...errorResponses },
    },
  }, async (request, reply) => {
    requireRole(request, 'operator');
    reply.header('cache-control', PRIVATE_CACHE);
    return { items: await fees.listPolicies(request.query) };
  });

  app.delete('/api/v1/fee-policies/:policyId', {
    schema: {
      tags: ['fees'],
      summary: 'Operator: delete a fee policy (kept, marked deleted; terms already frozen into events keep it).',
      security: [{ bearer: [] }],
      params: Type.Object({ policyId: Id }),
      response: { 200: FeePolicySchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'operator');
    reply.header('cache-control', PRIVATE_CACHE);
    return fees.deletePolicy(request.params.policyId, principal.userId);
  });

  app.get('/api/v1/stores/:storeId/fee-terms', {
    schema: {
      tags: ['fees'],
      summary: 'The platform fee terms an event of this store on a channel with these SKUs would get now (merchant of the store, or operator).',
      description: 'skuIds repeats (skuIds=a&skuIds=b) or is comma-separated. The terms are frozen into the event when it is approved.',
      security: [{ bearer: [] }],
      params: Type.Object({ storeId: Id }),
      querystring: Type.Object({
        channelId: Id,
        skuIds: Type.Array(Type.String({ minLength: 1, maxLength: 2000, pattern: '^[A-Za-z0-9_,-]+$' }), { minItems: 1, maxItems: PREVIEW_SKUS_MAX }),
      }, { additionalProperties: false }),
      response: { 200: FeeTermsSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    const principal = requireRole(request, 'merchant', 'operator');
    storeScope(principal, request.params.storeId);
    const skuIds = request.query.skuIds.flatMap((s) => s.split(',')).filter((s) => s !== '');
    if (skuIds.length === 0 || skuIds.length > PREVIEW_SKUS_MAX) {
      throw new AppError('VALIDATION_FAILED', `Name 1 to ${PREVIEW_SKUS_MAX} SKUs.`, { issues: [{ path: '/skuIds', message: `1 to ${PREVIEW_SKUS_MAX} SKU ids` }] });
    }
    reply.header('cache-control', PRIVATE_CACHE);
    return fees.previewTerms(request.params.storeId, request.query.channelId, skuIds);
  });
}

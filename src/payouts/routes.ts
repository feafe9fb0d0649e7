// Payout routes (operators): build a batch of every positive available balance, submit it to the
// provider, read batches. Both POSTs move money: an Idempotency-Key is required and a retry replays.
import { Type } from 'typebox';
import type { App } from '../platform/http.ts';
import { errorResponses } from '../platform/http.ts';
import { requireRole } from '../platform/auth.ts';
import { idempotencyKeyOf } from '../platform/idempotency.ts';
import type { PayoutsService } from './service.ts';

const PRIVATE = 'private, no-store';
const bearer = [{ bearer: [] }];
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });
const PayeeKind = Type.Union([Type.Literal('promoter'), Type.Literal('merchant')]);
const Status = Type.Union([Type.Literal('created'), Type.Literal('submitted'), Type.Literal('paid'), Type.Literal('failed')]);
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

const Item = Type.Object({
  id: Type.String(), payeeId: Type.String({ description: "A promoter's user id or a merchant's store id." }), amountFen: Type.Integer(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('paid'), Type.Literal('failed')]), failureReason: Nullable(Type.String()), paidAt: Nullable(Type.String()),
});
const Batch = Type.Object({
  id: Type.String(), payeeKind: PayeeKind, provider: Type.String(), status: Status, totalFen: Type.Integer(), itemCount: Type.Integer(),
  providerRef: Nullable(Type.String()), createdBy: Type.String(), createdAt: Type.String(), submittedAt: Nullable(Type.String()), paidAt: Nullable(Type.String()),
  items: Type.Optional(Type.Array(Item)),
});

export async function payoutsRoutes(app: App, payouts: PayoutsService): Promise<void> {
  app.post('/api/v1/payout-batches', {
    schema: {
      tags: ['payouts'], summary: 'Operator: a batch paying every payee of a kind whose available balance is at least minAmountFen (debts are never paid). Requires Idempotency-Key; NOTHING_TO_PAY when none qualifies.', security: bearer,
      body: Type.Object({ payeeKind: PayeeKind, minAmountFen: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000_000 })) }, { additionalProperties: false }),
      response: { 201: Batch, ...errorResponses },
    },
  }, async (request, reply) => {
    const by = requireRole(request, 'operator');
    const key = idempotencyKeyOf(request);
    reply.header('cache-control', PRIVATE).status(201);
    return payouts.createBatch(by, request.body, key);
  });

  app.post('/api/v1/payout-batches/:id/submit', {
    schema: {
      tags: ['payouts'], summary: 'Operator: send a created batch to the payout provider; its report settles it later. Requires Idempotency-Key.', security: bearer,
      params: Type.Object({ id: Id }), response: { 200: Batch, ...errorResponses },
    },
  }, async (request, reply) => {
    const by = requireRole(request, 'operator');
    const key = idempotencyKeyOf(request);
    reply.header('cache-control', PRIVATE);
    return payouts.submit(by, request.params.id, key);
  });

  app.get('/api/v1/payout-batches', {
    schema: {
      tags: ['payouts'], summary: 'Operator: the latest payout batches (100), optionally by status or payee kind.', security: bearer,
      querystring: Type.Object({ status: Type.Optional(Status), payeeKind: Type.Optional(PayeeKind) }, { additionalProperties: false }),
      response: { 200: Type.Object({ items: Type.Array(Batch) }), ...errorResponses },
    },
  }, async (request, reply) => {
    requireRole(request, 'operator');
    reply.header('cache-control', PRIVATE);
    return { items: await payouts.list(request.query) };
  });

  app.get('/api/v1/payout-batches/:id', {
    schema: { tags: ['payouts'], summary: 'Operator: one payout batch with its items.', security: bearer, params: Type.Object({ id: Id }), response: { 200: Batch, ...errorResponses } },
  }, async (request, reply) => {
    requireRole(request, 'operator');
    reply.header('cache-control', PRIVATE);
    return payouts.get(request.params.id);
  });
}

// After-sales: a buyer's refund before shipping (at once) or return after it (approve, ship back,
// receive), by quantity. Each refund is one transaction (request status, units, ledger entry, the
// units back where they belong, the provider refund job); every step is a conditional update, so
// nothing arriving twice pays twice. Follow request() and receive() from the routes.
import type { Transaction } from 'kysely';
import type { AppContext } from '../platform/context.ts';
import type { Database, RefundStatus } from '../platform/db/schema.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { requestHash } from '../platform/idempotency.ts';
import type { CheckoutService, ReturnedUnits } from '../checkout/service.ts';
import type { LedgerService } from '../ledger/service.ts';
import type { PaymentsService } from '../payments/service.ts';
import type { NotificationsService } from '../notifications/service.ts';
import {
  OPEN_STATUSES, STEPS, decideRequest, decideStep, expectedAmountFen, refundAmountFen, unitsCameBackFromBuyer,
  type OrderFacts, type RefundKind, type RefundStep,
} from './rules.ts';
import * as store from './store.ts';

export interface RefundRequestView {
  id: string;
  orderId: number;
  storeId: string;
  kind: RefundKind;
  status: RefundStatus;
  quantity: number;
  /** Expected while open; what was paid back once refunding. */
  amountFen: number;
  reason: string;
  decisionReason: string | null;
  returnCarrier: string | null;
  returnTrackingNo: string | null;
  productTitle: string;
  skuCode: string;
  createdAt: string;
  updatedAt: string;
  refundedAt: string | null;
}

export type QueueStatus = RefundStatus | 'open';

export interface AftersalesService {
  /** A buyer asks for units of their paid order back; replays for a repeated Idempotency-Key (200). */
  request(buyerId: string, orderId: number, input: { quantity: number; reason: string }, idempotencyKey: string): Promise<{ statusCode: number; body: RefundRequestView }>;
  ofOrder(buyerId: string, orderId: number): Promise<RefundRequestView[]>;
  shipBack(buyerId: string, refundId: string, carrier: string, trackingNo: string): Promise<RefundRequestView>;
  cancel(buyerId: string, refundId: string): Promise<RefundRequestView>;
  queue(storeId: string, filter: { status?: QueueStatus | undefined; beforeId?: string | undefined; limit: number }): Promise<{ items: RefundRequestView[]; nextBeforeId: string | null }>;
  approve(storeId: string, refundId: string, note?: string): Promise<RefundRequestView>;
  reject(storeId: string, refundId: string, reason: string): Promise<RefundRequestView>;
  receive(storeId: string, refundId: string): Promise<RefundRequestView>;
  setReturnDays(storeId: string, returnDays: number): Promise<{ storeId: string; returnDays: number }>;
  /** The refund job: pays the buyer back through the provider (deduplicated on the request id), then marks it refunded. */
  completeRefund(refundId: string): Promise<void>;
}

export interface AftersalesDeps {
  checkout: CheckoutService;
  ledger: LedgerService;
  payments: PaymentsService;
  notifications: NotificationsService;
}

export const REFUND_JOB = 'aftersales.refund';
/** Which steps the other side hears of (the refund itself is told when the provider has paid it). */
const STEP_NOTICES: Partial<Record<RefundStep, 'return_approved' | 'return_rejected' | 'return_shipped'>> = {
  approve: 'return_approved', reject: 'return_rejected', ship_back: 'return_shipped',
};
export const REFUND_QUEUE_PAGE_MAX = 200;
/** Requests shown per order (an order has at most `quantity` claiming requests, plus closed ones). */
const ORDER_REFUNDS_MAX = 100;

function toView(row: store.RefundRow): RefundRequestView {
  return {
    id: row.id, orderId: row.order_id, storeId: row.store_id, kind: row.kind, status: row.status, quantity: row.quantity, amountFen: row.amount_fen,
    reason: row.reason, decisionReason: row.decision_reason, returnCarrier: row.return_carrier, returnTrackingNo: row.return_tracking_no,
    productTitle: row.product_title, skuCode: row.sku_code, createdAt: row.created_at, updatedAt: row.updated_at, refundedAt: row.refunded_at,
  };
}

function factsOf(order: store.OrderForRefund): OrderFacts {
  return {
    status: order.status, quantity: order.quantity, claimedUnits: order.claimed_units,
    shippedAtMs: order.shipped_at === null ? null : Date.parse(order.shipped_at),
    deliveredAtMs: order.delivered_at === null ? null : Date.parse(order.delivered_at),
  };
}

export function createAftersalesService(ctx: AppContext, deps: AftersalesDeps): AftersalesService {
  const { db, clock, jobs, log } = ctx;

  jobs.on(REFUND_JOB, async (payload) => completeRefund((payload as { refundId: string }).refundId));
  deps.checkout.useRefundLines(async (buyerId, orderId) => {
    const rows = await store.refundsOfOrder(db, orderId, ORDER_REFUNDS_MAX);
    return rows.filter((r) => r.buyer_id === buyerId).map((r) => ({ id: r.id, kind: r.kind, status: r.status, quantity: r.quantity, amountFen: r.amount_fen, createdAt: r.created_at }));
  });

  /**
   * The refund itself, in the caller's transaction, after the request's units were counted as
   * refunded on the order (whose row lock this transaction now holds): the amount, the ledger
   * entry (dedupe `refund:<request id>`), the units back, and the job that pays the buyer.
   */
  async function refundInTransaction(trx: Transaction<Database>, request: { id: string; orderId: number; kind: RefundKind; quantity: number; reason: string }): Promise<ReturnedUnits> {
    const facts = await store.refundFacts(trx, request.orderId);
    const amountFen = refundAmountFen({
      unitPriceFen: facts.unit_price_fen, quantity: facts.quantity, totalFen: facts.total_fen, refundedFen: facts.refunded_fen,
      refundedUnits: facts.refunded_units - request.quantity,
    }, request.quantity);
    await store.setAmount(trx, request.id, amountFen);
    if (amountFen > 0) {
      await deps.ledger.recordRefund(trx, { orderId: request.orderId, refundId: request.id, amountFen, reason: `${request.kind}: ${request.reason}` });
    }
    const returned = await deps.checkout.returnPaidUnits(trx, request.orderId, request.quantity, unitsCameBackFromBuyer(request.kind));
    await jobs.enqueue(REFUND_JOB, { refundId: request.id }, clock.nowMs(), trx);
    return returned;
  }

  /** Tells the other side of a request what happened, in the step's transaction (once per step: the dedupe key). */
  async function tell(trx: Transaction<Database> | undefined, row: store.RefundRow, kind: 'return_requested' | 'return_approved' | 'return_rejected' | 'return_shipped' | 'refunded', reason?: string | null): Promise<void> {
    const toStore = kind === 'return_requested' || kind === 'return_shipped';
    await deps.notifications.notify(trx, {
      kind, dedupeKey: `refund:${row.id}:${kind}`, ...(toStore ? { storeId: row.store_id } : { userIds: [row.buyer_id] }),
      facts: { productTitle: row.product_title, quantity: row.quantity, ...(reason ? { reason } : {}) },
      data: { orderId: row.order_id, refundId: row.id },
    });
  }

  async function completeRefund(refundId: string): Promise<void> {
    const row = await store.findRefund(db, refundId);
    if (!row || row.status !== 'refunding') return;
    if (row.amount_fen > 0) {
      // The provider deduplicates on the refund id: a job run twice (or after a crash) pays once.
      await deps.payments.refundOrderPayment({ orderId: row.order_id, refundId: row.id, amountFen: row.amount_fen, reason: row.reason });
    }
    const nowIso = isoUtc(clock.nowMs());
    if (await store.moveRefund(db, row.id, STEPS.complete.from, 'refunded', nowIso, { refunded_at: nowIso })) {
      await tell(undefined, row, 'refunded');
      log.info({ refundId, orderId: row.order_id, amountFen: row.amount_fen }, 'refund paid');
    }
  }

  async function ownRequest(buyerId: string, refundId: string): Promise<store.RefundRow> {
    const row = await store.findRefund(db, refundId);
    // Another buyer's request is answered exactly like a missing one.
    if (!row || row.buyer_id !== buyerId) throw new AppError('NOT_FOUND');
    return row;
  }

  async function storeRequest(storeId: string, refundId: string): Promise<store.RefundRow> {
    const row = await store.findRefund(db, refundId);
    if (!row || row.store_id !== storeId) throw new AppError('NOT_FOUND');
    return row;
  }

  function refused(row: store.RefundRow, step: RefundStep): AppError {
    return new AppError('REFUND_STEP_NOT_ALLOWED', undefined, { status: row.status, kind: row.kind, step });
  }

  /**
   * One step of a request: a conditional status update (plus `effects` in its transaction). A
   * repeat of a step that already happened answers the request as it is; a step that lost a race
   * is decided again on what won.
   */
  async function takeStep(
    row: store.RefundRow, step: RefundStep, extra: Parameters<typeof store.moveRefund>[5] = {},
    effects?: (trx: Transaction<Database>) => Promise<ReturnedUnits | null>, isRepeat: (current: store.RefundRow) => boolean = () => true,
  ): Promise<RefundRequestView> {
    const decision = decideStep(row.kind, row.status, step);
    if (decision.outcome === 'refuse' || (decision.outcome === 'replay' && !isRepeat(row))) throw refused(row, step);
    if (decision.outcome === 'replay') return toView(row);
    const nowIso = isoUtc(clock.nowMs());
    const outcome = await db.transaction().execute(async (trx) => {
      if (!(await store.moveRefund(trx, row.id, STEPS[step].from, decision.to, nowIso, extra))) return { moved: false, returned: null };
      const returned = effects ? await effects(trx) : null;
      const notice = STEP_NOTICES[step];
      if (notice) await tell(trx, row, notice, extra.decision_reason);
      return { moved: true, returned };
    });
    if (outcome.returned) deps.checkout.afterUnitsReturned(outcome.returned);
    const current = await store.findRefund(db, row.id);
    if (!current) throw new Error(`refund request ${row.id} vanished`);
    if (!outcome.moved) {
      const again = decideStep(current.kind, current.status, step);
      if (again.outcome !== 'replay' || !isRepeat(current)) throw refused(current, step);
    }
    return toView(current);
  }

  async function releaseClaimOf(trx: Transaction<Database>, row: store.RefundRow): Promise<null> {
    await store.releaseClaim(trx, row.order_id, row.quantity);
    return null;
  }

  async function createRequest(buyerId: string, orderId: number, input: { quantity: number; reason: string }, key: string): Promise<{ statusCode: number; body: RefundRequestView }> {
    const order = await store.orderForRefund(db, orderId);
    if (!order || order.buyer_id !== buyerId) throw new AppError('NOT_FOUND');
    const nowMs = clock.nowMs();
    const decision = decideRequest(factsOf(order), input.quantity, order.return_days, nowMs);
    if (!decision.ok) throw new AppError(decision.code, undefined, decision.details);
    const kind = decision.kind;
    const id = newId('rfd', nowMs);
    const outcome = await db.transaction().execute(async (trx) => {
      // The key first: a twin of this request in another process waits here, then makes nothing.
      const inserted = await store.insertRefund(trx, {
        id, orderId, storeId: order.store_id, buyerId, kind, status: kind === 'before_shipping' ? 'refunding' : 'requested',
        quantity: input.quantity, amountFen: expectedAmountFen(order.unit_price_fen, input.quantity), reason: input.reason,
        requestKey: key, nowIso: isoUtc(nowMs),
      });
      if (!inserted) return { created: false, returned: null };
      if (!(await store.claimUnits(trx, orderId, input.quantity, kind))) {
        // Lost to another request or to a shipment: say why, from what won.
        const now = await store.orderForRefund(trx, orderId);
        const again = now ? decideRequest(factsOf(now), input.quantity, now.return_days, clock.nowMs()) : null;
        if (again && !again.ok) throw new AppError(again.code, undefined, again.details);
        throw new AppError('CONFLICT', 'The order changed meanwhile (it was shipped); ask again.');
      }
      const returned = kind === 'before_shipping' ? await refundInTransaction(trx, { id, orderId, kind, quantity: input.quantity, reason: input.reason }) : null;
      if (kind === 'return') {
        const created = await store.findRefund(trx, id);
        if (created) await tell(trx, created, 'return_requested', input.reason);
      }
      return { created: true, returned };
    });
    if (outcome.returned) deps.checkout.afterUnitsReturned(outcome.returned);
    const row = outcome.created ? await store.findRefund(db, id) : await store.findByKey(db, buyerId, key);
    if (!row) throw new Error(`refund request for key ${key} not found`);
    return { statusCode: outcome.created ? 201 : 200, body: toView(row) };
  }

  return {
    async request(buyerId, orderId, input, idempotencyKey) {
      const hash = requestHash(['refund', orderId, input.quantity, input.reason]);
      // A retry gets the first answer again (its status and body), stored or joined in flight.
      const result = await ctx.idempotency.run(buyerId, idempotencyKey, hash, () => createRequest(buyerId, orderId, input, idempotencyKey));
      return { statusCode: result.statusCode, body: result.body as RefundRequestView };
    },

    async ofOrder(buyerId, orderId) {
      const order = await store.orderForRefund(db, orderId);
      if (!order || order.buyer_id !== buyerId) throw new AppError('NOT_FOUND');
      return (await store.refundsOfOrder(db, orderId, ORDER_REFUNDS_MAX)).map(toView);
    },

    async shipBack(buyerId, refundId, carrier, trackingNo) {
      const row = await ownRequest(buyerId, refundId);
      const same = (r: store.RefundRow) => r.return_carrier === carrier && r.return_tracking_no === trackingNo;
      return takeStep(row, 'ship_back', { return_carrier: carrier, return_tracking_no: trackingNo }, undefined, same);
    },

    async cancel(buyerId, refundId) {
      const row = await ownRequest(buyerId, refundId);
      return takeStep(row, 'cancel', {}, (trx) => releaseClaimOf(trx, row));
    },

    async queue(storeId, filter) {
      const statuses = filter.status === undefined ? null : filter.status === 'open' ? OPEN_STATUSES : [filter.status];
      const limit = Math.min(filter.limit, REFUND_QUEUE_PAGE_MAX);
      const rows = await store.refundsOfStore(db, storeId, { statuses, beforeId: filter.beforeId, limit: limit + 1 });
      const items = rows.slice(0, limit).map(toView);
      return { items, nextBeforeId: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
    },

    async approve(storeId, refundId, note) {
      return takeStep(await storeRequest(storeId, refundId), 'approve', { decision_reason: note ?? null });
    },

    async reject(storeId, refundId, reason) {
      const row = await storeRequest(storeId, refundId);
      return takeStep(row, 'reject', { decision_reason: reason }, (trx) => releaseClaimOf(trx, row));
    },

    async receive(storeId, refundId) {
      const row = await storeRequest(storeId, refundId);
      return takeStep(row, 'receive', {}, async (trx) => {
        if (!(await store.refundClaimedUnits(trx, row.order_id, row.quantity))) {
          throw new Error(`order ${row.order_id}: request ${row.id} received, but its units are not claimed`);
        }
        return refundInTransaction(trx, { id: row.id, orderId: row.order_id, kind: row.kind, quantity: row.quantity, reason: row.reason });
      });
    },

    async setReturnDays(storeId, returnDays) {
      if (!(await store.setReturnDays(db, storeId, returnDays))) throw new AppError('NOT_FOUND');
      return { storeId, returnDays };
    },

    completeRefund,
  };
}

// Checkout: reserve (decide in memory, commit in groups), pay, cancel, and expire unpaid orders
// on time. Follow reserve() from the route to see the whole hot path.
import type { Transaction } from 'kysely';
import type { AppContext } from '../platform/context.ts';
import type { Database } from '../platform/db/schema.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { findIdempotent, requestHash } from '../platform/idempotency.ts';
import type { CatalogService } from '../catalog/service.ts';
import type { EventsService } from '../events/service.ts';
import type { AccessGrant, AccessService } from '../access/service.ts';
import type { PaymentsService, StartedPayment } from '../payments/service.ts';
import type { NotificationsService } from '../notifications/service.ts';
import { decideReservation, payDeadlineMs } from './rules.ts';
import { OfferBook } from './book.ts';
import { mainlandProvince } from './address.ts';
import { ReservationCommitter } from './committer.ts';
import {
  cancelPendingOrder, eventOfOffer, findOrder, holdingsOf, markPaid, ordersOfBuyer, overdueOrderIds, returnPaidUnits,
  type OrderRecord, type ReservationRow, type ReturnedUnits,
} from './store.ts';

export interface ShippingAddress {
  name: string;
  mobile: string;
  province: string;
  city: string;
  district: string;
  detail: string;
}

export interface ReserveRequest {
  buyerId: string;
  idempotencyKey: string;
  quantity: number;
  address: ShippingAddress;
  /** Consent to join the store's membership once paid (never assumed). */
  joinMembership?: boolean;
  /** An event offer, bought through access ... */
  offerId?: string;
  /** ... or a SKU bought in the public store at its public price. */
  skuId?: string;
  /** The access token the request carried for the offer's event (cookie or header). */
  accessTokenFor?: (eventId: string) => string | undefined;
}

/** What the buyer is told when a reservation succeeds (and what a retry replays). */
export interface ReservedOrder {
  id: number;
  status: 'pending_payment';
  kind: 'event' | 'public';
  storeId: string;
  eventId: string | null;
  offerId: string | null;
  skuId: string;
  productTitle: string;
  quantity: number;
  unitPriceFen: number;
  totalFen: number;
  payDeadline: string;
  createdAt: string;
}

/** What the checkout page shows of the item: the clearance price only with access while live. */
export interface ItemForCheckout {
  kind: 'event' | 'public';
  id: string;
  productTitle: string;
  unitPriceFen: number;
  perBuyerLimit: number | null;
  eventId: string | null;
}

export interface CheckoutService {
  describeItem(item: { offerId?: string; skuId?: string }, accessTokenFor: (eventId: string) => string | undefined): Promise<ItemForCheckout>;
  reserve(request: ReserveRequest): Promise<{ statusCode: number; order: ReservedOrder }>;
  order(buyerId: string, orderId: number): Promise<OrderRecord>;
  orders(buyerId: string): Promise<OrderRecord[]>;
  cancel(buyerId: string, orderId: number): Promise<OrderRecord>;
  pay(buyerId: string, orderId: number, provider: string, idempotencyKey: string): Promise<StartedPayment>;
  /** Cancels every pending order past its deadline and returns its units; returns how many. */
  expireOverdue(): Promise<number>;
  /**
   * Gives back units of a paid order being refunded, inside the caller's transaction (see
   * store.returnPaidUnits for where they go). Pass the answer to afterUnitsReturned once committed.
   */
  returnPaidUnits(trx: Transaction<Database>, orderId: number, quantity: number, cameBackFromBuyer: boolean): Promise<ReturnedUnits>;
  /** After the refund committed: units back on an offer are given back to the in-memory book too, so others can buy them. */
  afterUnitsReturned(returned: ReturnedUnits): void;
  /** The order page's after-sales lines come from whoever registers here (after-sales); none by default. */
  useRefundLines(lines: (buyerId: string, orderId: number) => Promise<RefundLine[]>): void;
  refundLines(buyerId: string, orderId: number): Promise<RefundLine[]>;
  recover(): Promise<void>;
  drain(): Promise<void>;
}

export type { ReturnedUnits } from './store.ts';

/** One refund request as the buyer's order page shows it. */
export interface RefundLine {
  id: string;
  kind: 'before_shipping' | 'return';
  status: string;
  quantity: number;
  amountFen: number;
  createdAt: string;
}

export interface CheckoutDeps {
  catalog: CatalogService;
  events: EventsService;
  access: AccessService;
  payments: PaymentsService;
  notifications: NotificationsService;
}

export function createCheckoutService(ctx: AppContext, deps: CheckoutDeps): CheckoutService {
  const { db, clock, config, log } = ctx;
  const book = new OfferBook();
  const committer = new ReservationCommitter(db, log, config.limits.reserveBatchMax, config.limits.reserveQueueMax, (offerIds) => {
    for (const offerId of offerIds) void noticeSoldOut(offerId);
  });
  const inFlight = new Map<string, Promise<{ statusCode: number; order: ReservedOrder }>>();
  let refundLinesOf: (buyerId: string, orderId: number) => Promise<RefundLine[]> = async () => [];

  deps.events.onEventEnded((eventId) => book.forgetEvent(eventId));

  deps.payments.onSucceeded(async (trx, payment) => {
    const result = await markPaid(trx, payment.orderId, payment.paymentId, payment.amountFen, clock.nowMs());
    return result.ok ? { outcome: 'accepted' } : { outcome: 'rejected', reason: result.reason };
  });

  ctx.jobs.addSweep('checkout.expire', () => expireOverdue());

  /**
   * Tells the store an offer sold out, once per offer (the dedupe key), after the batch that did it
   * committed and its buyers were answered: off the hot path, and never failing a reservation.
   */
  async function noticeSoldOut(offerId: string): Promise<void> {
    const state = book.get(offerId);
    if (!state) return;
    try {
      await deps.notifications.notify(undefined, {
        kind: 'sold_out', dedupeKey: `offer:${offerId}:sold_out`, storeId: state.storeId,
        facts: { productTitle: state.productTitle }, data: { eventId: state.eventId, offerId, skuId: state.skuId },
      });
    } catch (err) {
      log.error({ err, offerId }, 'sold-out notice failed');
    }
  }

  async function loadOffer(offerId: string) {
    let state = book.get(offerId);
    if (state) return state;
    const eventId = await eventOfOffer(db, offerId);
    if (!eventId) throw new AppError('NOT_FOUND');
    await book.ensureEvent(eventId, async () => {
      const event = await deps.events.loadEventView(eventId);
      if (!event) return null;
      return { event, holdings: await holdingsOf(db, event.offers.map((o) => o.id)) };
    });
    state = book.get(offerId);
    if (!state) throw new AppError('NOT_FOUND');
    return state;
  }

  async function reserveEventOffer(request: ReserveRequest, offerId: string): Promise<ReservedOrder> {
    const state = await loadOffer(offerId);
    // Access first: without it the buyer learns nothing, not even whether it is sold out.
    const grant: AccessGrant | null = await deps.access.readAccess(request.accessTokenFor?.(state.eventId), state.eventId);
    if (!grant) throw new AppError('ACCESS_MISSING');
    const nowMs = clock.nowMs();
    const held = state.held.get(request.buyerId) ?? 0;
    const decision = decideReservation(state, held, request.quantity, nowMs);
    if (!decision.ok) throw new AppError(decision.code, undefined, decision.details);
    book.take(state, request.buyerId, request.quantity);
    const row: ReservationRow = {
      kind: 'event', storeId: state.storeId, buyerId: request.buyerId, eventId: state.eventId, offerId, skuId: state.skuId,
      promoterId: grant.promoterId, linkId: grant.linkId, quantity: request.quantity, unitPriceFen: state.clearancePriceFen,
      perBuyerLimit: state.perBuyerLimit, payDeadline: isoUtc(payDeadlineMs(nowMs, config.paymentWindowMinutes)),
      createdAt: isoUtc(nowMs), addressJson: JSON.stringify(request.address), requestKey: request.idempotencyKey,
      joinMembership: request.joinMembership === true,
    };
    return commit(request, row, state.productTitle, () => book.giveBack(offerId, request.buyerId, request.quantity), state.eventId);
  }

  async function reservePublicSku(request: ReserveRequest, skuId: string): Promise<ReservedOrder> {
    const sku = await deps.catalog.getSkuForSale(skuId);
    if (!sku) throw new AppError('NOT_FOUND');
    if (sku.stockUnits < request.quantity) throw new AppError('SOLD_OUT', undefined, { available: sku.stockUnits });
    const nowMs = clock.nowMs();
    const row: ReservationRow = {
      kind: 'public', storeId: sku.storeId, buyerId: request.buyerId, eventId: null, offerId: null, skuId, promoterId: null, linkId: null,
      quantity: request.quantity, unitPriceFen: sku.publicPriceFen, perBuyerLimit: request.quantity,
      payDeadline: isoUtc(payDeadlineMs(nowMs, config.paymentWindowMinutes)), createdAt: isoUtc(nowMs), addressJson: JSON.stringify(request.address),
      requestKey: request.idempotencyKey, joinMembership: request.joinMembership === true,
    };
    return commit(request, row, sku.productTitle, () => {}, null);
  }

  async function commit(request: ReserveRequest, row: ReservationRow, productTitle: string, undo: () => void, eventId: string | null): Promise<ReservedOrder> {
    const answer = (orderId: number): ReservedOrder => ({
      id: orderId, status: 'pending_payment', kind: row.kind, storeId: row.storeId, eventId: row.eventId, offerId: row.offerId,
      skuId: row.skuId, productTitle, quantity: row.quantity, unitPriceFen: row.unitPriceFen, totalFen: row.unitPriceFen * row.quantity,
      payDeadline: row.payDeadline, createdAt: row.createdAt,
    });
    let outcome;
    try {
      outcome = await committer.submit({ row, idempotency: idempotencyOf(request), answer });
    } catch (error) {
      undo();
      throw error;
    }
    if (!outcome.ok) {
      // The database said no although memory said yes: another process took the units. Reload.
      undo();
      if (eventId) book.forgetEvent(eventId);
      throw new AppError(outcome.code);
    }
    return answer(outcome.orderId);
  }

  function idempotencyOf(request: ReserveRequest) {
    return {
      principal: request.buyerId,
      key: request.idempotencyKey,
      hash: requestHash(['reserve', request.offerId ?? null, request.skuId ?? null, request.quantity, request.address, request.joinMembership === true]),
    };
  }

  async function expireOverdue(): Promise<number> {
    let done = 0;
    const ids = await overdueOrderIds(db, clock.nowMs(), config.limits.expiryBatchMax);
    for (const id of ids) {
      const released = await cancelPendingOrder(db, id, 'payment_timeout', clock.nowMs());
      if (!released) continue;
      done += 1;
      if (released.offerId) book.giveBack(released.offerId, released.buyerId, released.quantity);
    }
    return done;
  }

  async function ownOrder(buyerId: string, orderId: number): Promise<OrderRecord> {
    const order = await findOrder(db, orderId);
    // Another buyer's order is answered exactly like a missing one.
    if (!order || order.buyerId !== buyerId) throw new AppError('NOT_FOUND');
    return order;
  }

  return {
    async reserve(request) {
      if ((request.offerId === undefined) === (request.skuId === undefined)) {
        throw new AppError('VALIDATION_FAILED', 'Send exactly one of offerId or skuId.');
      }
      const province = mainlandProvince(request.address.province);
      if (!province.ok) {
        const message = province.code === 'outside_mainland'
          ? '仅配送中国大陆地址 · Shipping is to mainland China only.'
          : '请填写省份,如"浙江省" · Name the province, e.g. 浙江省 or Zhejiang.';
        throw new AppError('VALIDATION_FAILED', message, { issues: [{ path: '/address/province', message }] });
      }
      const slot = `${request.buyerId}\u0000${request.idempotencyKey}`;
      const running = inFlight.get(slot);
      if (running) return running;
      const work = (async () => {
        const idem = idempotencyOf(request);
        const stored = await findIdempotent(db, idem.principal, idem.key, idem.hash);
        if (stored) return { statusCode: 200, order: stored.body as ReservedOrder };
        const order = request.offerId !== undefined ? await reserveEventOffer(request, request.offerId) : await reservePublicSku(request, request.skuId as string);
        return { statusCode: 201, order };
      })().finally(() => inFlight.delete(slot));
      inFlight.set(slot, work);
      return work;
    },

    async describeItem(item, accessTokenFor) {
      if (item.offerId !== undefined) {
        const state = await loadOffer(item.offerId);
        const grant = await deps.access.readAccess(accessTokenFor(state.eventId), state.eventId);
        if (!grant) throw new AppError('ACCESS_MISSING');
        const nowMs = clock.nowMs();
        if (nowMs < state.startsAtMs) throw new AppError('WINDOW_NOT_OPEN');
        if (nowMs >= state.endsAtMs) throw new AppError('WINDOW_CLOSED');
        return { kind: 'event', id: state.offerId, productTitle: state.productTitle, unitPriceFen: state.clearancePriceFen, perBuyerLimit: state.perBuyerLimit, eventId: state.eventId };
      }
      const sku = item.skuId !== undefined ? await deps.catalog.getSkuForSale(item.skuId) : null;
      if (!sku) throw new AppError('NOT_FOUND');
      return { kind: 'public', id: sku.id, productTitle: sku.productTitle, unitPriceFen: sku.publicPriceFen, perBuyerLimit: null, eventId: null };
    },

    order: ownOrder,
    orders: (buyerId) => ordersOfBuyer(db, buyerId, 100),

    async cancel(buyerId, orderId) {
      await ownOrder(buyerId, orderId);
      const released = await cancelPendingOrder(db, orderId, 'buyer_cancelled', clock.nowMs());
      if (!released) throw new AppError('CONFLICT', 'Only an order awaiting payment can be cancelled.');
      if (released.offerId) book.giveBack(released.offerId, released.buyerId, released.quantity);
      return ownOrder(buyerId, orderId);
    },

    async pay(buyerId, orderId, provider, idempotencyKey) {
      const hash = requestHash(['pay', orderId, provider]);
      const result = await ctx.idempotency.run(buyerId, idempotencyKey, hash, async () => {
        const order = await ownOrder(buyerId, orderId);
        if (order.status !== 'pending_payment' || Date.parse(order.payDeadline) <= clock.nowMs()) throw new AppError('ORDER_NOT_PAYABLE');
        const started = await deps.payments.startPayment({
          orderId, amountFen: order.totalFen, description: `${order.storeName} · ${order.productTitle} ×${order.quantity}`,
          expiresAt: order.payDeadline, provider,
        });
        return { statusCode: 200, body: started };
      });
      return result.body as StartedPayment;
    },

    expireOverdue,

    returnPaidUnits: (trx, orderId, quantity, cameBackFromBuyer) => returnPaidUnits(trx, orderId, quantity, cameBackFromBuyer),

    afterUnitsReturned(returned) {
      if (returned.target === 'offer' && returned.offerId !== null) book.giveBack(returned.offerId, returned.buyerId, returned.quantity);
    },

    useRefundLines(lines) {
      refundLinesOf = lines;
    },

    refundLines: (buyerId, orderId) => refundLinesOf(buyerId, orderId),

    async recover() {
      // Nothing to replay: every acknowledged order is in the database, and the book reloads from it.
      book.clear();
    },

    drain: () => committer.drain(),
  };
}

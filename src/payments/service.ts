// Payments: starts a payment with a provider, takes its signed notifications (duplicates and late
// ones included) and settles each exactly once. Whether a succeeded payment is accepted is asked of
// the order's owner (checkout) inside the same transaction; a rejected one is refunded by a job.
import type { Transaction } from 'kysely';
import type { AppContext } from '../platform/context.ts';
import type { Database, PaymentStatus } from '../platform/db/schema.ts';
import { isoUtc } from '../platform/clock.ts';
import { newId } from '../platform/ids.ts';
import { AppError } from '../platform/errors.ts';
import type { PaymentProvider } from './provider.ts';
import { createSandboxProvider, type SandboxProvider } from './sandbox.ts';

export interface PaymentSucceeded {
  orderId: number;
  paymentId: string;
  amountFen: number;
}

export type Settlement = { outcome: 'accepted' } | { outcome: 'rejected'; reason: string };

/** Decides, inside the payment's transaction, whether the order takes this payment. */
export type PaymentSucceededHandler = (trx: Transaction<Database>, payment: PaymentSucceeded) => Promise<Settlement>;

/** Runs inside the payment's transaction after the order took the payment (ledger, fraud checks). */
export type PaymentAcceptedHandler = (trx: Transaction<Database>, payment: PaymentSucceeded) => Promise<void>;

export interface StartedPayment {
  paymentId: string;
  provider: string;
  payUrl: string;
  amountFen: number;
  status: PaymentStatus;
}

export interface PaymentRecord {
  id: string;
  orderId: number;
  provider: string;
  amountFen: number;
  status: PaymentStatus;
  createdAt: string;
  succeededAt: string | null;
  refundedAt: string | null;
  note: string | null;
}

export interface PaymentsService {
  sandbox: SandboxProvider;
  providerNames(): string[];
  startPayment(input: { orderId: number; amountFen: number; description: string; expiresAt: string; provider: string }): Promise<StartedPayment>;
  /** Handles a provider's notification; 'processed' the first time, 'duplicate' after. */
  handleNotice(providerName: string, headers: Record<string, string | string[] | undefined>, body: unknown): Promise<'processed' | 'duplicate'>;
  onSucceeded(handler: PaymentSucceededHandler): void;
  /** Adds a step to every accepted payment's transaction, in the order added; a throw rolls it all back. */
  onAccepted(handler: PaymentAcceptedHandler): void;
  paymentsOfOrder(orderId: number): Promise<PaymentRecord[]>;
  orderIdOfPayment(paymentId: string): Promise<number>;
  /**
   * Refunds part (or all) of an order's accepted payment through its provider. Providers
   * deduplicate on `refundId`, so calling again with the same id pays nothing more: safe to retry.
   */
  refundOrderPayment(input: OrderRefund): Promise<void>;
}

export interface OrderRefund {
  orderId: number;
  /** Our id for this refund (the provider's out_refund_no). */
  refundId: string;
  amountFen: number;
  reason: string;
}

const REFUND_JOB = 'payments.refund';

export function createPaymentsService(ctx: AppContext): PaymentsService {
  const { db, clock, jobs, log } = ctx;
  const sandbox = createSandboxProvider(ctx);
  const providers = new Map<string, PaymentProvider>([[sandbox.name, sandbox]]);
  let succeededHandler: PaymentSucceededHandler | null = null;
  const acceptedHandlers: PaymentAcceptedHandler[] = [];

  function providerOf(name: string): PaymentProvider {
    const provider = providers.get(name);
    if (!provider) throw new AppError('VALIDATION_FAILED', `unknown payment provider ${name}`);
    return provider;
  }

  jobs.on(REFUND_JOB, async (payload) => {
    const { paymentId, reason } = payload as { paymentId: string; reason: string };
    const payment = await db.selectFrom('payments').selectAll().where('id', '=', paymentId).executeTakeFirst();
    if (!payment || payment.status !== 'refund_pending' || payment.provider_ref === null) return;
    await providerOf(payment.provider).refund({
      providerRef: payment.provider_ref,
      paymentId,
      refundId: `${paymentId}-auto`,
      amountFen: payment.amount_fen,
      reason,
    });
    await db.updateTable('payments').set({ status: 'refunded', refunded_at: isoUtc(clock.nowMs()) })
      .where('id', '=', paymentId).where('status', '=', 'refund_pending').execute();
    log.info({ paymentId, orderId: payment.order_id, reason }, 'payment refunded');
  });

  return {
    sandbox,
    providerNames: () => [...providers.keys()],

    async startPayment(input) {
      const provider = providerOf(input.provider);
      // One open payment per order and provider: asking again returns the same cashier.
      const open = await db.selectFrom('payments').selectAll().where('order_id', '=', input.orderId)
        .where('provider', '=', provider.name).where('status', '=', 'created').executeTakeFirst();
      if (open && open.provider_ref !== null && open.amount_fen === input.amountFen) {
        return { paymentId: open.id, provider: provider.name, payUrl: payUrlOf(provider.name, open.provider_ref), amountFen: open.amount_fen, status: open.status };
      }
      const nowMs = clock.nowMs();
      const paymentId = newId('pay', nowMs);
      await db.insertInto('payments').values({
        id: paymentId, order_id: input.orderId, provider: provider.name, provider_ref: null, amount_fen: input.amountFen,
        status: 'created', created_at: isoUtc(nowMs), succeeded_at: null, refunded_at: null, note: null,
      }).execute();
      const created = await provider.createPayment({ paymentId, amountFen: input.amountFen, description: input.description, expiresAt: input.expiresAt });
      await db.updateTable('payments').set({ provider_ref: created.providerRef }).where('id', '=', paymentId).execute();
      return { paymentId, provider: provider.name, payUrl: created.payUrl, amountFen: input.amountFen, status: 'created' };
    },

    async handleNotice(providerName, headers, body) {
      const provider = providerOf(providerName);
      const notice = provider.verifyNotice(headers, body);
      if (!notice) throw new AppError('PAYMENT_SIGNATURE_INVALID');
      const nowMs = clock.nowMs();
      return db.transaction().execute(async (trx) => {
        const payment = await trx.selectFrom('payments').selectAll().where('id', '=', notice.paymentId).executeTakeFirst();
        if (!payment || payment.provider !== provider.name || payment.provider_ref !== notice.providerRef || payment.amount_fen !== notice.amountFen) {
          log.warn({ paymentId: notice.paymentId }, 'a signed notice does not match our payment');
          throw new AppError('NOT_FOUND');
        }
        const claimed = await trx.updateTable('payments').set({ status: 'succeeded', succeeded_at: notice.paidAt })
          .where('id', '=', payment.id).where('status', '=', 'created').executeTakeFirst();
        if (Number(claimed.numUpdatedRows) === 0) return 'duplicate' as const;
        if (!succeededHandler) throw new Error('no handler for succeeded payments');
        const succeeded = { orderId: payment.order_id, paymentId: payment.id, amountFen: payment.amount_fen };
        const settlement = await succeededHandler(trx, succeeded);
        if (settlement.outcome === 'accepted') {
          for (const handler of acceptedHandlers) await handler(trx, succeeded);
        } else {
          await trx.updateTable('payments').set({ status: 'refund_pending', note: settlement.reason }).where('id', '=', payment.id).execute();
          await jobs.enqueue(REFUND_JOB, { paymentId: payment.id, reason: settlement.reason }, nowMs, trx);
          log.info({ paymentId: payment.id, orderId: payment.order_id, reason: settlement.reason }, 'payment rejected, refund queued');
        }
        return 'processed' as const;
      });
    },

    onSucceeded(handler) {
      succeededHandler = handler;
    },

    onAccepted(handler) {
      acceptedHandlers.push(handler);
    },

    async orderIdOfPayment(paymentId) {
      const row = await db.selectFrom('payments').select('order_id').where('id', '=', paymentId).executeTakeFirst();
      if (!row) throw new AppError('NOT_FOUND');
      return row.order_id;
    },

    async refundOrderPayment(input) {
      if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) throw new Error(`a refund of ${input.amountFen} fen`);
      const payment = await db.selectFrom('payments').select(['id', 'provider', 'provider_ref', 'amount_fen']).where('order_id', '=', input.orderId)
        .where('status', '=', 'succeeded').executeTakeFirst();
      // An order is paid by exactly one accepted payment (markPaid); without one there is nothing to refund.
      if (!payment || payment.provider_ref === null) throw new Error(`order ${input.orderId} has no accepted payment to refund`);
      if (input.amountFen > payment.amount_fen) throw new Error(`a refund of ${input.amountFen} fen on a payment of ${payment.amount_fen}`);
      await providerOf(payment.provider).refund({
        providerRef: payment.provider_ref, paymentId: payment.id, refundId: input.refundId, amountFen: input.amountFen, reason: input.reason,
      });
      log.info({ paymentId: payment.id, orderId: input.orderId, refundId: input.refundId, amountFen: input.amountFen }, 'order payment refunded');
    },

    async paymentsOfOrder(orderId) {
      const rows = await db.selectFrom('payments').selectAll().where('order_id', '=', orderId).orderBy('created_at').execute();
      return rows.map((r) => ({
        id: r.id, orderId: r.order_id, provider: r.provider, amountFen: r.amount_fen, status: r.status,
        createdAt: r.created_at, succeededAt: r.succeeded_at, refundedAt: r.refunded_at, note: r.note,
      }));
    },
  };
}

function payUrlOf(provider: string, providerRef: string): string {
  return provider === 'sandbox' ? `/sandbox/pay/${providerRef}` : '';
}


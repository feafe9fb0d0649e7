// The built-in sandbox payment provider. It behaves like a real one: a cashier page with a
// confirm step, then an asynchronous signed notification, delivered late (a delay) and, by
// default, twice — so the handling of duplicates and late notices is exercised on every payment.
import { sql } from 'kysely';
import type { AppContext } from '../platform/context.ts';
import { isoUtc } from '../platform/clock.ts';
import { randomToken } from '../platform/ids.ts';
import { AppError } from '../platform/errors.ts';
import type { CreatePaymentInput, CreatedPayment, PaymentNotice, PaymentProvider, RefundInput } from './provider.ts';

export const SANDBOX_NOTIFY_PATH = '/api/v1/payments/notify/sandbox';
const SIGNATURE_HEADER = 'x-sandbox-signature';
const NOTIFY_JOB = 'sandbox.notify';

/** Sends a notification to our notify endpoint: status code back, like an HTTP POST. */
export type NoticeTransport = (path: string, body: unknown, headers: Record<string, string>) => Promise<number>;

export interface SandboxNoticeBody {
  sandboxPaymentId: string;
  paymentId: string;
  amountFen: number;
  paidAt: string;
}

export interface SandboxProvider extends PaymentProvider {
  /** The buyer presses "confirm" on the cashier page. */
  confirm(sandboxPaymentId: string): Promise<{ amountFen: number; status: string }>;
  describe(sandboxPaymentId: string): Promise<{ amountFen: number; description: string; status: string; paymentId: string } | null>;
  useTransport(transport: NoticeTransport): void;
}

function canonical(body: SandboxNoticeBody): string {
  return `${body.sandboxPaymentId}|${body.paymentId}|${body.amountFen}|${body.paidAt}`;
}

export function createSandboxProvider(ctx: AppContext): SandboxProvider {
  const { db, clock, signer, config, jobs } = ctx;
  let transport: NoticeTransport | null = null;

  jobs.on(NOTIFY_JOB, async (payload) => {
    const body = payload as SandboxNoticeBody;
    if (!transport) throw new Error('the sandbox has no transport yet');
    const status = await transport(SANDBOX_NOTIFY_PATH, body, { [SIGNATURE_HEADER]: signer.sign('sandbox-notify', canonical(body)) });
    // Like a real provider: anything but a 2xx is retried later by the job runner.
    if (status < 200 || status >= 300) throw new Error(`notify answered ${status}`);
  });

  return {
    name: 'sandbox',
    useTransport(t) {
      transport = t;
    },

    async createPayment(input: CreatePaymentInput): Promise<CreatedPayment> {
      const id = `sbx_${randomToken(18)}`;
      await db.insertInto('sandbox_payments').values({
        id,
        merchant_ref: input.paymentId,
        amount_fen: input.amountFen,
        description: input.description,
        notify_url: SANDBOX_NOTIFY_PATH,
        status: 'awaiting',
        created_at: isoUtc(clock.nowMs()),
        paid_at: null,
        refunded_fen: 0,
      }).execute();
      return { providerRef: id, payUrl: `/sandbox/pay/${id}` };
    },

    async describe(sandboxPaymentId) {
      const row = await db.selectFrom('sandbox_payments').selectAll().where('id', '=', sandboxPaymentId).executeTakeFirst();
      return row ? { amountFen: row.amount_fen, description: row.description, status: row.status, paymentId: row.merchant_ref } : null;
    },

    async confirm(sandboxPaymentId) {
      const nowMs = clock.nowMs();
      const paidAt = isoUtc(nowMs);
      const row = await db.transaction().execute(async (trx) => {
        const updated = await trx.updateTable('sandbox_payments').set({ status: 'paid', paid_at: paidAt })
          .where('id', '=', sandboxPaymentId).where('status', '=', 'awaiting').executeTakeFirst();
        const current = await trx.selectFrom('sandbox_payments').selectAll().where('id', '=', sandboxPaymentId).executeTakeFirst();
        if (!current) throw new AppError('NOT_FOUND');
        if (Number(updated.numUpdatedRows) === 0) return { current, fresh: false };
        return { current, fresh: true };
      });
      if (row.fresh) {
        const body: SandboxNoticeBody = { sandboxPaymentId, paymentId: row.current.merchant_ref, amountFen: row.current.amount_fen, paidAt };
        await jobs.enqueue(NOTIFY_JOB, body, nowMs + config.sandboxNotifyDelayMs);
        if (config.sandboxNotifyTwice) await jobs.enqueue(NOTIFY_JOB, body, nowMs + 2 * config.sandboxNotifyDelayMs + 1000);
      }
      return { amountFen: row.current.amount_fen, status: row.current.status };
    },

    verifyNotice(headers, body): PaymentNotice | null {
      const signature = headers[SIGNATURE_HEADER];
      if (typeof signature !== 'string') return null;
      const notice = body as SandboxNoticeBody;
      if (!signer.verify('sandbox-notify', canonical(notice), signature)) return null;
      return { providerRef: notice.sandboxPaymentId, paymentId: notice.paymentId, amountFen: notice.amountFen, paidAt: notice.paidAt };
    },

    async refund(input: RefundInput): Promise<void> {
      // Deduplicated on the refund id, like a real provider's out_refund_no: a repeat pays nothing.
      // Partial refunds add up; the payment turns 'refunded' once all of it went back.
      await db.transaction().execute(async (trx) => {
        const claimed = await trx.insertInto('sandbox_refunds').values({
          refund_id: input.refundId, sandbox_payment_id: input.providerRef, amount_fen: input.amountFen, reason: input.reason.slice(0, 500),
          created_at: isoUtc(clock.nowMs()),
        }).onConflict((oc) => oc.column('refund_id').doNothing()).executeTakeFirst();
        if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return;
        const paid = await trx.updateTable('sandbox_payments').set({
          refunded_fen: sql`refunded_fen + ${input.amountFen}`,
          status: sql`case when refunded_fen + ${input.amountFen} = amount_fen then 'refunded' else status end`,
        }).where('id', '=', input.providerRef).where('status', '=', 'paid')
          .where(sql<boolean>`refunded_fen + ${input.amountFen} <= amount_fen`).executeTakeFirst();
        // Like a provider refusing: nothing was refunded, the caller retries or gives up.
        if (Number(paid.numUpdatedRows) === 0) throw new Error(`sandbox: refund ${input.refundId} refused (not paid, or more than is left)`);
      });
    },
  };
}

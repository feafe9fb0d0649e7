// The built-in sandbox payout provider: records each batch in sandbox_payouts (once per batch id)
// and reports completion later through a job, by default twice, like a real provider's callbacks.
// Tests (and demos) choose payees whose transfer fails with failPayee.
import type { AppContext } from '../platform/context.ts';
import { isoUtc } from '../platform/clock.ts';
import { randomToken } from '../platform/ids.ts';
import type { PayoutProvider, PayoutReport, PayoutReportHandler, SubmitBatchInput } from './provider.ts';

const REPORT_JOB = 'sandbox.payout_report';

export interface SandboxPayoutProvider extends PayoutProvider {
  /** Transfers to this payee fail (in this process) until cleared with reason null. */
  failPayee(payeeId: string, reason: string | null): void;
}

export function createSandboxPayoutProvider(ctx: AppContext): SandboxPayoutProvider {
  const { db, clock, config, jobs } = ctx;
  let handler: PayoutReportHandler | null = null;
  const failing = new Map<string, string>();

  jobs.on(REPORT_JOB, async (payload) => {
    const report = payload as PayoutReport;
    if (!handler) throw new Error('the sandbox payout provider has no report handler');
    await db.updateTable('sandbox_payouts').set({ status: 'paid', paid_at: report.completedAt })
      .where('id', '=', report.providerRef).where('status', '=', 'submitted').execute();
    await handler(report);
  });

  return {
    name: 'sandbox',
    onReport(h) {
      handler = h;
    },
    failPayee(payeeId, reason) {
      if (reason === null) failing.delete(payeeId);
      else failing.set(payeeId, reason);
    },

    async submitBatch(input: SubmitBatchInput) {
      const nowMs = clock.nowMs();
      const inserted = await db.insertInto('sandbox_payouts').values({
        id: `sbp_${randomToken(18)}`, merchant_ref: input.batchId, total_fen: input.totalFen, item_count: input.items.length,
        status: 'submitted', created_at: isoUtc(nowMs), paid_at: null,
      }).onConflict((oc) => oc.column('merchant_ref').doNothing()).returning('id').executeTakeFirst();
      const row = await db.selectFrom('sandbox_payouts').select('id').where('merchant_ref', '=', input.batchId).executeTakeFirstOrThrow();
      if (inserted) {
        // The outcome is decided now and carried by the report, so a repeated report says the same.
        const report: PayoutReport = {
          batchId: input.batchId, providerRef: row.id, completedAt: isoUtc(nowMs + config.sandboxNotifyDelayMs),
          items: input.items.map((item) => {
            const reason = failing.get(item.payeeId);
            return reason === undefined ? { itemId: item.itemId, outcome: 'paid' as const } : { itemId: item.itemId, outcome: 'failed' as const, reason };
          }),
        };
        await jobs.enqueue(REPORT_JOB, report, nowMs + config.sandboxNotifyDelayMs);
        if (config.sandboxNotifyTwice) await jobs.enqueue(REPORT_JOB, report, nowMs + 2 * config.sandboxNotifyDelayMs + 1000);
      }
      return { providerRef: row.id };
    },
  };
}

// Payouts: an operator builds a batch of every payee with a positive available balance (one ledger
// entry per item, available -> payouts:transit, one transaction, serialised per payee kind),
// submits it to the provider, and the provider's report settles it once: paid items move
// transit -> clearing in one entry, failed items go back to available.
import type { AppContext } from '../platform/context.ts';
import type { PayeeKind, PayoutBatchStatus, PayoutBatchesTable, PayoutItemsTable } from '../platform/db/schema.ts';
import type { Principal } from '../platform/auth.ts';
import { isoUtc } from '../platform/clock.ts';
import { newId } from '../platform/ids.ts';
import { AppError } from '../platform/errors.ts';
import { requestHash } from '../platform/idempotency.ts';
import type { LedgerService } from '../ledger/service.ts';
import { accounts, availableAccount, type Posting } from '../ledger/rules.ts';
import type { PayoutReport } from './provider.ts';
import { createSandboxPayoutProvider, type SandboxPayoutProvider } from './sandbox.ts';
import * as store from './store.ts';

export interface PayoutItemView {
  id: string;
  payeeId: string;
  amountFen: number;
  status: PayoutItemsTable['status'];
  failureReason: string | null;
  paidAt: string | null;
}

export interface PayoutBatchView {
  id: string;
  payeeKind: PayeeKind;
  provider: string;
  status: PayoutBatchStatus;
  totalFen: number;
  itemCount: number;
  providerRef: string | null;
  createdBy: string;
  createdAt: string;
  submittedAt: string | null;
  paidAt: string | null;
  items?: PayoutItemView[];
}

export interface PayoutsService {
  sandbox: SandboxPayoutProvider;
  /** Builds a batch (Idempotency-Key: a retry gets the first answer); NOTHING_TO_PAY when no balance qualifies. */
  createBatch(by: Principal, input: { payeeKind: PayeeKind; minAmountFen?: number }, idempotencyKey: string): Promise<PayoutBatchView>;
  submit(by: Principal, batchId: string, idempotencyKey: string): Promise<PayoutBatchView>;
  /** The provider's report: settles the batch once; 'duplicate' for a repeat. */
  handleReport(report: PayoutReport): Promise<'processed' | 'duplicate'>;
  get(batchId: string): Promise<PayoutBatchView>;
  list(filter: { status?: PayoutBatchStatus; payeeKind?: PayeeKind }): Promise<PayoutBatchView[]>;
}

const LIST_MAX = 100;

export function createPayoutsService(ctx: AppContext, deps: { ledger: LedgerService }): PayoutsService {
  const { db, clock, config, log } = ctx;
  const sandbox = createSandboxPayoutProvider(ctx);
  sandbox.onReport(async (report) => {
    await handleReport(report);
  });

  async function buildBatch(by: Principal, payeeKind: PayeeKind, minAmountFen: number): Promise<string> {
    return db.transaction().execute(async (trx) => {
      const nowMs = clock.nowMs();
      const batchId = newId('pob', nowMs);
      await store.takeGuard(trx, payeeKind, batchId, nowMs);
      const payable = await deps.ledger.payableBalances(trx, payeeKind, minAmountFen, config.limits.payoutItemsMax);
      if (payable.length === 0) throw new AppError('NOTHING_TO_PAY');
      const items: PayoutItemsTable[] = payable.map((p) => ({
        id: newId('poi', nowMs), batch_id: batchId, payee_id: p.payeeId, amount_fen: p.balanceFen, status: 'pending', failure_reason: null, paid_at: null,
      }));
      const totalFen = items.reduce((sum, item) => sum + item.amount_fen, 0);
      await store.insertBatch(trx, {
        id: batchId, payee_kind: payeeKind, provider: sandbox.name, status: 'created', total_fen: totalFen, item_count: items.length,
        provider_ref: null, created_by: by.userId, created_at: isoUtc(nowMs), submitted_at: null, paid_at: null,
      }, items);
      await deps.ledger.recordFresh(trx, items.map((item) => ({
        entry: { kind: 'payout' as const, dedupeKey: `payout:${item.id}`, storeId: payeeKind === 'merchant' ? item.payee_id : null, memo: batchId },
        postings: [
          { account: availableAccount(payeeKind, item.payee_id), ownerId: item.payee_id, amountFen: -item.amount_fen },
          { account: accounts.transit, ownerId: item.payee_id, amountFen: item.amount_fen },
        ],
      })));
      log.info({ batchId, payeeKind, items: items.length, totalFen }, 'payout batch created');
      return batchId;
    });
  }

  async function handleReport(report: PayoutReport): Promise<'processed' | 'duplicate'> {
    return db.transaction().execute(async (trx) => {
      const batch = await store.findBatch(trx, report.batchId);
      if (!batch || batch.provider_ref !== report.providerRef) {
        // Not submitted yet (the report beat our own write) or not ours: the provider retries.
        throw new Error(`payouts: a report for batch ${report.batchId} that is not submitted under ${report.providerRef}`);
      }
      const items = await store.itemsOf(trx, batch.id);
      const outcomes = new Map(report.items.map((i) => [i.itemId, i]));
      if (items.some((item) => !outcomes.has(item.id)) || outcomes.size !== items.length) throw new Error(`payouts: the report of ${batch.id} does not cover its items`);
      const paid = items.filter((item) => outcomes.get(item.id)?.outcome === 'paid');
      if (!(await store.markCompleted(trx, batch.id, paid.length > 0 ? 'paid' : 'failed', report.completedAt))) return 'duplicate' as const;
      const kind = batch.payee_kind;
      for (const item of items) {
        const outcome = outcomes.get(item.id);
        if (outcome?.outcome === 'paid') await store.settleItem(trx, item.id, { status: 'paid', paidAt: report.completedAt });
        else await store.settleItem(trx, item.id, { status: 'failed', reason: outcome?.reason ?? 'failed' });
      }
      if (paid.length > 0) {
        const paidFen = paid.reduce((sum, item) => sum + item.amount_fen, 0);
        const postings: Posting[] = [
          ...paid.map((item) => ({ account: accounts.transit, ownerId: item.payee_id, amountFen: -item.amount_fen })),
          { account: accounts.clearing, ownerId: null, amountFen: paidFen },
        ];
        await deps.ledger.record(trx, { kind: 'payout_paid', dedupeKey: `payout-batch:${batch.id}:paid`, memo: batch.id }, postings);
      }
      const failed = items.filter((item) => outcomes.get(item.id)?.outcome !== 'paid');
      await deps.ledger.recordFresh(trx, failed.map((item) => ({
        entry: { kind: 'payout_failed' as const, dedupeKey: `payout:${item.id}:failed`, storeId: kind === 'merchant' ? item.payee_id : null, memo: outcomes.get(item.id)?.reason ?? '' },
        postings: [
          { account: accounts.transit, ownerId: item.payee_id, amountFen: -item.amount_fen },
          { account: availableAccount(kind, item.payee_id), ownerId: item.payee_id, amountFen: item.amount_fen },
        ],
      })));
      log.info({ batchId: batch.id, paid: paid.length, failed: failed.length }, 'payout batch settled');
      return 'processed' as const;
    });
  }

  async function get(batchId: string): Promise<PayoutBatchView> {
    const batch = await store.findBatch(db, batchId);
    if (!batch) throw new AppError('NOT_FOUND');
    return { ...viewOf(batch), items: (await store.itemsOf(db, batchId)).map(itemView) };
  }

  return {
    sandbox,
    handleReport,
    get,

    async createBatch(by, input, idempotencyKey) {
      const minAmountFen = input.minAmountFen ?? 1;
      const hash = requestHash(['payout-batch', input.payeeKind, minAmountFen]);
      const result = await ctx.idempotency.run(by.userId, idempotencyKey, hash, async () => {
        const batchId = await buildBatch(by, input.payeeKind, minAmountFen);
        return { statusCode: 201, body: await get(batchId) };
      });
      return result.body as PayoutBatchView;
    },

    async submit(by, batchId, idempotencyKey) {
      const result = await ctx.idempotency.run(by.userId, idempotencyKey, requestHash(['payout-submit', batchId]), async () => {
        const batch = await store.findBatch(db, batchId);
        if (!batch) throw new AppError('NOT_FOUND');
        if (batch.status !== 'created') throw new AppError('CONFLICT', `the batch is ${batch.status}, not created`);
        const items = await store.itemsOf(db, batchId);
        // The provider deduplicates on the batch id, so a retry after a crash here pays nothing twice.
        const { providerRef } = await sandbox.submitBatch({
          batchId, totalFen: batch.total_fen, items: items.map((i) => ({ itemId: i.id, payeeKind: batch.payee_kind, payeeId: i.payee_id, amountFen: i.amount_fen })),
        });
        if (!(await store.markSubmitted(db, batchId, providerRef, clock.nowMs()))) throw new AppError('CONFLICT', 'the batch was submitted meanwhile');
        return { statusCode: 200, body: await get(batchId) };
      });
      return result.body as PayoutBatchView;
    },

    async list(filter) {
      return (await store.listBatches(db, filter, LIST_MAX)).map(viewOf);
    },
  };
}

function viewOf(b: PayoutBatchesTable): PayoutBatchView {
  return {
    id: b.id, payeeKind: b.payee_kind, provider: b.provider, status: b.status, totalFen: b.total_fen, itemCount: b.item_count, providerRef: b.provider_ref,
    createdBy: b.created_by, createdAt: b.created_at, submittedAt: b.submitted_at, paidAt: b.paid_at,
  };
}

function itemView(i: PayoutItemsTable): PayoutItemView {
  return { id: i.id, payeeId: i.payee_id, amountFen: i.amount_fen, status: i.status, failureReason: i.failure_reason, paidAt: i.paid_at };
}

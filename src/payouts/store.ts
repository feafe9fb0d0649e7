// Payouts' SQL: the guard row that serialises batch creation, batches and their items.
import type { Kysely } from 'kysely';
import type { Database, PayeeKind, PayoutBatchStatus, PayoutBatchesTable, PayoutItemsTable } from '../platform/db/schema.ts';
import { isoUtc } from '../platform/clock.ts';

type Executor = Kysely<Database>;

/**
 * The first write of a batch's transaction: updating the payee kind's guard row takes its lock on
 * PostgreSQL (a second creation waits here, then reads the balances the first one left) and makes
 * the SQLite transaction the single writer. So two creations never pay the same balance twice.
 */
export async function takeGuard(db: Executor, kind: PayeeKind, batchId: string, nowMs: number): Promise<void> {
  const result = await db.updateTable('payout_guards').set({ last_batch_id: batchId, updated_at: isoUtc(nowMs) }).where('payee_kind', '=', kind).executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new Error(`payouts: no guard row for ${kind}`);
}

export async function insertBatch(db: Executor, batch: PayoutBatchesTable, items: PayoutItemsTable[]): Promise<void> {
  await db.insertInto('payout_batches').values(batch).execute();
  for (let i = 0; i < items.length; i += 500) await db.insertInto('payout_items').values(items.slice(i, i + 500)).execute();
}

export async function findBatch(db: Executor, batchId: string): Promise<PayoutBatchesTable | undefined> {
  return db.selectFrom('payout_batches').selectAll().where('id', '=', batchId).executeTakeFirst();
}

export async function itemsOf(db: Executor, batchId: string): Promise<PayoutItemsTable[]> {
  return db.selectFrom('payout_items').selectAll().where('batch_id', '=', batchId).orderBy('payee_id').execute();
}

export async function listBatches(db: Executor, filter: { status?: PayoutBatchStatus; payeeKind?: PayeeKind }, limit: number): Promise<PayoutBatchesTable[]> {
  let query = db.selectFrom('payout_batches').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.payeeKind) query = query.where('payee_kind', '=', filter.payeeKind);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

/** created -> submitted, once. */
export async function markSubmitted(db: Executor, batchId: string, providerRef: string, nowMs: number): Promise<boolean> {
  const result = await db.updateTable('payout_batches').set({ status: 'submitted', provider_ref: providerRef, submitted_at: isoUtc(nowMs) })
    .where('id', '=', batchId).where('status', '=', 'created').executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** submitted -> paid | failed, once: of two reports only one sees a row change. */
export async function markCompleted(db: Executor, batchId: string, status: 'paid' | 'failed', completedAt: string): Promise<boolean> {
  const result = await db.updateTable('payout_batches').set({ status, paid_at: status === 'paid' ? completedAt : null })
    .where('id', '=', batchId).where('status', '=', 'submitted').executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function settleItem(db: Executor, itemId: string, outcome: { status: 'paid'; paidAt: string } | { status: 'failed'; reason: string }): Promise<void> {
  const result = await db.updateTable('payout_items')
    .set(outcome.status === 'paid' ? { status: 'paid', paid_at: outcome.paidAt } : { status: 'failed', failure_reason: outcome.reason.slice(0, 500) })
    .where('id', '=', itemId).where('status', '=', 'pending').executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new Error(`payouts: item ${itemId} was not pending`);
}

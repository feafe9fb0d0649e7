// The ledger's SQL: entries and their postings (append-only; the database refuses UPDATE and
// DELETE), the split of each paid order, the hold of orders, balances and the balance audit.
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import type { Database, LedgerOrderPartsTable } from '../platform/db/schema.ts';
import { isoUtc } from '../platform/clock.ts';
import { assertBalanced, type Posting, type Split } from './rules.ts';

type Executor = Kysely<Database>;

/** Rows per multi-row insert: well under both engines' parameter caps (6 columns each). */
const POSTINGS_PER_INSERT = 500;

export interface EntryInput {
  kind: 'order_paid' | 'refund' | 'release' | 'payout' | 'payout_paid' | 'payout_failed';
  dedupeKey: string;
  orderId?: number | null;
  eventId?: string | null;
  storeId?: string | null;
  memo?: string;
}

/**
 * Claims an entry by its dedupe key (insert-or-ignore on the UNIQUE key: on PostgreSQL a concurrent
 * twin waits for the first to commit, then finds it); null when the fact was already recorded.
 */
export async function claimEntry(db: Executor, entry: EntryInput, nowMs: number): Promise<number | null> {
  const row = await db.insertInto('ledger_entries').values({
    kind: entry.kind, dedupe_key: entry.dedupeKey, order_id: entry.orderId ?? null, event_id: entry.eventId ?? null,
    store_id: entry.storeId ?? null, memo: entry.memo ?? '', created_at: isoUtc(nowMs),
  }).onConflict((oc) => oc.column('dedupe_key').doNothing()).returning('id').executeTakeFirst();
  return row ? row.id : null;
}

/** Writes the postings of a claimed entry, after checking they sum to zero. */
export async function writePostings(db: Executor, entryId: number, postings: readonly Posting[], nowMs: number): Promise<void> {
  assertBalanced(postings);
  const createdAt = isoUtc(nowMs);
  for (let i = 0; i < postings.length; i += POSTINGS_PER_INSERT) {
    await db.insertInto('ledger_postings').values(postings.slice(i, i + POSTINGS_PER_INSERT).map((p) => ({
      entry_id: entryId, account: p.account, owner_id: p.ownerId, amount_fen: p.amountFen, created_at: createdAt,
    }))).execute();
  }
}

/** Records one business fact once: the entry and its balanced postings; false when it already was. */
export async function recordEntry(db: Executor, entry: EntryInput, postings: readonly Posting[], nowMs: number): Promise<boolean> {
  assertBalanced(postings);
  const entryId = await claimEntry(db, entry, nowMs);
  if (entryId === null) return false;
  await writePostings(db, entryId, postings, nowMs);
  return true;
}

/**
 * Records many fresh facts at once (multi-row inserts; for payout batches). Every key must be new:
 * a taken key makes the insert fail and the caller's transaction roll back.
 */
export async function recordFreshEntries(db: Executor, items: ReadonlyArray<{ entry: EntryInput; postings: readonly Posting[] }>, nowMs: number): Promise<void> {
  const createdAt = isoUtc(nowMs);
  for (const item of items) assertBalanced(item.postings);
  for (let i = 0; i < items.length; i += POSTINGS_PER_INSERT) {
    const chunk = items.slice(i, i + POSTINGS_PER_INSERT);
    const rows = await db.insertInto('ledger_entries').values(chunk.map(({ entry }) => ({
      kind: entry.kind, dedupe_key: entry.dedupeKey, order_id: entry.orderId ?? null, event_id: entry.eventId ?? null,
      store_id: entry.storeId ?? null, memo: entry.memo ?? '', created_at: createdAt,
    }))).returning(['id', 'dedupe_key']).execute();
    const idOf = new Map(rows.map((r) => [r.dedupe_key, r.id]));
    const postings = chunk.flatMap(({ entry, postings: legs }) => legs.map((p) => ({
      entry_id: idOf.get(entry.dedupeKey) as number, account: p.account, owner_id: p.ownerId, amount_fen: p.amountFen, created_at: createdAt,
    })));
    if (postings.some((p) => p.entry_id === undefined)) throw new Error('ledger: an entry of the chunk was not written');
    for (let j = 0; j < postings.length; j += POSTINGS_PER_INSERT) await db.insertInto('ledger_postings').values(postings.slice(j, j + POSTINGS_PER_INSERT)).execute();
  }
}

/** What the split of a paid order needs, read inside the payment's transaction. */
export async function paidOrderFacts(db: Executor, orderId: number) {
  return db.selectFrom('orders')
    .innerJoin('users as buyer', 'buyer.id', 'orders.buyer_id')
    .leftJoin('events', 'events.id', 'orders.event_id')
    .leftJoin('channels', 'channels.id', 'events.channel_id')
    .select([
      'orders.id', 'orders.store_id', 'orders.event_id', 'orders.promoter_id', 'orders.buyer_id', 'orders.total_fen', 'orders.paid_at',
      'buyer.mobile as buyer_mobile', 'events.commission_rate_bp', 'events.terms_json',
      'channels.default_commission_rate_bp', 'channels.platform_fee_rate_bp', 'channels.leader_override_rate_bp',
    ])
    .where('orders.id', '=', orderId).executeTakeFirst();
}

/** The credited promoter: mobile, vetting status, team leader (and the leader's status). */
export async function promoterFacts(db: Executor, promoterId: string) {
  return db.selectFrom('users')
    .leftJoin('promoter_profiles as profile', 'profile.user_id', 'users.id')
    .leftJoin('promoter_profiles as leader', 'leader.user_id', 'profile.leader_id')
    .select(['users.mobile', 'profile.status', 'profile.leader_id', 'leader.status as leader_status'])
    .where('users.id', '=', promoterId).executeTakeFirst();
}

export async function insertParts(db: Executor, row: LedgerOrderPartsTable): Promise<void> {
  await db.insertInto('ledger_order_parts').values(row).onConflict((oc) => oc.column('order_id').doNothing()).execute();
}

export async function partsOfOrder(db: Executor, orderId: number): Promise<LedgerOrderPartsTable | undefined> {
  return db.selectFrom('ledger_order_parts').selectAll().where('order_id', '=', orderId).executeTakeFirst();
}

export function splitOfRow(row: LedgerOrderPartsTable): Split {
  return { totalFen: row.total_fen, commissionFen: row.commission_fen, overrideFen: row.override_fen, feeFen: row.fee_fen, feeGrossFen: row.fee_gross_fen, merchantFen: row.merchant_fen };
}

export async function flagSelfPurchase(db: Executor, input: { orderId: number; eventId: string | null; promoterId: string; buyerId: string }, nowMs: number): Promise<void> {
  await db.insertInto('fraud_flags').values({
    kind: 'self_purchase', event_id: input.eventId, order_id: input.orderId, promoter_id: input.promoterId, buyer_id: input.buyerId,
    detail_json: JSON.stringify({ reason: 'the buyer and the credited promoter have the same mobile number; no commission was credited' }),
    dedupe_key: `self_purchase:${input.orderId}`, created_at: isoUtc(nowMs), resolved_at: null, resolved_by: null,
  }).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
}

/**
 * Takes the order row's write lock (a no-op update), so refunds and the release of one order run one
 * at a time and each sees what the other committed (PostgreSQL READ COMMITTED re-reads after the wait;
 * on SQLite it makes the transaction the writer at once).
 */
export async function lockOrder(db: Executor, orderId: number): Promise<void> {
  await db.updateTable('orders').set({ refunded_fen: sql`refunded_fen` }).where('id', '=', orderId).execute();
}

export async function holdOfOrder(db: Executor, orderId: number) {
  return db.selectFrom('orders').select(['id', 'status', 'store_id', 'event_id', 'total_fen', 'refunded_fen', 'released_at', 'shipped_at', 'delivered_at'])
    .where('id', '=', orderId).executeTakeFirst();
}

/** Raises refunded_fen, never above the total, only on a paid order; false when refused. */
export async function raiseRefunded(db: Executor, orderId: number, amountFen: number): Promise<boolean> {
  const result = await db.updateTable('orders').set({ refunded_fen: sql`refunded_fen + ${amountFen}` })
    .where('id', '=', orderId).where('status', '=', 'paid').where(sql<boolean>`refunded_fen + ${amountFen} <= total_fen`).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Marks the hold over, once (conditional): false when another release got there first. */
export async function markReleased(db: Executor, orderId: number, nowMs: number): Promise<boolean> {
  const result = await db.updateTable('orders').set({ released_at: isoUtc(nowMs) })
    .where('id', '=', orderId).where('released_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Paid orders still on hold whose return window has closed, oldest first (partial-index reads): the
 * window is each store's own return_days after delivery, so one read per distinct value (a handful).
 * An order with a return still open (asked in time, not yet received, rejected or withdrawn) stays on
 * hold until the return is settled: its window has not really closed.
 */
export async function ordersDueForRelease(db: Executor, nowMs: number, shippedBefore: string, limit: number): Promise<number[]> {
  const dayMs = 86_400_000;
  const noOpenReturn = ({ not, exists, selectFrom }: ExpressionBuilder<Database, 'orders'>) => not(exists(selectFrom('refund_requests').select('refund_requests.id')
    .whereRef('refund_requests.order_id', '=', 'orders.id').where('refund_requests.status', 'in', OPEN_RETURN_STATUSES)));
  const windows = await db.selectFrom('stores').select('return_days').distinct().execute();
  const delivered: Array<{ id: number }> = [];
  for (const { return_days: days } of windows) {
    if (delivered.length >= limit) break;
    delivered.push(...await db.selectFrom('orders').innerJoin('stores', 'stores.id', 'orders.store_id').select('orders.id')
      .where('stores.return_days', '=', days).where('orders.paid_at', 'is not', null).where('orders.released_at', 'is', null)
      .where('orders.delivered_at', '<=', isoUtc(nowMs - days * dayMs)).where(noOpenReturn)
      .orderBy('orders.delivered_at').limit(limit - delivered.length).execute());
  }
  const shipped = await db.selectFrom('orders').select('id')
    .where('paid_at', 'is not', null).where('released_at', 'is', null).where('delivered_at', 'is', null).where('shipped_at', '<=', shippedBefore)
    .where(noOpenReturn)
    .orderBy('shipped_at').limit(limit).execute();
  return [...delivered, ...shipped].map((r) => r.id).slice(0, limit);
}

/** Return requests that keep an order on hold (src/aftersales). */
const OPEN_RETURN_STATUSES = ['requested', 'approved', 'returned'] as const;

/** Sums of an owner's accounts, by account name. */
export async function balancesOfOwner(db: Executor, ownerId: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom('ledger_postings').select(['account', sql<number>`sum(amount_fen)`.as('balance')])
    .where('owner_id', '=', ownerId).groupBy('account').execute();
  return new Map(rows.map((r) => [r.account, Number(r.balance)]));
}

/** Positive balances of the available accounts of one payee kind, at least `minFen`, by payee id. */
export async function positiveAvailable(db: Executor, kind: 'promoter' | 'merchant', minFen: number, limit: number) {
  const rows = await db.selectFrom('ledger_postings').select(['owner_id', sql<number>`sum(amount_fen)`.as('balance')])
    // A range on the account index (':' + 1 is ';'), then the suffix: no scan of other kinds' postings.
    .where('account', '>=', `${kind}:`).where('account', '<', `${kind};`).where('account', 'like', '%:available').where('owner_id', 'is not', null)
    .groupBy('owner_id').having(sql<number>`sum(amount_fen)`, '>=', Math.max(1, minFen))
    .orderBy('owner_id').limit(limit).execute();
  return rows.map((r) => ({ payeeId: r.owner_id as string, balanceFen: Number(r.balance) }));
}

export interface AuditResult {
  entries: number;
  postings: number;
  /** The sum over every posting: zero when the books balance. */
  totalFen: number;
  /** Entries whose postings do not sum to zero (at most 100 listed). */
  unbalanced: Array<{ entryId: number; kind: string; dedupeKey: string; sumFen: number }>;
  /** Balances by kind of account (clearing, merchant, promoter, platform, transit). */
  byKind: Record<string, number>;
}

/** The balance audit: every entry sums to zero, and so does everything. */
export async function audit(db: Executor): Promise<AuditResult> {
  const totals = await db.selectFrom('ledger_postings').select([sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(amount_fen), 0)`.as('total')]).executeTakeFirstOrThrow();
  const entries = await db.selectFrom('ledger_entries').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  const unbalanced = await db.selectFrom('ledger_entries')
    .leftJoin('ledger_postings', 'ledger_postings.entry_id', 'ledger_entries.id')
    .select(['ledger_entries.id', 'ledger_entries.kind', 'ledger_entries.dedupe_key', sql<number>`coalesce(sum(ledger_postings.amount_fen), 0)`.as('sum')])
    .groupBy(['ledger_entries.id', 'ledger_entries.kind', 'ledger_entries.dedupe_key'])
    .having(sql<number>`coalesce(sum(ledger_postings.amount_fen), 0)`, '<>', 0)
    .orderBy('ledger_entries.id').limit(100).execute();
  const kindOf = sql<string>`case when account like 'merchant:%' then 'merchant' when account like 'promoter:%' then 'promoter'
    when account like 'platform:%' then 'platform' when account = 'payouts:transit' then 'transit' when account = 'clearing' then 'clearing' else 'other' end`;
  const kinds = await db.selectFrom('ledger_postings').select([kindOf.as('kind'), sql<number>`sum(amount_fen)`.as('balance')]).groupBy(kindOf).execute();
  return {
    entries: Number(entries.n),
    postings: Number(totals.n),
    totalFen: Number(totals.total),
    unbalanced: unbalanced.map((r) => ({ entryId: r.id, kind: r.kind, dedupeKey: r.dedupe_key, sumFen: Number(r.sum) })),
    byKind: Object.fromEntries(kinds.map((r) => [r.kind, Number(r.balance)])),
  };
}

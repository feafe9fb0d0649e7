// The money ledger: one balanced entry per business fact. Orders paid (inside the payment's
// transaction), refunds (proportional reversal), releases when the return window closes (a sweep),
// and balances and the audit. Payout entries are written by src/payouts through recordEntry.
import type { Transaction } from 'kysely';
import type { AppContext } from '../platform/context.ts';
import type { Database } from '../platform/db/schema.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import type { PaymentsService, PaymentSucceeded } from '../payments/service.ts';
import {
  accounts, paidPostings, positionOf, refundPostings, refundReversal, releasePostings, remainingParts, splitOrder, type Owners, type Posting,
} from './rules.ts';
import * as store from './store.ts';

export interface RefundInput {
  orderId: number;
  /** Your id for this refund (the provider's out_refund_no): a repeat with the same id is recorded once. */
  refundId: string;
  amountFen: number;
  reason: string;
}

export interface RefundResult {
  /** false: this refundId was already recorded; nothing changed. */
  recorded: boolean;
  /** The order's refunded total after this call. */
  refundedFen: number;
}

export interface Balance {
  pendingFen: number;
  /** Available to pay out (0 when in debt). */
  availableFen: number;
  /** Commission or money clawed back after it was paid out: repaid from later earnings first. */
  debtFen: number;
  /** In a payout batch, not yet confirmed by the provider. */
  inTransitFen: number;
  /** Confirmed paid out, all time. */
  paidOutFen: number;
}

export interface LedgerService {
  /**
   * The 'order_paid' entry of an accepted payment (dedupe `order:<id>:paid`), with the order's split
   * and a self-purchase flag; runs in every accepted payment's transaction. false: already recorded.
   */
  recordPaid(trx: Transaction<Database>, payment: PaymentSucceeded): Promise<boolean>;
  /**
   * Records a refund of a paid order inside the caller's transaction: raises orders.refunded_fen
   * (REFUND_TOO_LARGE beyond the total; CONFLICT when the order is not paid) and writes one entry,
   * dedupe `refund:<refundId>`, reversing each part in proportion (from pending while the order is
   * on hold, from available after its release). Does not call the payment provider.
   */
  recordRefund(trx: Transaction<Database>, input: RefundInput): Promise<RefundResult>;
  /** Releases the orders whose hold is over (what the 'ledger.release' sweep runs); returns how many. */
  releaseDue(): Promise<number>;
  balanceOf(kind: 'promoter' | 'merchant', ownerId: string): Promise<Balance>;
  /** Records one fact once in the caller's transaction (balanced, or it throws); false when it already was. */
  record(trx: Transaction<Database>, entry: store.EntryInput, postings: readonly Posting[]): Promise<boolean>;
  /** Records many new facts at once (payout batches); a key already taken rolls the transaction back. */
  recordFresh(trx: Transaction<Database>, items: ReadonlyArray<{ entry: store.EntryInput; postings: readonly Posting[] }>): Promise<void>;
  /** Payees of a kind whose available balance is at least minFen (and positive), by id, at most `limit`. */
  payableBalances(trx: Transaction<Database>, kind: 'promoter' | 'merchant', minFen: number, limit: number): Promise<Array<{ payeeId: string; balanceFen: number }>>;
  audit(): Promise<store.AuditResult>;
  /** Throws unless the books balance (tests and the audit route call it). */
  assertBalanced(): Promise<void>;
}

const SELF_PURCHASE = 'self_purchase';

export function createLedgerService(ctx: AppContext, deps: { payments: PaymentsService }): LedgerService {
  const { db, clock, config, log } = ctx;

  deps.payments.onAccepted(async (trx, payment) => {
    await recordPaid(trx, payment);
  });
  ctx.jobs.addSweep('ledger.release', () => releaseDue());

  /** The 'order_paid' entry, in the payment's transaction; a repeat of the notice records nothing. */
  async function recordPaid(trx: Transaction<Database>, payment: PaymentSucceeded): Promise<boolean> {
    const nowMs = clock.nowMs();
    const order = await store.paidOrderFacts(trx, payment.orderId);
    if (!order) throw new Error(`ledger: paid order ${payment.orderId} not found`);
    if (order.total_fen !== payment.amountFen) throw new Error(`ledger: payment of ${payment.amountFen} for an order of ${order.total_fen}`);
    const entryId = await store.claimEntry(trx, { kind: 'order_paid', dedupeKey: `order:${order.id}:paid`, orderId: order.id, eventId: order.event_id, storeId: order.store_id }, nowMs);
    if (entryId === null) return false;

    const terms = order.terms_json ? (JSON.parse(order.terms_json) as { feeRateBp: number; baseFeeRateBp: number }) : null;
    const baseFeeRateBp = terms?.baseFeeRateBp ?? order.platform_fee_rate_bp ?? 0;
    const feeRateBp = terms?.feeRateBp ?? baseFeeRateBp;
    const commissionBp = order.commission_rate_bp ?? order.default_commission_rate_bp ?? 0;
    const overrideBp = order.leader_override_rate_bp ?? 0;

    let promoterEarns = false;
    let leaderId: string | null = null;
    if (order.promoter_id !== null) {
      const promoter = await store.promoterFacts(trx, order.promoter_id);
      const selfPurchase = promoter?.mobile != null && promoter.mobile === order.buyer_mobile;
      promoterEarns = promoter !== undefined && promoter.status !== 'banned' && !selfPurchase;
      if (selfPurchase) {
        await store.flagSelfPurchase(trx, { orderId: order.id, eventId: order.event_id, promoterId: order.promoter_id, buyerId: order.buyer_id }, nowMs);
        log.warn({ orderId: order.id, promoterId: order.promoter_id, flag: SELF_PURCHASE }, 'self-purchase: no commission credited');
      }
      if (promoterEarns && promoter?.leader_id && promoter.leader_status !== 'banned') leaderId = promoter.leader_id;
    }
    const split = splitOrder({ totalFen: order.total_fen, commissionBp, feeRateBp, baseFeeRateBp, overrideBp, promoterEarns, leaderEarns: leaderId !== null });
    if (split.overrideFen === 0) leaderId = null;
    const owners: Owners = { storeId: order.store_id, promoterId: split.commissionFen > 0 ? order.promoter_id : null, leaderId };
    await store.insertParts(trx, {
      order_id: order.id, store_id: order.store_id, event_id: order.event_id, promoter_id: order.promoter_id, leader_id: leaderId,
      total_fen: split.totalFen, commission_fen: split.commissionFen, override_fen: split.overrideFen, fee_fen: split.feeFen,
      fee_gross_fen: split.feeGrossFen, merchant_fen: split.merchantFen, commission_rate_bp: promoterEarns ? commissionBp : 0,
      fee_rate_bp: feeRateBp, override_rate_bp: leaderId !== null ? overrideBp : 0, paid_at: order.paid_at ?? isoUtc(nowMs),
    });
    await store.writePostings(trx, entryId, paidPostings(split, owners), nowMs);
    return true;
  }

  async function recordRefund(trx: Transaction<Database>, input: RefundInput): Promise<RefundResult> {
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) throw new AppError('VALIDATION_FAILED', 'a refund is a positive whole number of fen');
    const nowMs = clock.nowMs();
    const order = await store.holdOfOrder(trx, input.orderId);
    if (!order) throw new AppError('NOT_FOUND');
    // The dedupe key first: a concurrent twin waits here on PostgreSQL, then finds the entry taken.
    const entryId = await store.claimEntry(trx, {
      kind: 'refund', dedupeKey: `refund:${input.refundId}`, orderId: order.id, eventId: order.event_id, storeId: order.store_id, memo: input.reason.slice(0, 500),
    }, nowMs);
    if (entryId === null) return { recorded: false, refundedFen: (await store.holdOfOrder(trx, order.id))?.refunded_fen ?? order.refunded_fen };
    if (order.status !== 'paid') throw new AppError('CONFLICT', 'only a paid order can be refunded');
    // The conditional raise takes the order's row lock: refunds and the release of this order queue here.
    if (!(await store.raiseRefunded(trx, order.id, input.amountFen))) {
      throw new AppError('REFUND_TOO_LARGE', undefined, { orderId: order.id, amountFen: input.amountFen });
    }
    const after = await store.holdOfOrder(trx, order.id);
    const parts = await store.partsOfOrder(trx, order.id);
    if (!after || !parts) throw new AppError('CONFLICT', 'this order has no ledger record of its payment');
    const split = store.splitOfRow(parts);
    const reversal = refundReversal(split, after.refunded_fen - input.amountFen, input.amountFen);
    const hold = after.released_at === null ? 'pending' : 'available';
    await store.writePostings(trx, entryId, refundPostings(reversal, ownersOf(parts), hold), nowMs);
    // Fully refunded while on hold: nothing is left to release.
    if (after.refunded_fen === after.total_fen && after.released_at === null) await store.markReleased(trx, order.id, nowMs);
    return { recorded: true, refundedFen: after.refunded_fen };
  }

  /** Moves what is left of one order's parts from pending to available, once. */
  async function releaseOrder(orderId: number): Promise<boolean> {
    return db.transaction().execute(async (trx) => {
      const nowMs = clock.nowMs();
      await store.lockOrder(trx, orderId);
      const order = await store.holdOfOrder(trx, orderId);
      if (!order || order.released_at !== null) return false;
      if (!(await store.markReleased(trx, orderId, nowMs))) return false;
      const parts = await store.partsOfOrder(trx, orderId);
      if (!parts) {
        log.warn({ orderId }, 'released an order with no ledger record of its payment');
        return true;
      }
      const postings = releasePostings(remainingParts(store.splitOfRow(parts), order.refunded_fen), ownersOf(parts));
      if (postings.length > 0) {
        await store.recordEntry(trx, { kind: 'release', dedupeKey: `order:${orderId}:release`, orderId, eventId: order.event_id, storeId: order.store_id }, postings, nowMs);
      }
      return true;
    });
  }

  async function releaseDue(): Promise<number> {
    const nowMs = clock.nowMs();
    const dayMs = 86_400_000;
    const due = await store.ordersDueForRelease(db, nowMs, isoUtc(nowMs - config.autoReleaseDaysAfterShipping * dayMs), config.limits.releaseBatchMax);
    let released = 0;
    for (const orderId of due) {
      try {
        if (await releaseOrder(orderId)) released += 1;
      } catch (err) {
        log.error({ err, orderId }, 'release failed; retried on the next sweep');
      }
    }
    return released;
  }

  async function balanceOf(kind: 'promoter' | 'merchant', ownerId: string): Promise<Balance> {
    const balances = await store.balancesOfOwner(db, ownerId);
    const account = kind === 'promoter' ? accounts.promoter : accounts.merchant;
    const position = positionOf({ pendingFen: balances.get(account(ownerId, 'pending')) ?? 0, availableFen: balances.get(account(ownerId, 'available')) ?? 0 });
    const paid = await db.selectFrom('payout_items').innerJoin('payout_batches', 'payout_batches.id', 'payout_items.batch_id')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('payout_items.amount_fen'), eb.val(0)).as('paid'))
      .where('payout_items.payee_id', '=', ownerId).where('payout_batches.payee_kind', '=', kind).where('payout_items.status', '=', 'paid').executeTakeFirstOrThrow();
    return { ...position, inTransitFen: balances.get(accounts.transit) ?? 0, paidOutFen: Number(paid.paid) };
  }

  return {
    recordPaid,
    recordRefund,
    releaseDue,
    balanceOf,
    record: (trx, entry, postings) => store.recordEntry(trx, entry, postings, clock.nowMs()),
    recordFresh: (trx, items) => store.recordFreshEntries(trx, items, clock.nowMs()),
    payableBalances: (trx, kind, minFen, limit) => store.positiveAvailable(trx, kind, minFen, limit),
    audit: () => store.audit(db),
    async assertBalanced() {
      const result = await store.audit(db);
      if (result.totalFen !== 0 || result.unbalanced.length > 0) throw new Error(`the ledger does not balance: total ${result.totalFen}, ${result.unbalanced.length} unbalanced entries`);
    },
  };
}

function ownersOf(parts: { store_id: string; promoter_id: string | null; leader_id: string | null; commission_fen: number }): Owners {
  return { storeId: parts.store_id, promoterId: parts.commission_fen > 0 ? parts.promoter_id : null, leaderId: parts.leader_id };
}


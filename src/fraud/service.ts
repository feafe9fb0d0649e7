// Fraud flags: raised inside an accepted payment's transaction when one buyer (phone) or one
// address has bought an event through many promoters; the ledger adds self-purchase flags. The
// operator lists and resolves them. A flag never blocks a sale: it is for people to look at.
import type { Transaction } from 'kysely';
import type { AppContext } from '../platform/context.ts';
import type { Database, FraudFlagKind } from '../platform/db/schema.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import type { PaymentSucceeded } from '../payments/service.ts';
import { addressKey, isManyPromoters, type AddressParts } from './rules.ts';
import * as store from './store.ts';
import type { NotificationsService } from '../notifications/service.ts';

export interface FraudFlag {
  id: number;
  kind: FraudFlagKind;
  eventId: string | null;
  orderId: number | null;
  promoterId: string | null;
  buyerId: string | null;
  detail: Record<string, unknown>;
  createdAt: string;
  resolvedAt: string | null;
  resolvedBy: string | null;
}

export interface FraudService {
  /** The step each accepted payment runs (payments.onAccepted). */
  checkPaidOrder(trx: Transaction<Database>, payment: PaymentSucceeded): Promise<void>;
  listFlags(filter: store.FlagFilter): Promise<{ items: FraudFlag[]; nextBeforeId: number | null }>;
  resolveFlag(flagId: number, by: string, note: string): Promise<FraudFlag>;
}

export const FLAGS_PAGE_MAX = 500;

function toFlag(row: store.FlagRow): FraudFlag {
  return {
    id: row.id, kind: row.kind, eventId: row.event_id, orderId: row.order_id, promoterId: row.promoter_id, buyerId: row.buyer_id,
    detail: JSON.parse(row.detail_json) as Record<string, unknown>, createdAt: row.created_at, resolvedAt: row.resolved_at, resolvedBy: row.resolved_by,
  };
}

export function createFraudService(ctx: AppContext, notifications: NotificationsService): FraudService {
  const { db, clock, config } = ctx;

  /** Raises a flag and, the first time, tells the operators in the same transaction. */
  async function raise(trx: Transaction<Database>, row: Parameters<typeof store.raiseFlag>[1]): Promise<void> {
    if (!(await store.raiseFlag(trx, row))) return;
    await notifications.notify(trx, {
      kind: 'fraud_flag', dedupeKey: `fraud:${row.dedupe_key}`, platform: true, facts: { flagKind: row.kind },
      data: { eventId: row.event_id, orderId: row.order_id, promoterId: row.promoter_id },
    });
  }

  return {
    async checkPaidOrder(trx, payment) {
      const order = await store.paidOrderFacts(trx, payment.orderId);
      if (!order) return;
      const key = addressKey(JSON.parse(order.address_json) as AddressParts);
      await store.writeAddressKey(trx, order.id, key);
      if (order.event_id === null || order.promoter_id === null) return;
      const nowIso = isoUtc(clock.nowMs());
      const byBuyer = await store.promotersOfBuyer(trx, order.event_id, order.buyer_id);
      if (isManyPromoters(byBuyer.length, config.fraudPromotersThreshold)) {
        await raise(trx, {
          kind: 'many_promoters_phone', event_id: order.event_id, order_id: order.id, promoter_id: order.promoter_id, buyer_id: order.buyer_id,
          detail_json: JSON.stringify({ promoterIds: byBuyer, threshold: config.fraudPromotersThreshold }),
          dedupe_key: `many_promoters_phone:${order.event_id}:${order.buyer_id}`, created_at: nowIso,
        });
      }
      const byAddress = await store.promotersOfAddress(trx, order.event_id, key);
      if (isManyPromoters(byAddress.length, config.fraudPromotersThreshold)) {
        await raise(trx, {
          kind: 'many_promoters_address', event_id: order.event_id, order_id: order.id, promoter_id: order.promoter_id, buyer_id: order.buyer_id,
          detail_json: JSON.stringify({ promoterIds: byAddress, threshold: config.fraudPromotersThreshold }),
          dedupe_key: `many_promoters_address:${order.event_id}:${key}`, created_at: nowIso,
        });
      }
    },

    async listFlags(filter) {
      const limit = Math.min(filter.limit, FLAGS_PAGE_MAX);
      const rows = await store.listFlags(db, { ...filter, limit });
      const last = rows.at(-1);
      return { items: rows.map(toFlag), nextBeforeId: rows.length === limit && last ? last.id : null };
    },

    async resolveFlag(flagId, by, note) {
      const before = await store.findFlag(db, flagId);
      if (!before) throw new AppError('NOT_FOUND');
      const detail = { ...(JSON.parse(before.detail_json) as Record<string, unknown>), resolutionNote: note };
      await store.resolveFlag(db, flagId, by, JSON.stringify(detail), isoUtc(clock.nowMs()));
      const row = await store.findFlag(db, flagId);
      if (!row) throw new AppError('NOT_FOUND');
      return toFlag(row);
    },
  };
}

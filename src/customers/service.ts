// Customers: buyers become the store's own customers. When an order is paid (inside the payment's
// transaction) it is marked new or returning for its store, and a buyer who consented at checkout
// joins the store's membership. The merchant sees members and where they came from, the share of
// new buyers per event and promoter, and how many came back to the public store (backflow).
import type { Transaction } from 'kysely';
import type { AppContext } from '../platform/context.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { Database } from '../platform/db/schema.ts';
import type { Principal } from '../platform/auth.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { writeTable, type TableFormat } from '../platform/tables.ts';
import type { PaymentSucceeded } from '../payments/service.ts';
import { backflow, lookbackStartMs, shareBp, type BackflowWindow } from './rules.ts';
import * as store from './store.ts';

export interface Member {
  storeId: string;
  storeName: string;
  buyerId: string;
  displayName: string;
  /** The verified mobile number the buyer consented to share by joining. */
  mobile: string | null;
  joinedAt: string;
  source: { orderId: number | null; eventId: string | null; eventTitle: string | null; promoterId: string | null; promoterName: string | null };
}

export interface EventCustomers {
  eventId: string;
  buyers: number;
  newBuyers: number;
  newShareBp: number;
  byPromoter: Array<{ promoterId: string; displayName: string; buyers: number; newBuyers: number; newShareBp: number }>;
  backflow: BackflowWindow[];
  asOf: string;
}

export interface CustomersService {
  /** The step each accepted payment runs (payments.onAccepted). */
  recordPaidOrder(trx: Transaction<Database>, payment: PaymentSucceeded): Promise<void>;
  members(storeId: string, limit: number, before?: { joinedAt: string; buyerId: string }): Promise<{ items: Member[]; next: { joinedAt: string; buyerId: string } | null }>;
  exportMembers(storeId: string, format: TableFormat, lang: 'en' | 'zh'): Promise<{ bytes: Buffer; rows: number }>;
  membershipsOf(buyerId: string): Promise<Member[]>;
  leave(buyerId: string, storeId: string): Promise<void>;
  eventCustomers(principal: Principal, eventId: string): Promise<EventCustomers>;
}

export const MEMBERS_PAGE_MAX = 500;
export const MEMBERS_EXPORT_MAX = 100_000;

const MEMBER_COLUMNS = [
  { key: 'buyerId', zh: '买家ID' },
  { key: 'displayName', zh: '昵称' },
  { key: 'mobile', zh: '手机号' },
  { key: 'joinedAt', zh: '入会时间' },
  { key: 'sourceEventId', zh: '来源活动' },
  { key: 'sourceEventTitle', zh: '活动名称' },
  { key: 'sourcePromoterId', zh: '来源推广者' },
  { key: 'sourcePromoterName', zh: '推广者昵称' },
  { key: 'sourceOrderId', zh: '来源订单' },
] as const;

function toMember(row: store.MemberRow): Member {
  return {
    storeId: row.store_id, storeName: row.store_name, buyerId: row.buyer_id, displayName: row.display_name, mobile: row.mobile, joinedAt: row.joined_at,
    source: { orderId: row.source_order_id, eventId: row.source_event_id, eventTitle: row.event_title, promoterId: row.source_promoter_id, promoterName: row.promoter_name },
  };
}

export function createCustomersService(ctx: AppContext, accounts: AccountsService): CustomersService {
  const { db, clock } = ctx;

  return {
    async recordPaidOrder(trx, payment) {
      const order = await store.paidOrder(trx, payment.orderId);
      if (!order) return;
      const from = isoUtc(lookbackStartMs(Date.parse(order.created_at)));
      await store.markNewCustomer(trx, order.id, !(await store.hasEarlierOrder(trx, order, from)));
      if (order.join_membership === 1) {
        await store.addMember(trx, {
          store_id: order.store_id, buyer_id: order.buyer_id, joined_at: order.paid_at ?? isoUtc(clock.nowMs()),
          source_order_id: order.id, source_event_id: order.event_id, source_promoter_id: order.promoter_id,
        });
      }
    },

    async members(storeId, limit, before) {
      const rows = await store.membersOf(db, storeId, Math.min(limit, MEMBERS_PAGE_MAX), before);
      const last = rows.at(-1);
      return { items: rows.map(toMember), next: rows.length === limit && last ? { joinedAt: last.joined_at, buyerId: last.buyer_id } : null };
    },

    async exportMembers(storeId, format, lang) {
      const rows = (await store.membersOf(db, storeId, MEMBERS_EXPORT_MAX)).map(toMember).map((m) => ({
        buyerId: m.buyerId, displayName: m.displayName, mobile: m.mobile ?? '', joinedAt: m.joinedAt, sourceEventId: m.source.eventId ?? '',
        sourceEventTitle: m.source.eventTitle ?? '', sourcePromoterId: m.source.promoterId ?? '', sourcePromoterName: m.source.promoterName ?? '',
        sourceOrderId: m.source.orderId !== null ? String(m.source.orderId) : '',
      }));
      return { bytes: await writeTable(MEMBER_COLUMNS, rows, format, lang, lang === 'zh' ? '会员' : 'Members'), rows: rows.length };
    },

    async membershipsOf(buyerId) {
      return (await store.membershipsOf(db, buyerId)).map(toMember);
    },

    async leave(buyerId, storeId) {
      if (!(await store.removeMember(db, storeId, buyerId))) throw new AppError('NOT_FOUND');
    },

    async eventCustomers(principal, eventId) {
      const event = await store.eventStore(db, eventId);
      if (!event || (principal.role === 'merchant' && principal.storeId !== event.store_id)) throw new AppError('NOT_FOUND');
      const pairs = await store.eventBuyers(db, eventId);
      const newOf = new Map<string, boolean>();
      const perPromoter = new Map<string, Map<string, boolean>>();
      for (const pair of pairs) {
        newOf.set(pair.buyerId, (newOf.get(pair.buyerId) ?? false) || pair.isNew);
        if (pair.promoterId === null) continue;
        const buyers = perPromoter.get(pair.promoterId) ?? new Map<string, boolean>();
        buyers.set(pair.buyerId, (buyers.get(pair.buyerId) ?? false) || pair.isNew);
        perPromoter.set(pair.promoterId, buyers);
      }
      const names = await accounts.displayNames([...perPromoter.keys()]);
      const count = (m: Map<string, boolean>) => [...m.values()].filter(Boolean).length;
      const byPromoter = [...perPromoter].map(([promoterId, buyers]) => ({
        promoterId, displayName: names.get(promoterId) ?? '', buyers: buyers.size, newBuyers: count(buyers), newShareBp: shareBp(count(buyers), buyers.size),
      })).sort((a, b) => b.newBuyers - a.newBuyers || b.buyers - a.buyers || (a.promoterId < b.promoterId ? -1 : 1));
      const after = await store.publicOrdersAfterEvent(db, eventId, event.store_id);
      return {
        eventId, buyers: newOf.size, newBuyers: count(newOf), newShareBp: shareBp(count(newOf), newOf.size), byPromoter,
        backflow: backflow(after.map((r) => ({ buyerId: r.buyer_id, firstPaidMs: Date.parse(r.first_paid), paidMs: Date.parse(r.paid_at), gmvFen: Number(r.gmv_fen) }))),
        asOf: isoUtc(clock.nowMs()),
      };
    },
  };
}

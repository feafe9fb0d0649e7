// Fulfilment: the store's order list (public and event orders alike, with channel, event and
// promoter), and the shipping steps the return window and the ledger's release read.
import type { AppContext } from '../platform/context.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import type { OrderKind, OrderStatus } from '../platform/db/schema.ts';
import { decideDeliver, decideShip, normaliseTrackingNo, type ShippingState } from './rules.ts';
import * as store from './store.ts';

export interface StoreOrder {
  id: number;
  kind: OrderKind;
  status: OrderStatus;
  event: { id: string; title: string } | null;
  channel: { id: string; name: string } | null;
  promoter: { id: string; displayName: string } | null;
  skuId: string;
  skuCode: string;
  productTitle: string;
  quantity: number;
  unitPriceFen: number;
  totalFen: number;
  refundedFen: number;
  address: Record<string, string>;
  createdAt: string;
  paidAt: string | null;
  shippedAt: string | null;
  deliveredAt: string | null;
  carrier: string | null;
  trackingNo: string | null;
}

export type OrderListFilter = Omit<store.StoreOrderFilter, 'storeId' | 'limit'> & { limit?: number | undefined };

export interface FulfilmentService {
  /** Newest first, a page at a time; nextBeforeId continues the list. */
  listOrders(storeId: string, filter: OrderListFilter): Promise<{ items: StoreOrder[]; nextBeforeId: number | null }>;
  ship(storeId: string, orderId: number, carrier: string, trackingNo: string): Promise<StoreOrder>;
  deliver(storeId: string, orderId: number): Promise<StoreOrder>;
}

export const STORE_ORDERS_PAGE_MAX = 500;

function toStoreOrder(row: store.StoreOrderRow): StoreOrder {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    event: row.event_id !== null ? { id: row.event_id, title: row.event_title ?? '' } : null,
    channel: row.channel_id !== null ? { id: row.channel_id, name: row.channel_name ?? '' } : null,
    promoter: row.promoter_id !== null ? { id: row.promoter_id, displayName: row.promoter_name ?? '' } : null,
    skuId: row.sku_id,
    skuCode: row.sku_code,
    productTitle: row.product_title,
    quantity: row.quantity,
    unitPriceFen: row.unit_price_fen,
    totalFen: row.total_fen,
    refundedFen: row.refunded_fen,
    address: JSON.parse(row.address_json) as Record<string, string>,
    createdAt: row.created_at,
    paidAt: row.paid_at,
    shippedAt: row.shipped_at,
    deliveredAt: row.delivered_at,
    carrier: row.carrier,
    trackingNo: row.tracking_no,
  };
}

export function createFulfilmentService(ctx: AppContext): FulfilmentService {
  const { db, clock } = ctx;

  async function stateOf(storeId: string, orderId: number): Promise<ShippingState> {
    const row = await store.shippingStateOf(db, storeId, orderId);
    // Another store's order is answered exactly like a missing one.
    if (!row) throw new AppError('NOT_FOUND');
    return { status: row.status, shippedAt: row.shipped_at, deliveredAt: row.delivered_at, carrier: row.carrier, trackingNo: row.tracking_no };
  }

  async function one(storeId: string, orderId: number): Promise<StoreOrder> {
    const [row] = await store.storeOrders(db, { storeId, beforeId: orderId + 1, limit: 1 });
    if (!row || row.id !== orderId) throw new AppError('NOT_FOUND');
    return toStoreOrder(row);
  }

  return {
    async listOrders(storeId, filter) {
      const limit = Math.min(filter.limit ?? 100, STORE_ORDERS_PAGE_MAX);
      const rows = await store.storeOrders(db, { ...filter, storeId, limit });
      const last = rows.at(-1);
      return { items: rows.map(toStoreOrder), nextBeforeId: rows.length === limit && last ? last.id : null };
    },

    async ship(storeId, orderId, carrier, rawTrackingNo) {
      const trackingNo = normaliseTrackingNo(rawTrackingNo);
      if (trackingNo.length === 0) throw new AppError('VALIDATION_FAILED', 'The tracking number is empty.');
      const decision = decideShip(await stateOf(storeId, orderId), carrier, trackingNo);
      if (!decision.ok) throw new AppError('CONFLICT', decision.message);
      if (decision.write && !(await store.writeShipped(db, orderId, carrier, trackingNo, isoUtc(clock.nowMs())))) {
        throw new AppError('CONFLICT', 'The order changed meanwhile; read it again.');
      }
      return one(storeId, orderId);
    },

    async deliver(storeId, orderId) {
      const decision = decideDeliver(await stateOf(storeId, orderId));
      if (!decision.ok) throw new AppError('CONFLICT', decision.message);
      // A concurrent confirmation may win the write: delivered either way.
      if (decision.write) await store.writeDelivered(db, orderId, isoUtc(clock.nowMs()));
      return one(storeId, orderId);
    },
  };
}

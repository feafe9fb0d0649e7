// Fulfilment's SQL: the store's order list and the shipping columns of orders.
import { sql } from 'kysely';
import type { Db } from '../platform/db/db.ts';
import type { OrderKind, OrderStatus } from '../platform/db/schema.ts';

export interface StoreOrderRow {
  id: number;
  kind: OrderKind;
  status: OrderStatus;
  event_id: string | null;
  event_title: string | null;
  channel_id: string | null;
  channel_name: string | null;
  promoter_id: string | null;
  promoter_name: string | null;
  sku_id: string;
  sku_code: string;
  product_title: string;
  quantity: number;
  unit_price_fen: number;
  total_fen: number;
  refunded_fen: number;
  address_json: string;
  created_at: string;
  paid_at: string | null;
  shipped_at: string | null;
  delivered_at: string | null;
  carrier: string | null;
  tracking_no: string | null;
}

export interface StoreOrderFilter {
  storeId: string;
  status?: OrderStatus | undefined;
  eventId?: string | undefined;
  kind?: OrderKind | undefined;
  shipping?: 'to_ship' | 'shipped' | 'delivered' | undefined;
  /** Orders with an id below this (the previous page's last id). */
  beforeId?: number | undefined;
  limit: number;
}

export async function storeOrders(db: Db, filter: StoreOrderFilter): Promise<StoreOrderRow[]> {
  let query = db.selectFrom('orders')
    .innerJoin('skus', 'skus.id', 'orders.sku_id')
    .innerJoin('products', 'products.id', 'skus.product_id')
    .leftJoin('events', 'events.id', 'orders.event_id')
    .leftJoin('channels', 'channels.id', 'events.channel_id')
    .leftJoin('users as promoters', 'promoters.id', 'orders.promoter_id')
    .select([
      'orders.id', 'orders.kind', 'orders.status', 'orders.event_id', 'events.title as event_title', 'events.channel_id',
      'channels.name as channel_name', 'orders.promoter_id', 'promoters.display_name as promoter_name', 'orders.sku_id',
      'skus.code as sku_code', 'products.title as product_title', 'orders.quantity', 'orders.unit_price_fen', 'orders.total_fen',
      'orders.refunded_fen', 'orders.address_json', 'orders.created_at', 'orders.paid_at', 'orders.shipped_at',
      'orders.delivered_at', 'orders.carrier', 'orders.tracking_no',
    ])
    .where('orders.store_id', '=', filter.storeId);
  if (filter.status !== undefined) query = query.where('orders.status', '=', filter.status);
  if (filter.eventId !== undefined) query = query.where('orders.event_id', '=', filter.eventId);
  if (filter.kind !== undefined) query = query.where('orders.kind', '=', filter.kind);
  if (filter.shipping === 'to_ship') query = query.where('orders.status', '=', 'paid').where('orders.shipped_at', 'is', null);
  if (filter.shipping === 'shipped') query = query.where('orders.shipped_at', 'is not', null).where('orders.delivered_at', 'is', null);
  if (filter.shipping === 'delivered') query = query.where('orders.delivered_at', 'is not', null);
  if (filter.beforeId !== undefined) query = query.where('orders.id', '<', filter.beforeId);
  return query.orderBy('orders.id', 'desc').limit(filter.limit).execute();
}

export async function shippingStateOf(db: Db, storeId: string, orderId: number) {
  return db.selectFrom('orders').select(['id', 'status', 'shipped_at', 'delivered_at', 'carrier', 'tracking_no'])
    .where('id', '=', orderId).where('store_id', '=', storeId).executeTakeFirst();
}

/** Records shipping unless delivered meanwhile; true when the row changed. */
export async function writeShipped(db: Db, orderId: number, carrier: string, trackingNo: string, nowIso: string): Promise<boolean> {
  const result = await db.updateTable('orders')
    .set({ carrier, tracking_no: trackingNo, shipped_at: sql<string>`coalesce(shipped_at, ${nowIso})` })
    .where('id', '=', orderId).where('status', '=', 'paid').where('delivered_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Records delivery once; true when this call did. */
export async function writeDelivered(db: Db, orderId: number, nowIso: string): Promise<boolean> {
  const result = await db.updateTable('orders').set({ delivered_at: nowIso })
    .where('id', '=', orderId).where('status', '=', 'paid').where('shipped_at', 'is not', null).where('delivered_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

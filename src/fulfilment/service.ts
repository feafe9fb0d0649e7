// Fulfilment: the store's order list (public and event orders alike, with channel, event and
// promoter), and the shipping steps the return window and the ledger's release read.
import type { AppContext } from '../platform/context.ts';
import { isoUtc } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import type { OrderKind, OrderStatus } from '../platform/db/schema.ts';
import { decideDeliver, decideShip, normaliseTrackingNo, type ShippingState } from './rules.ts';
import * as store from './store.ts';
import { readSheet, writeSheet, type SheetFormat, type SheetRow } from './sheet.ts';

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

export type ImportOutcome = 'applied' | 'unchanged' | 'skipped' | 'error';

export interface ImportReport {
  applied: number;
  unchanged: number;
  skipped: number;
  errors: number;
  /** One entry per data line of the file, in order. */
  lines: Array<{ line: number; orderId: number | null; outcome: ImportOutcome; reason?: string }>;
}

export interface ExportRequest {
  eventId?: string | undefined;
  shipping: 'to_ship' | 'shipped' | 'delivered';
  format: SheetFormat;
  lang: 'en' | 'zh';
}

export type OrderListFilter = Omit<store.StoreOrderFilter, 'storeId' | 'limit'> & { limit?: number | undefined };

export interface FulfilmentService {
  /** Newest first, a page at a time; nextBeforeId continues the list. */
  listOrders(storeId: string, filter: OrderListFilter): Promise<{ items: StoreOrder[]; nextBeforeId: number | null }>;
  ship(storeId: string, orderId: number, carrier: string, trackingNo: string): Promise<StoreOrder>;
  deliver(storeId: string, orderId: number): Promise<StoreOrder>;
  /** The shipping sheet of paid orders (CSV or XLSX), oldest first. */
  exportShipments(storeId: string, request: ExportRequest): Promise<{ bytes: Buffer; rows: number }>;
  /** Applies tracking numbers line by line: good lines ship, bad ones are reported, a re-import changes nothing. */
  importShipments(storeId: string, bytes: Buffer, format: SheetFormat): Promise<ImportReport>;
}

export const STORE_ORDERS_PAGE_MAX = 500;
/** Most orders in one exported sheet, and most lines in one imported file. */
export const SHEET_ROWS_MAX = 50_000;
export const IMPORT_LINES_MAX = 20_000;
const EXPORT_PAGE = 5_000;

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

  /** Ships one order; true when something was written, false when it was shipped so already. */
  async function shipOne(storeId: string, orderId: number, carrier: string, rawTrackingNo: string): Promise<boolean> {
    const trackingNo = normaliseTrackingNo(rawTrackingNo);
    if (trackingNo.length === 0) throw new AppError('VALIDATION_FAILED', 'The tracking number is empty.');
    const decision = decideShip(await stateOf(storeId, orderId), carrier, trackingNo);
    if (!decision.ok) throw new AppError('CONFLICT', decision.message);
    if (!decision.write) return false;
    if (!(await store.writeShipped(db, orderId, carrier, trackingNo, isoUtc(clock.nowMs())))) {
      throw new AppError('CONFLICT', 'The order changed meanwhile; read it again.');
    }
    return true;
  }

  return {
    async listOrders(storeId, filter) {
      const limit = Math.min(filter.limit ?? 100, STORE_ORDERS_PAGE_MAX);
      const rows = await store.storeOrders(db, { ...filter, storeId, limit });
      const last = rows.at(-1);
      return { items: rows.map(toStoreOrder), nextBeforeId: rows.length === limit && last ? last.id : null };
    },

    async ship(storeId, orderId, carrier, rawTrackingNo) {
      await shipOne(storeId, orderId, carrier, rawTrackingNo);
      return one(storeId, orderId);
    },

    async exportShipments(storeId, request) {
      const rows: SheetRow[] = [];
      let beforeId: number | undefined;
      while (rows.length < SHEET_ROWS_MAX) {
        const page = await store.storeOrders(db, { storeId, eventId: request.eventId, shipping: request.shipping, status: 'paid', beforeId, limit: EXPORT_PAGE });
        for (const row of page) rows.push(sheetRowOf(row));
        if (page.length < EXPORT_PAGE) break;
        beforeId = page.at(-1)?.id;
      }
      rows.reverse();
      return { bytes: await writeSheet(rows.slice(-SHEET_ROWS_MAX), request.format, request.lang), rows: Math.min(rows.length, SHEET_ROWS_MAX) };
    },

    async importShipments(storeId, bytes, format) {
      const read = await readSheet(bytes, format, IMPORT_LINES_MAX);
      if (!read.ok) throw new AppError('VALIDATION_FAILED', read.message);
      const report: ImportReport = { applied: 0, unchanged: 0, skipped: 0, errors: 0, lines: [] };
      for (const { line, values } of read.lines) {
        const orderId = /^[0-9]{1,15}$/.test(values.orderId ?? '') ? Number(values.orderId) : null;
        const carrier = values.carrier ?? '';
        const trackingNo = values.trackingNo ?? '';
        let outcome: ImportOutcome;
        let reason: string | undefined;
        if (carrier === '' && trackingNo === '') outcome = 'skipped';
        else if (orderId === null) [outcome, reason] = ['error', 'The order number is missing or not a number.'];
        else if (carrier === '' || carrier.length > 40) [outcome, reason] = ['error', 'The carrier is missing or longer than 40 characters.'];
        else if (!/^[A-Za-z0-9 -]{4,40}$/.test(trackingNo)) [outcome, reason] = ['error', 'The tracking number must be 4-40 letters and digits.'];
        else {
          try {
            outcome = (await shipOne(storeId, orderId, carrier, trackingNo)) ? 'applied' : 'unchanged';
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            [outcome, reason] = ['error', error.code === 'NOT_FOUND' ? 'No such order in this store.' : error.message];
          }
        }
        report[outcome === 'error' ? 'errors' : outcome] += 1;
        report.lines.push({ line, orderId, outcome, ...(reason !== undefined ? { reason } : {}) });
      }
      return report;
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

function sheetRowOf(row: store.StoreOrderRow): SheetRow {
  const address = JSON.parse(row.address_json) as Record<string, string | undefined>;
  return {
    orderId: String(row.id), eventId: row.event_id ?? '', skuCode: row.sku_code, productTitle: row.product_title, quantity: String(row.quantity),
    name: address.name ?? '', mobile: address.mobile ?? '', province: address.province ?? '', city: address.city ?? '', district: address.district ?? '',
    detail: address.detail ?? '', carrier: row.carrier ?? '', trackingNo: row.tracking_no ?? '',
  };
}

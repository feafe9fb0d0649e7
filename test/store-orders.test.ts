// The store's order list and the shipping steps, through HTTP on every store under test: public and
// event orders alike with channel, event and promoter; ship and deliver once; other stores refused.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { address, api, buildWorld, buyThrough, payOrder, type World } from './fixtures.ts';

interface ImportReport {
  applied: number;
  unchanged: number;
  skipped: number;
  errors: number;
  lines: Array<{ line: number; orderId: number | null; outcome: string; reason?: string }>;
}

interface StoreOrder {
  id: number;
  kind: string;
  status: string;
  event: { id: string } | null;
  channel: { id: string; name: string } | null;
  promoter: { id: string; displayName: string } | null;
  shippedAt: string | null;
  deliveredAt: string | null;
  carrier: string | null;
  trackingNo: string | null;
  address: Record<string, string>;
}

for (const store of storesUnderTest()) {
  describe(`store orders and shipping on ${store}`, () => {
    let t: TestApp;
    let world: World;
    let merchant: Record<string, string>;
    before(async () => {
      t = await startTestApp(store);
      world = await buildWorld(t);
      merchant = (await t.signIn('merchant', { storeId: world.storeId })).headers;
    });
    after(async () => t.close());

    it('lists public and event orders together, each with its channel, event and promoter', async () => {
      const eventOrder = await buyThrough(t, world.link.token, world.offerId);
      const buyer = await t.signIn('buyer');
      const publicOrder = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'idempotency-key': `pub-${Math.random()}` }, { skuId: world.skuId, quantity: 1, address }, 201);
      await payOrder(t, buyer.headers, publicOrder.id);
      const list = await api<{ items: StoreOrder[] }>(t, 'GET', `/api/v1/stores/${world.storeId}/orders`, merchant, undefined, 200);
      const ev = list.items.find((o) => o.id === eventOrder.orderId);
      const pub = list.items.find((o) => o.id === publicOrder.id);
      assert.equal(ev?.kind, 'event');
      assert.equal(ev?.event?.id, world.eventId);
      assert.equal(ev?.channel?.id, world.channelId);
      assert.ok(ev?.promoter?.id.startsWith('usr_'));
      assert.equal(ev?.address.detail, address.detail);
      assert.equal(pub?.kind, 'public');
      assert.equal(pub?.promoter, null);
      assert.equal(pub?.channel, null);
      const eventOnly = await api<{ items: StoreOrder[] }>(t, 'GET', `/api/v1/stores/${world.storeId}/orders?eventId=${world.eventId}`, merchant, undefined, 200);
      assert.ok(eventOnly.items.every((o) => o.event?.id === world.eventId));
      const toShip = await api<{ items: StoreOrder[] }>(t, 'GET', `/api/v1/stores/${world.storeId}/orders?shipping=to_ship`, merchant, undefined, 200);
      assert.ok(toShip.items.some((o) => o.id === publicOrder.id));
    });

    it('ships a paid order once, allows a correction, then delivers once; the buyer sees the tracking number', async () => {
      const { orderId, headers } = await buyThrough(t, world.link.token, world.offerId);
      const url = `/api/v1/stores/${world.storeId}/orders/${orderId}`;
      const shipped = await api<StoreOrder>(t, 'POST', `${url}/ship`, merchant, { carrier: '顺丰速运', trackingNo: 'sf 1234-5678' }, 200);
      assert.equal(shipped.trackingNo, 'SF12345678');
      const firstShippedAt = shipped.shippedAt;
      t.clock.advanceMinutes(5);
      const again = await api<StoreOrder>(t, 'POST', `${url}/ship`, merchant, { carrier: '顺丰速运', trackingNo: 'SF12345678' }, 200);
      assert.equal(again.shippedAt, firstShippedAt, 'the same shipment again changes nothing');
      const corrected = await api<StoreOrder>(t, 'POST', `${url}/ship`, merchant, { carrier: '中通快递', trackingNo: 'ZT99887766' }, 200);
      assert.equal(corrected.carrier, '中通快递');
      assert.equal(corrected.shippedAt, firstShippedAt, 'a correction keeps the shipping time');
      const mine = await api<StoreOrder>(t, 'GET', `/api/v1/orders/${orderId}`, headers, undefined, 200);
      assert.equal(mine.trackingNo, 'ZT99887766');
      assert.equal(mine.carrier, '中通快递');
      const delivered = await api<StoreOrder>(t, 'POST', `${url}/deliver`, merchant, undefined, 200);
      assert.ok(delivered.deliveredAt);
      t.clock.advanceMinutes(5);
      const twice = await api<StoreOrder>(t, 'POST', `${url}/deliver`, merchant, undefined, 200);
      assert.equal(twice.deliveredAt, delivered.deliveredAt);
      const late = await t.hs.app.inject({ method: 'POST', url: `${url}/ship`, headers: merchant, payload: { carrier: '顺丰速运', trackingNo: 'SF000001' } });
      assert.equal(late.statusCode, 409);
    });

    it('refuses to ship an unpaid order or deliver an unshipped one, and concurrent deliveries agree', async () => {
      const buyer = await t.signIn('buyer');
      const unpaid = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'idempotency-key': `unpaid-${Math.random()}` }, { skuId: world.skuId, quantity: 1, address }, 201);
      const ship = await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${world.storeId}/orders/${unpaid.id}/ship`, headers: merchant, payload: { carrier: '顺丰速运', trackingNo: 'SF000002' } });
      assert.equal(ship.statusCode, 409);
      assert.equal(ship.json().code, 'CONFLICT');
      const { orderId } = await buyThrough(t, world.link.token, world.offerId);
      const early = await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${world.storeId}/orders/${orderId}/deliver`, headers: merchant });
      assert.equal(early.statusCode, 409);
      await api(t, 'POST', `/api/v1/stores/${world.storeId}/orders/${orderId}/ship`, merchant, { carrier: '顺丰速运', trackingNo: 'SF000003' }, 200);
      const answers = await Promise.all(Array.from({ length: 5 }, () =>
        t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${world.storeId}/orders/${orderId}/deliver`, headers: merchant })));
      assert.deepEqual(answers.map((a) => a.statusCode), [200, 200, 200, 200, 200]);
      assert.equal(new Set(answers.map((a) => a.json().deliveredAt)).size, 1);
    });

    it("never shows or changes another store's orders", async () => {
      const { orderId } = await buyThrough(t, world.link.token, world.offerId);
      const other = await buildWorld(t);
      const otherMerchant = (await t.signIn('merchant', { storeId: other.storeId })).headers;
      const list = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${world.storeId}/orders`, headers: otherMerchant });
      assert.equal(list.statusCode, 404);
      const ship = await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${other.storeId}/orders/${orderId}/ship`, headers: otherMerchant, payload: { carrier: '顺丰速运', trackingNo: 'SF000004' } });
      assert.equal(ship.statusCode, 404, 'an order of another store is answered like a missing one');
      const row = await t.hs.ctx.db.selectFrom('orders').select('shipped_at').where('id', '=', orderId).executeTakeFirstOrThrow();
      assert.equal(row.shipped_at, null);
    });
    it('exports paid orders to ship as CSV and XLSX with address, SKU and quantity, filtered by event', async () => {
      const w = await buildWorld(t);
      const m = (await t.signIn('merchant', { storeId: w.storeId })).headers;
      const a = await buyThrough(t, w.link.token, w.offerId, { quantity: 2, shipTo: { detail: '文三路 8 号' } });
      const b = await buyThrough(t, w.link.token, w.offerId);
      const res = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${w.storeId}/shipments?eventId=${w.eventId}`, headers: m });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/csv/);
      assert.match(String(res.headers['content-disposition']), /attachment/);
      assert.equal(res.headers['cache-control'], 'private, no-store');
      const rows = parse(res.body, { bom: true, columns: true }) as Array<Record<string, string>>;
      assert.deepEqual(rows.map((r) => Number(r.orderId)), [a.orderId, b.orderId]);
      assert.equal(rows[0]?.quantity, '2');
      assert.equal(rows[0]?.detail, '文三路 8 号');
      assert.equal(rows[0]?.mobile, address.mobile);
      assert.equal(rows[0]?.trackingNo, '');
      const zh = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${w.storeId}/shipments?lang=zh`, headers: m });
      assert.match(zh.body, /订单号,活动,SKU编码/);
      const xlsx = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${w.storeId}/shipments?format=xlsx`, headers: m });
      assert.equal(xlsx.statusCode, 200);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      const sheet = book.worksheets[0];
      assert.equal(sheet?.getRow(1).getCell(1).text, 'orderId');
      assert.equal(sheet?.getRow(2).getCell(1).text, String(a.orderId));
      assert.equal(sheet?.getRow(2).getCell(7).text, address.mobile, 'the mobile stays text');
    });

    it('imports tracking numbers: good lines applied, each bad line reported with its reason, a re-import changes nothing', async () => {
      const w = await buildWorld(t);
      const m = (await t.signIn('merchant', { storeId: w.storeId })).headers;
      const good1 = await buyThrough(t, w.link.token, w.offerId);
      const good2 = await buyThrough(t, w.link.token, w.offerId);
      const foreign = await buyThrough(t, world.link.token, world.offerId);
      const buyer = await t.signIn('buyer');
      const unpaid = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'idempotency-key': `imp-${Math.random()}` }, { skuId: w.skuId, quantity: 1, address }, 201);
      const csv = [
        'orderId,carrier,trackingNo,detail',
        `${good1.orderId},顺丰速运,SF1000001,`,
        `${good2.orderId},中通快递,"ZT 2000-0002",`,
        `${foreign.orderId},顺丰速运,SF1000003,`,
        `${unpaid.id},顺丰速运,SF1000004,`,
        'abc,顺丰速运,SF1000005,',
        `${good1.orderId + 100000},顺丰速运,SF1000006,`,
        `${good2.orderId},,,`,
        `${good1.orderId},顺丰速运,SF/#1,`,
      ].join('\n');
      const send = () => api<ImportReport>(t, 'POST', `/api/v1/stores/${w.storeId}/shipments/import`, { ...m, 'content-type': 'text/csv' }, csv, 200);
      const first = await send();
      assert.deepEqual([first.applied, first.unchanged, first.skipped, first.errors], [2, 0, 1, 5]);
      assert.deepEqual(first.lines.map((l) => [l.line, l.outcome]), [[2, 'applied'], [3, 'applied'], [4, 'error'], [5, 'error'], [6, 'error'], [7, 'error'], [8, 'skipped'], [9, 'error']]);
      assert.match(first.lines[2]?.reason ?? '', /No such order/);
      assert.match(first.lines[3]?.reason ?? '', /paid/);
      assert.match(first.lines[4]?.reason ?? '', /order number/);
      assert.match(first.lines[7]?.reason ?? '', /tracking number/);
      const shipped = await t.hs.ctx.db.selectFrom('orders').select(['id', 'carrier', 'tracking_no', 'shipped_at']).where('id', 'in', [good1.orderId, good2.orderId, foreign.orderId]).orderBy('id').execute();
      assert.deepEqual(shipped.map((r) => r.tracking_no), ['SF1000001', 'ZT20000002', null]);
      t.clock.advanceMinutes(10);
      const again = await send();
      assert.deepEqual([again.applied, again.unchanged, again.errors], [0, 2, 5]);
      const after = await t.hs.ctx.db.selectFrom('orders').select(['shipped_at']).where('id', 'in', [good1.orderId, good2.orderId]).orderBy('id').execute();
      assert.deepEqual(after.map((r) => r.shipped_at), shipped.slice(0, 2).map((r) => r.shipped_at), 'nothing changed');
    });

    it('round-trips the XLSX sheet, and refuses a file without the needed columns', async () => {
      const w = await buildWorld(t);
      const m = (await t.signIn('merchant', { storeId: w.storeId })).headers;
      const order = await buyThrough(t, w.link.token, w.offerId);
      const exported = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${w.storeId}/shipments?format=xlsx&lang=zh`, headers: m });
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(exported.rawPayload as unknown as ArrayBuffer);
      const sheet = book.worksheets[0] as ExcelJS.Worksheet;
      sheet.getRow(2).getCell(12).value = '韵达快递';
      sheet.getRow(2).getCell(13).value = 'YD3000003';
      const filled = Buffer.from(await book.xlsx.writeBuffer());
      const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      const res = await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${w.storeId}/shipments/import`, headers: { ...m, 'content-type': xlsxType }, payload: filled });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().applied, 1);
      const row = await t.hs.ctx.db.selectFrom('orders').select(['carrier', 'tracking_no']).where('id', '=', order.orderId).executeTakeFirstOrThrow();
      assert.deepEqual(row, { carrier: '韵达快递', tracking_no: 'YD3000003' });
      const bad = await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${w.storeId}/shipments/import`, headers: { ...m, 'content-type': 'text/csv' }, payload: 'id,tracking\n1,2\n' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().message, /orderId/);
      const junk = await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${w.storeId}/shipments/import`, headers: { ...m, 'content-type': xlsxType }, payload: Buffer.from('not a zip') });
      assert.equal(junk.statusCode, 400);
    });
  });
}

for (const store of storesUnderTest()) {
  describe(`mainland shipping addresses on ${store}`, () => {
    let t: TestApp;
    let world: World;
    before(async () => {
      t = await startTestApp(store);
      world = await buildWorld(t);
    });
    after(async () => t.close());

    it('refuses an address outside the mainland or without a province, naming the field, and writes nothing', async () => {
      const buyer = await t.signIn('buyer');
      const cases: Array<[Record<string, string>, RegExp]> = [
        [{ ...address, province: '香港' }, /mainland/],
        [{ ...address, province: '杭州' }, /province/],
        [{ ...address, mobile: '1380013800' }, /mobile|pattern/],
        [{ ...address, district: '' }, /district|fewer/],
      ];
      for (const [shipTo, message] of cases) {
        const res = await t.hs.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...buyer.headers, 'idempotency-key': `addr-${Math.random()}` }, payload: { skuId: world.skuId, quantity: 1, address: shipTo } });
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().code, 'VALIDATION_FAILED');
        assert.match(JSON.stringify(res.json()), message);
      }
      const orders = await t.hs.ctx.db.selectFrom('orders').select('id').where('buyer_id', '=', buyer.principal.userId).execute();
      assert.equal(orders.length, 0);
      const ok = await t.hs.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...buyer.headers, 'idempotency-key': `addr-${Math.random()}` }, payload: { skuId: world.skuId, quantity: 1, address: { ...address, province: 'Zhejiang' } } });
      assert.equal(ok.statusCode, 201, ok.body);
    });
  });
}

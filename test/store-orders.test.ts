// The store's order list and the shipping steps, through HTTP on every store under test: public and
// event orders alike with channel, event and promoter; ship and deliver once; other stores refused.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { address, api, buildWorld, buyThrough, payOrder, type World } from './fixtures.ts';

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
  });
}

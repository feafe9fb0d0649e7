// The surplus ranking through HTTP on every store under test: free stock, paid sales of the last
// 30 days (public and event), days of cover and stock age, ranked; merchant of the store or operator.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { api, buildWorld } from './fixtures.ts';
import { isoUtc } from '../src/platform/clock.ts';

const DAY_MS = 86_400_000;

for (const store of storesUnderTest()) {
  describe(`surplus ranking on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    it('ranks the store\'s SKUs by days of cover from paid sales of the last 30 days', async () => {
      const world = await buildWorld(t, { stockUnits: 1000, allocatedUnits: 100 });
      const merchant = (await t.signIn('merchant', { storeId: world.storeId })).headers;
      const product = await api<{ skus: Array<{ id: string; code: string }> }>(t, 'POST', `/api/v1/stores/${world.storeId}/products`, merchant, {
        title: '卫衣', skus: [
          { code: `NS-${process.pid}`, attributes: {}, publicPriceFen: 9900, stockUnits: 40 },
          { code: `FS-${process.pid}`, attributes: {}, publicPriceFen: 9900, stockUnits: 60 },
          { code: `ZS-${process.pid}`, attributes: {}, publicPriceFen: 9900, stockUnits: 0 },
        ],
      }, 201);
      const [noSales, fastSeller] = product.skus.map((s) => s.id) as [string, string];
      // Paid orders stand in for checkout: 60 units of the fast seller in the window, 500 of the
      // world's SKU long ago (outside it), a cancelled and a pending order (not sales).
      const order = (skuId: string, quantity: number, status: 'paid' | 'cancelled' | 'pending_payment', paidDaysAgo: number | null, kind: 'public' | 'event' = 'public') => ({
        store_id: world.storeId, buyer_id: 'usr_x', kind, event_id: kind === 'event' ? world.eventId : null, offer_id: kind === 'event' ? world.offerId : null, sku_id: skuId,
        promoter_id: null, link_id: null, quantity, unit_price_fen: 100, total_fen: 100 * quantity, status, pay_deadline: isoUtc(t.clock.nowMs()),
        address_json: '{}', created_at: isoUtc(t.clock.nowMs() - 40 * DAY_MS), paid_at: paidDaysAgo === null ? null : isoUtc(t.clock.nowMs() - paidDaysAgo * DAY_MS),
        cancelled_at: null, cancel_reason: null, request_key: null,
      });
      await t.hs.ctx.db.insertInto('orders').values([
        order(fastSeller, 50, 'paid', 3), order(fastSeller, 10, 'paid', 29, 'event'), order(fastSeller, 99, 'cancelled', null),
        order(fastSeller, 7, 'pending_payment', null), order(world.skuId, 500, 'paid', 31), order(world.skuId, 30, 'paid', 1, 'event'),
      ]).execute();
      t.clock.advanceMs(2 * DAY_MS);

      const res = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${world.storeId}/skus/surplus`, headers: merchant });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'private, no-store');
      const body = res.json() as { windowDays: number; items: Array<{ skuId: string; stockUnits: number; soldUnits30d: number; daysOfCover: number | null; stockAgeDays: number }> };
      assert.equal(body.windowDays, 30);
      assert.deepEqual(body.items.map((i) => [i.skuId, i.stockUnits, i.soldUnits30d, i.daysOfCover, i.stockAgeDays]), [
        [noSales, 40, 0, null, 2],
        [world.skuId, 900, 30, 900, 2],
        [fastSeller, 60, 50, 36, 2],
      ], 'no sales first; the 10 event units paid 29 days before the clock moved are out of the window now; the empty SKU left out');
      assert.ok(!res.body.includes('clearancePriceFen'));

      const operator = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${world.storeId}/skus/surplus?limit=1`, headers: world.operator });
      assert.deepEqual(operator.json().items.map((i: { skuId: string }) => i.skuId), [noSales]);
      const other = (await t.signIn('merchant', { storeId: (await buildWorld(t)).storeId })).headers;
      assert.equal((await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${world.storeId}/skus/surplus`, headers: other })).statusCode, 404);
      assert.equal((await t.hs.app.inject({ method: 'GET', url: '/api/v1/stores/sto_nope/skus/surplus', headers: world.operator })).statusCode, 404);
      assert.equal((await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${world.storeId}/skus/surplus`, headers: world.promoter })).statusCode, 403);
    });
  });
}

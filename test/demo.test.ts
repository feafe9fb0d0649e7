// The demo a new user walks: seeded links open the event, show clearance prices, and sell.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { address } from './fixtures.ts';

for (const store of storesUnderTest()) {
  describe(`demo on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    it('seeds a live event whose link and share code reach the clearance price, and runs twice', async () => {
      const demo = await seedDemo(t.hs);
      const again = await seedDemo(t.hs);
      assert.notEqual(again.storeSlug, demo.storeSlug, 'a second run makes a second demo brand');
      const first = demo.links[0];
      assert.ok(first);
      const path = new URL(first.url).pathname;
      const open = await t.hs.app.inject({ method: 'GET', url: path });
      assert.equal(open.statusCode, 303);
      assert.equal(open.headers.location, `/events/${demo.eventId}`);
      const cookie = open.cookies.find((c) => c.name === `hsa_${demo.eventId}`);
      assert.ok(cookie, 'access is remembered in a cookie');
      const eventPage = await t.hs.app.inject({ method: 'GET', url: `/events/${demo.eventId}`, cookies: { [cookie.name]: cookie.value } });
      assert.equal(eventPage.statusCode, 200);
      assert.match(eventPage.body, /¥399\.00/);
      assert.equal(eventPage.headers['cache-control'], 'private, no-store');

      const store = await t.hs.app.inject({ method: 'GET', url: `/s/${demo.storeSlug}` });
      assert.equal(store.statusCode, 200);
      assert.doesNotMatch(store.body, /399\.00|39900/);

      const byCode = await t.hs.app.inject({ method: 'POST', url: '/api/v1/access', payload: { code: first.shareText } });
      assert.equal(byCode.statusCode, 200, byCode.body);
      const opened = byCode.json();
      assert.equal(opened.phase, 'live');
      const buyer = await t.signIn('buyer');
      const offerId = opened.offers[0].offerId;
      const order = await t.hs.app.inject({
        method: 'POST', url: '/api/v1/orders',
        headers: { ...buyer.headers, 'idempotency-key': 'demo-order-0001', 'x-hushsale-access': opened.accessToken },
        payload: { offerId, quantity: 1, address },
      });
      assert.equal(order.statusCode, 201, order.body);
      assert.equal(order.json().unitPriceFen, 39_900);
    });
  });
}

// Attribution: which promoter an order is credited to when a buyer opened several links or codes of
// one event, by the channel's rule (first or last touch), through the API (header) and the pages
// (cookie), on every store under test.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { address, anotherPromoterLink, api, buildWorld, type World } from './fixtures.ts';

async function creditedPromoter(t: TestApp, orderId: number): Promise<string | null> {
  const row = await t.hs.ctx.db.selectFrom('orders').select('promoter_id').where('id', '=', orderId).executeTakeFirstOrThrow();
  return row.promoter_id;
}

for (const store of storesUnderTest()) {
  describe(`attribution on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    async function buyAfterOpening(world: World, opens: Array<{ link?: string; code?: string }>): Promise<number> {
      const buyer = await t.signIn('buyer');
      let held: string | undefined;
      for (const open of opens) {
        const opened = await api<{ accessToken: string }>(t, 'POST', '/api/v1/access', held ? { 'x-hushsale-access': held } : {}, open, 200);
        held = opened.accessToken;
      }
      const order = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'x-hushsale-access': held as string, 'idempotency-key': `attr-${Math.random()}` },
        { offerId: world.offerId, quantity: 1, address }, 201);
      return order.id;
    }

    async function promoterIdOf(world: World): Promise<string> {
      const row = await t.hs.ctx.db.selectFrom('promoter_links').select('promoter_id').where('id', '=', world.link.linkId).executeTakeFirstOrThrow();
      return row.promoter_id;
    }

    it('credits the link opened last by default (last_touch)', async () => {
      const world = await buildWorld(t);
      const second = await anotherPromoterLink(t, world);
      const channel = await api<{ attribution: string }>(t, 'GET', `/api/v1/channels/${world.channelId}`, world.operator, undefined, 200);
      assert.equal(channel.attribution, 'last_touch');
      const orderId = await buyAfterOpening(world, [{ link: world.link.token }, { code: `复制 ￥${second.shareCode}￥ 打开` }]);
      assert.equal(await creditedPromoter(t, orderId), second.promoterId);
    });

    it('keeps the first promoter under first_touch, however many links follow', async () => {
      const world = await buildWorld(t);
      const second = await anotherPromoterLink(t, world);
      await api(t, 'PATCH', `/api/v1/channels/${world.channelId}`, world.operator, { attribution: 'first_touch' }, 200);
      t.clock.advanceMs(2000); // past the event view's cache, which carries the rule
      const first = await promoterIdOf(world);
      const orderId = await buyAfterOpening(world, [{ link: world.link.token }, { link: second.token }, { code: second.shareCode }]);
      assert.equal(await creditedPromoter(t, orderId), first);
      // A buyer who opened only the second link is credited to it: first touch is per buyer.
      const other = await buyAfterOpening(world, [{ link: second.token }, { link: world.link.token }]);
      assert.equal(await creditedPromoter(t, other), second.promoterId);
    });

    it('under first_touch, a first link revoked meanwhile no longer holds: the next one is credited', async () => {
      const world = await buildWorld(t);
      const second = await anotherPromoterLink(t, world);
      await api(t, 'PATCH', `/api/v1/channels/${world.channelId}`, world.operator, { attribution: 'first_touch' }, 200);
      t.clock.advanceMs(2000);
      const buyer = await t.signIn('buyer');
      const first = await api<{ accessToken: string }>(t, 'POST', '/api/v1/access', {}, { link: world.link.token }, 200);
      await api(t, 'POST', `/api/v1/links/${world.link.linkId}/revoke`, world.promoter, undefined, 200);
      const next = await api<{ accessToken: string }>(t, 'POST', '/api/v1/access', { 'x-hushsale-access': first.accessToken }, { link: second.token }, 200);
      assert.notEqual(next.accessToken, first.accessToken);
      const order = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'x-hushsale-access': next.accessToken, 'idempotency-key': `attr-${Math.random()}` },
        { offerId: world.offerId, quantity: 1, address }, 201);
      assert.equal(await creditedPromoter(t, order.id), second.promoterId);
    });

    it('follows the same rule through the link pages and their cookie', async () => {
      const world = await buildWorld(t);
      const second = await anotherPromoterLink(t, world);
      await api(t, 'PATCH', `/api/v1/channels/${world.channelId}`, world.operator, { attribution: 'first_touch' }, 200);
      t.clock.advanceMs(2000);
      const firstVisit = await t.hs.app.inject({ method: 'GET', url: `/e/${world.link.token}` });
      assert.equal(firstVisit.statusCode, 303);
      const cookie = firstVisit.cookies.find((c) => c.name === `hsa_${world.eventId}`);
      assert.ok(cookie);
      const secondVisit = await t.hs.app.inject({ method: 'GET', url: `/e/${second.token}`, cookies: { [cookie.name]: cookie.value } });
      assert.equal(secondVisit.statusCode, 303);
      const kept = secondVisit.cookies.find((c) => c.name === cookie.name);
      assert.equal(kept?.value, cookie.value, 'first touch keeps the first access cookie');
      await api(t, 'PATCH', `/api/v1/channels/${world.channelId}`, world.operator, { attribution: 'last_touch' }, 200);
      t.clock.advanceMs(2000);
      const thirdVisit = await t.hs.app.inject({ method: 'GET', url: `/e/${second.token}`, cookies: { [cookie.name]: cookie.value } });
      const replaced = thirdVisit.cookies.find((c) => c.name === cookie.name);
      assert.ok(replaced && replaced.value !== cookie.value, 'last touch replaces it');
    });
  });
}

// Leaderboards on every store under test: an event's and a channel's promoters ranked by paid GMV
// and by paid orders, moving as orders are paid; who may read them.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { anotherPromoterLink, api, buildWorld, buyThrough } from './fixtures.ts';

interface Board {
  promoterCount: number;
  items: Array<{ rank: number; promoterId: string; orders: number; gmvFen: number; displayName: string }>;
  me: { rank: number; promoterId: string; displayName: string; orders: number; gmvFen: number } | null;
  from: string | null;
  to: string | null;
}

for (const store of storesUnderTest()) {
  describe(`leaderboards on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    it('ranks an event by paid GMV and by orders, live, and shows a promoter their own row', async () => {
      const world = await buildWorld(t, { clearancePriceFen: 10_000, perBuyerLimit: 5 });
      const b = await anotherPromoterLink(t, world);
      const c = await anotherPromoterLink(t, world);
      const first = (await t.hs.ctx.db.selectFrom('promoter_links').select('promoter_id').where('id', '=', world.link.linkId).executeTakeFirstOrThrow()).promoter_id;
      // A: one order of 3 units (30,000); B: two orders of 1 unit (20,000); C: nothing paid.
      await buyThrough(t, world.link.token, world.offerId, { quantity: 3 });
      await buyThrough(t, b.token, world.offerId);
      await buyThrough(t, b.token, world.offerId);
      const byGmv = await api<Board>(t, 'GET', `/api/v1/events/${world.eventId}/leaderboard`, world.operator, undefined, 200);
      assert.deepEqual(byGmv.items.map((r) => [r.promoterId, r.rank, r.orders, r.gmvFen]), [[first, 1, 1, 30_000], [b.promoterId, 2, 2, 20_000]]);
      assert.equal(byGmv.promoterCount, 2);
      const byOrders = await api<Board>(t, 'GET', `/api/v1/events/${world.eventId}/leaderboard?by=orders`, world.operator, undefined, 200);
      assert.deepEqual(byOrders.items.map((r) => r.promoterId), [b.promoterId, first]);

      const asB = await api<Board>(t, 'GET', `/api/v1/events/${world.eventId}/leaderboard?limit=1`, b.headers, undefined, 200);
      assert.equal(asB.items.length, 1);
      assert.deepEqual(asB.me, { rank: 2, promoterId: b.promoterId, displayName: asB.me?.displayName, orders: 2, gmvFen: 20_000 });
      const asC = await api<Board>(t, 'GET', `/api/v1/events/${world.eventId}/leaderboard`, c.headers, undefined, 200);
      assert.equal(asC.me, null, 'a promoter without paid orders is not on the board');

      // Live: C sells 4 units; within a second the board has moved.
      await buyThrough(t, c.token, world.offerId, { quantity: 4 });
      t.clock.advanceMs(1500);
      const moved = await api<Board>(t, 'GET', `/api/v1/events/${world.eventId}/leaderboard`, c.headers, undefined, 200);
      assert.equal(moved.items[0]?.promoterId, c.promoterId);
      assert.deepEqual(moved.me && [moved.me.rank, moved.me.gmvFen], [1, 40_000]);
    });

    it('ranks a channel over a period of Asia/Shanghai days', async () => {
      const world = await buildWorld(t, { clearancePriceFen: 5_000 });
      const b = await anotherPromoterLink(t, world);
      await buyThrough(t, b.token, world.offerId);
      const board = await api<Board>(t, 'GET', `/api/v1/channels/${world.channelId}/leaderboard`, b.headers, undefined, 200);
      assert.deepEqual(board.items.map((r) => [r.promoterId, r.gmvFen]), [[b.promoterId, 5_000]]);
      assert.ok(board.from && board.to && board.from < board.to);
      const past = await api<Board>(t, 'GET', `/api/v1/channels/${world.channelId}/leaderboard?from=2026-01-01&to=2026-01-31`, world.operator, undefined, 200);
      assert.equal(past.promoterCount, 0);
      const reversed = await t.hs.app.inject({ method: 'GET', url: `/api/v1/channels/${world.channelId}/leaderboard?from=2026-02-01&to=2026-01-01`, headers: world.operator });
      assert.equal(reversed.statusCode, 400);
    });

    it("shows a board only to the event's merchant, the channel's promoters and operators", async () => {
      const world = await buildWorld(t);
      const own = (await t.signIn('merchant', { storeId: world.storeId })).headers;
      await api(t, 'GET', `/api/v1/events/${world.eventId}/leaderboard`, own, undefined, 200);
      const other = await buildWorld(t);
      const otherMerchant = (await t.signIn('merchant', { storeId: other.storeId })).headers;
      const outsider = (await t.signIn('promoter')).headers;
      const buyer = (await t.signIn('buyer')).headers;
      for (const [headers, status] of [[otherMerchant, 404], [outsider, 404], [buyer, 403]] as const) {
        const res = await t.hs.app.inject({ method: 'GET', url: `/api/v1/events/${world.eventId}/leaderboard`, headers });
        assert.equal(res.statusCode, status);
      }
      for (const [headers, status] of [[own, 403], [outsider, 404]] as const) {
        const res = await t.hs.app.inject({ method: 'GET', url: `/api/v1/channels/${world.channelId}/leaderboard`, headers });
        assert.equal(res.statusCode, status);
      }
    });
  });
}

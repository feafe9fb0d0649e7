// Buyers becoming the store's customers, on every store under test: the new-customer mark at the
// 365-day edges, membership only with consent and only once paid, the event's new-buyer share per
// promoter and the backflow to the public store.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { address, anotherPromoterLink, api, buildWorld, payOrder, type World } from './fixtures.ts';
import { issueSessionToken } from '../src/platform/auth.ts';

const DAY_MS = 86_400_000;

interface Member {
  buyerId: string;
  mobile: string | null;
  source: { orderId: number | null; eventId: string | null; eventTitle: string | null; promoterId: string | null; promoterName: string | null };
}

for (const store of storesUnderTest()) {
  describe(`customers on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    async function publicOrder(world: World, buyer: Record<string, string>, options: { pay?: boolean; joinMembership?: boolean } = {}): Promise<number> {
      const order = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyer, 'idempotency-key': `cust-${Math.random()}` },
        { skuId: world.skuId, quantity: 1, address, ...(options.joinMembership !== undefined ? { joinMembership: options.joinMembership } : {}) }, 201);
      if (options.pay !== false) await payOrder(t, buyer, order.id);
      return order.id;
    }

    async function eventOrder(world: World, buyer: Record<string, string>, linkToken: string, joinMembership?: boolean): Promise<number> {
      const opened = await api<{ accessToken: string }>(t, 'POST', '/api/v1/access', {}, { link: linkToken }, 200);
      const order = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyer, 'x-hushsale-access': opened.accessToken, 'idempotency-key': `cust-${Math.random()}` },
        { offerId: world.offerId, quantity: 1, address, ...(joinMembership !== undefined ? { joinMembership } : {}) }, 201);
      await payOrder(t, buyer, order.id);
      return order.id;
    }

    async function isNew(orderId: number): Promise<number | null> {
      return (await t.hs.ctx.db.selectFrom('orders').select('is_new_customer').where('id', '=', orderId).executeTakeFirstOrThrow()).is_new_customer;
    }

    it('marks the new-customer flag at the 365-day edges, ignoring unpaid cancelled orders and other stores', async () => {
      const world = await buildWorld(t);
      const other = await buildWorld(t);
      // Sessions that outlive the year the clock jumps.
      const longLived = async () => {
        const { principal } = await t.signIn('buyer');
        return { authorization: `Bearer ${issueSessionToken(t.hs.ctx.signer, principal, t.clock.nowMs() + 800 * DAY_MS)}` };
      };
      const x = await longLived();
      const y = await longLived();
      const z = await longLived();
      const start = t.clock.nowMs();
      const firstX = await publicOrder(world, x);
      t.clock.set(start);
      const firstY = await publicOrder(world, y);
      assert.equal(await isNew(firstX), 1, 'a first order is new');
      assert.equal(await isNew(firstY), 1);
      await publicOrder(other, z);
      const cancelled = await publicOrder(world, z, { pay: false });
      await api(t, 'POST', `/api/v1/orders/${cancelled}/cancel`, z, undefined, 200);

      t.clock.set(start + 365 * DAY_MS);
      const edgeX = await publicOrder(world, x);
      t.clock.set(start + 365 * DAY_MS + 1);
      const pastY = await publicOrder(world, y);
      const zFirstHere = await publicOrder(world, z);
      assert.equal(await isNew(edgeX), 0, 'an order exactly 365 days before still counts');
      assert.equal(await isNew(pastY), 1, 'one a millisecond older does not');
      assert.equal(await isNew(zFirstHere), 1, 'an unpaid cancelled order and another store do not count');
      const nextDay = await publicOrder(world, z);
      assert.equal(await isNew(nextDay), 0, 'a second order is returning');
    });

    it('adds a member only with consent and only once paid, with the source event and promoter; exports and leaves', async () => {
      const world = await buildWorld(t);
      const merchant = (await t.signIn('merchant', { storeId: world.storeId })).headers;
      const consenting = await t.signIn('buyer');
      const silent = await t.signIn('buyer');
      const unpaid = await t.signIn('buyer');
      const orderId = await eventOrder(world, consenting.headers, world.link.token, true);
      await eventOrder(world, silent.headers, world.link.token);
      await publicOrder(world, unpaid.headers, { pay: false, joinMembership: true });
      const members = await api<{ items: Member[] }>(t, 'GET', `/api/v1/stores/${world.storeId}/members`, merchant, undefined, 200);
      assert.deepEqual(members.items.map((m) => m.buyerId), [consenting.principal.userId]);
      const promoterId = (await t.hs.ctx.db.selectFrom('promoter_links').select('promoter_id').where('id', '=', world.link.linkId).executeTakeFirstOrThrow()).promoter_id;
      const source = members.items[0]?.source;
      assert.deepEqual(source && [source.orderId, source.eventId, source.eventTitle, source.promoterId], [orderId, world.eventId, '冬季清仓 Winter clearance', promoterId]);
      assert.ok(source?.promoterName, 'the promoter is named');
      // A second consenting order keeps the first join and its source.
      await publicOrder(world, consenting.headers, { joinMembership: true });
      const again = await api<{ items: Member[] }>(t, 'GET', `/api/v1/stores/${world.storeId}/members`, merchant, undefined, 200);
      assert.equal(again.items.length, 1);
      assert.equal(again.items[0]?.source.eventId, world.eventId);

      const csv = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${world.storeId}/members/export`, headers: merchant });
      assert.equal(csv.statusCode, 200);
      const rows = parse(csv.body, { bom: true, columns: true }) as Array<Record<string, string>>;
      assert.deepEqual(rows.map((r) => [r.buyerId, r.sourceEventId]), [[consenting.principal.userId, world.eventId]]);
      assert.match(rows[0]?.mobile ?? '', /^1[3-9][0-9]{9}$/);

      const otherStore = await buildWorld(t);
      const otherMerchant = (await t.signIn('merchant', { storeId: otherStore.storeId })).headers;
      for (const url of [`/api/v1/stores/${world.storeId}/members`, `/api/v1/stores/${world.storeId}/members/export`]) {
        assert.equal((await t.hs.app.inject({ method: 'GET', url, headers: otherMerchant })).statusCode, 404);
      }

      const mine = await api<{ items: Member[] }>(t, 'GET', '/api/v1/me/memberships', consenting.headers, undefined, 200);
      assert.equal(mine.items.length, 1);
      await api(t, 'DELETE', `/api/v1/me/memberships/${world.storeId}`, consenting.headers, undefined, 200);
      assert.equal((await api<{ items: Member[] }>(t, 'GET', `/api/v1/stores/${world.storeId}/members`, merchant, undefined, 200)).items.length, 0);
      assert.equal((await t.hs.app.inject({ method: 'DELETE', url: `/api/v1/me/memberships/${world.storeId}`, headers: consenting.headers })).statusCode, 404);
    });

    it("reports an event's new buyers per promoter and their backflow to the public store within 30 and 90 days", async () => {
      const world = await buildWorld(t, { publicPriceFen: 20_000 });
      const merchant = (await t.signIn('merchant', { storeId: world.storeId })).headers;
      const b = await anotherPromoterLink(t, world);
      const newViaA = (await t.signIn('buyer')).headers;
      const returning = (await t.signIn('buyer')).headers;
      const newViaB = (await t.signIn('buyer')).headers;
      await publicOrder(world, returning);
      t.clock.advanceMinutes(5);
      await eventOrder(world, newViaA, world.link.token);
      await eventOrder(world, returning, b.token);
      await eventOrder(world, newViaB, b.token);
      t.clock.advanceMs(10 * DAY_MS);
      await publicOrder(world, newViaA);
      t.clock.advanceMs(50 * DAY_MS);
      await publicOrder(world, newViaB);
      await publicOrder(world, returning);
      const report = await api<{ buyers: number; newBuyers: number; newShareBp: number; byPromoter: Array<{ promoterId: string; buyers: number; newBuyers: number }>; backflow: Array<{ days: number; buyers: number; orders: number; gmvFen: number }> }>(
        t, 'GET', `/api/v1/events/${world.eventId}/customers`, merchant, undefined, 200);
      assert.deepEqual([report.buyers, report.newBuyers, report.newShareBp], [3, 2, 6666]);
      const ofB = report.byPromoter.find((p) => p.promoterId === b.promoterId);
      assert.deepEqual(ofB && [ofB.buyers, ofB.newBuyers], [2, 1]);
      assert.deepEqual(report.backflow, [
        { days: 30, buyers: 1, orders: 1, gmvFen: 20_000 },
        { days: 90, buyers: 2, orders: 2, gmvFen: 40_000 },
      ]);
      const otherMerchant = (await t.signIn('merchant', { storeId: (await buildWorld(t)).storeId })).headers;
      assert.equal((await t.hs.app.inject({ method: 'GET', url: `/api/v1/events/${world.eventId}/customers`, headers: otherMerchant })).statusCode, 404);
    });
  });
}

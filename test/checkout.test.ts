// The purchase path end to end through HTTP, and the invariants under concurrency:
// no oversell (event offer and public store), per-buyer limits, expiry on time, payments once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { address, api, buildWorld, buyerWithAccess, promoterInChannel } from './fixtures.ts';

let keyCounter = 0;
const key = () => `test-key-${process.pid}-${++keyCounter}`;

async function reserve(t: TestApp, headers: Record<string, string>, body: Record<string, unknown>, idempotencyKey = key()) {
  return t.hs.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...headers, 'idempotency-key': idempotencyKey }, payload: { quantity: 1, address, ...body } });
}

async function offerRow(t: TestApp, offerId: string) {
  return t.hs.ctx.db.selectFrom('offers').selectAll().where('id', '=', offerId).executeTakeFirstOrThrow();
}

async function skuStock(t: TestApp, skuId: string) {
  return (await t.hs.ctx.db.selectFrom('skus').select('stock_units').where('id', '=', skuId).executeTakeFirstOrThrow()).stock_units;
}

/** Pays an order through the sandbox: pay, confirm on the cashier, let the notices arrive. */
async function payThroughSandbox(t: TestApp, headers: Record<string, string>, orderId: number) {
  const payment = await api<{ payUrl: string; paymentId: string }>(t, 'POST', `/api/v1/orders/${orderId}/pay`, { ...headers, 'idempotency-key': key() }, { provider: 'sandbox' }, 200);
  const sandboxId = payment.payUrl.split('/').pop() as string;
  await api(t, 'POST', `/api/v1/sandbox/payments/${sandboxId}/confirm`, {}, undefined, 200);
  return payment;
}

async function deliverNotices(t: TestApp) {
  t.clock.advanceMs(t.config.sandboxNotifyDelayMs * 3 + 2000);
  await t.hs.ctx.jobs.runOnce();
}

for (const store of storesUnderTest()) {
  describe(`checkout on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    it('sells a clearance-priced unit to a buyer holding a link, and records the promoter', async () => {
      const world = await buildWorld(t, { clearancePriceFen: 12_345, allocatedUnits: 10 });
      const buyer = await buyerWithAccess(t, world);
      const res = await reserve(t, buyer.headers, { offerId: world.offerId, quantity: 2 });
      assert.equal(res.statusCode, 201, res.body);
      const order = res.json();
      assert.equal(order.unitPriceFen, 12_345);
      assert.equal(order.totalFen, 24_690);
      assert.equal(order.status, 'pending_payment');
      assert.equal(res.headers['cache-control'], 'private, no-store');
      assert.equal(Date.parse(order.payDeadline) - t.clock.nowMs(), 15 * 60_000);
      const row = await t.hs.ctx.db.selectFrom('orders').selectAll().where('id', '=', order.id).executeTakeFirstOrThrow();
      assert.equal(row.store_id, world.storeId);
      assert.equal(row.link_id, world.link.linkId);
      assert.ok(row.promoter_id);

      await payThroughSandbox(t, buyer.headers, order.id);
      const pending = await api<{ status: string }>(t, 'GET', `/api/v1/orders/${order.id}`, buyer.headers, undefined, 200);
      assert.equal(pending.status, 'pending_payment', 'paid only when the notification arrives');
      await deliverNotices(t);
      const paid = await api<{ status: string }>(t, 'GET', `/api/v1/orders/${order.id}`, buyer.headers, undefined, 200);
      assert.equal(paid.status, 'paid');
      const payments = await t.hs.ctx.db.selectFrom('payments').selectAll().where('order_id', '=', order.id).execute();
      assert.equal(payments.length, 1);
      assert.equal(payments[0]?.status, 'succeeded');
      const jobs = await t.hs.ctx.db.selectFrom('jobs').select(['kind', 'done_at', 'last_error']).where('kind', '=', 'sandbox.notify').execute();
      assert.ok(jobs.length >= 2 && jobs.every((j) => j.done_at !== null && j.last_error === null), 'the duplicate notice was accepted idempotently');
      assert.equal((await offerRow(t, world.offerId)).reserved_units, 2);
    });

    it('refuses without access, before and after the window, with their own codes', async () => {
      const world = await buildWorld(t, { startsInMinutes: 60, durationMinutes: 60 });
      const buyer = await t.signIn('buyer');
      const noAccess = await reserve(t, buyer.headers, { offerId: world.offerId });
      assert.equal(noAccess.statusCode, 403);
      assert.equal(noAccess.json().code, 'ACCESS_MISSING');
      const withAccess = await buyerWithAccess(t, world);
      const early = await reserve(t, withAccess.headers, { offerId: world.offerId });
      assert.equal(early.json().code, 'WINDOW_NOT_OPEN');
      t.clock.advanceMinutes(121);
      const late = await reserve(t, withAccess.headers, { offerId: world.offerId });
      assert.equal(late.statusCode, 410);
      assert.equal(late.json().code, 'WINDOW_CLOSED');
      const noKey = await t.hs.app.inject({ method: 'POST', url: '/api/v1/orders', headers: buyer.headers, payload: { offerId: world.offerId, quantity: 1, address } });
      assert.equal(noKey.json().code, 'IDEMPOTENCY_KEY_REQUIRED');
      const badAddress = await reserve(t, withAccess.headers, { offerId: world.offerId, address: { ...address, mobile: '12345' } });
      assert.equal(badAddress.statusCode, 400);
      assert.equal(badAddress.json().code, 'VALIDATION_FAILED');
      assert.equal((await offerRow(t, world.offerId)).reserved_units, 0, 'nothing was held by refused requests');
    });

    it('never oversells: 2,000 concurrent buyers through HTTP on 100 units', async () => {
      const world = await buildWorld(t, { allocatedUnits: 100, perBuyerLimit: 1, stockUnits: 100 });
      const buyers = [];
      for (let i = 0; i < 2000; i++) buyers.push(await buyerWithAccess(t, world));
      const results = await Promise.all(buyers.map((b) => reserve(t, b.headers, { offerId: world.offerId })));
      const created = results.filter((r) => r.statusCode === 201);
      const soldOut = results.filter((r) => r.statusCode === 409 && r.json().code === 'SOLD_OUT');
      assert.equal(created.length, 100);
      assert.equal(soldOut.length, 1900);
      assert.equal((await offerRow(t, world.offerId)).reserved_units, 100);
      const orders = await t.hs.ctx.db.selectFrom('orders').select((eb) => eb.fn.sum<number>('quantity').as('units')).where('offer_id', '=', world.offerId).where('status', '!=', 'cancelled').executeTakeFirstOrThrow();
      assert.equal(Number(orders.units), 100);
      assert.equal(await skuStock(t, world.skuId), 0, 'all stock was carved into the event; the store has none left');
    });

    // Two servers on one database is the PostgreSQL deployment. Two SQLite connections in one test
    // process would stall each other: better-sqlite3 waits for the write lock synchronously.
    it('never oversells when two servers with their own books share one database', { skip: store === 'sqlite' ? 'a PostgreSQL deployment' : false }, async () => {
      const world = await buildWorld(t, { allocatedUnits: 100, perBuyerLimit: 2 });
      const peer = await t.startPeer();
      const buyers = [];
      for (let i = 0; i < 600; i++) buyers.push(await buyerWithAccess(t, world));
      const results = await Promise.all(buyers.map((b, i) => {
        const app = i % 2 === 0 ? t.hs.app : peer.app;
        return app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...b.headers, 'idempotency-key': key() }, payload: { offerId: world.offerId, quantity: 1 + (i % 2), address } });
      }));
      const units = results.filter((r) => r.statusCode === 201).reduce((sum, r) => sum + (r.json() as { quantity: number }).quantity, 0);
      assert.equal(units, 100, 'exactly the allocation is held, across both servers');
      assert.ok(results.every((r) => r.statusCode === 201 || r.json().code === 'SOLD_OUT'), 'every refusal is SOLD_OUT');
      const offer = await offerRow(t, world.offerId);
      assert.equal(offer.reserved_units, 100);
      const orders = await t.hs.ctx.db.selectFrom('orders').select((eb) => eb.fn.sum<number>('quantity').as('units')).where('offer_id', '=', world.offerId).executeTakeFirstOrThrow();
      assert.equal(Number(orders.units), 100);
    });

    it('holds the per-buyer limit under concurrent requests from the same buyer, across links', async () => {
      const world = await buildWorld(t, { allocatedUnits: 100, perBuyerLimit: 3 });
      const buyer = await buyerWithAccess(t, world);
      const results = await Promise.all(Array.from({ length: 40 }, () => reserve(t, buyer.headers, { offerId: world.offerId })));
      assert.equal(results.filter((r) => r.statusCode === 201).length, 3);
      assert.ok(results.filter((r) => r.statusCode !== 201).every((r) => r.json().code === 'LIMIT_REACHED'));
      // Another promoter's link does not reset the count.
      const other = (await promoterInChannel(t, world.operator, world.channelId)).headers;
      const link2 = await api<{ token: string }>(t, 'POST', `/api/v1/events/${world.eventId}/links`, other, undefined, 200);
      const opened = await api<{ accessToken: string }>(t, 'POST', '/api/v1/access', {}, { link: link2.token }, 200);
      const again = await reserve(t, { ...buyer.headers, 'x-hushsale-access': opened.accessToken }, { offerId: world.offerId });
      assert.equal(again.json().code, 'LIMIT_REACHED');
    });

    it('never drives store stock below zero when the public store and an event sell the same SKU', async () => {
      const world = await buildWorld(t, { stockUnits: 150, allocatedUnits: 100, perBuyerLimit: 1 });
      assert.equal(await skuStock(t, world.skuId), 50);
      const eventBuyers = [];
      const publicBuyers = [];
      for (let i = 0; i < 300; i++) eventBuyers.push(await buyerWithAccess(t, world));
      for (let i = 0; i < 300; i++) publicBuyers.push((await t.signIn('buyer')).headers);
      const results = await Promise.all([
        ...eventBuyers.map((b) => reserve(t, b.headers, { offerId: world.offerId })),
        ...publicBuyers.map((h) => reserve(t, h, { skuId: world.skuId })),
      ]);
      const eventSold = results.slice(0, 300).filter((r) => r.statusCode === 201).length;
      const publicSold = results.slice(300).filter((r) => r.statusCode === 201).length;
      assert.equal(eventSold, 100);
      assert.equal(publicSold, 50);
      assert.equal(await skuStock(t, world.skuId), 0);
      const publicOrder = results.slice(300).find((r) => r.statusCode === 201)?.json();
      assert.equal(publicOrder.unitPriceFen, 99_900, 'the public store sells at the public price');
    });

    it('replays a retried reservation instead of ordering twice', async () => {
      const world = await buildWorld(t, { perBuyerLimit: 5 });
      const buyer = await buyerWithAccess(t, world);
      const k = key();
      const [a, b] = await Promise.all([reserve(t, buyer.headers, { offerId: world.offerId }, k), reserve(t, buyer.headers, { offerId: world.offerId }, k)]);
      assert.equal(a.json().id, b.json().id);
      const c = await reserve(t, buyer.headers, { offerId: world.offerId }, k);
      assert.equal(c.statusCode, 200);
      assert.equal(c.json().id, a.json().id);
      const reused = await reserve(t, buyer.headers, { offerId: world.offerId, quantity: 2 }, k);
      assert.equal(reused.json().code, 'IDEMPOTENCY_KEY_REUSED');
      assert.equal((await offerRow(t, world.offerId)).reserved_units, 1);
    });

    it('cancels unpaid orders at their deadline and gives the units back; a late payment is refunded, not sold twice', async () => {
      const world = await buildWorld(t, { allocatedUnits: 1, perBuyerLimit: 1 });
      const first = await buyerWithAccess(t, world);
      const order = (await reserve(t, first.headers, { offerId: world.offerId })).json();
      const second = await buyerWithAccess(t, world);
      assert.equal((await reserve(t, second.headers, { offerId: world.offerId })).json().code, 'SOLD_OUT');
      const payment = await api<{ payUrl: string }>(t, 'POST', `/api/v1/orders/${order.id}/pay`, { ...first.headers, 'idempotency-key': key() }, {}, 200);

      t.clock.advanceMinutes(14);
      await t.hs.ctx.jobs.runOnce();
      assert.equal((await offerRow(t, world.offerId)).reserved_units, 1, 'not before the deadline');
      t.clock.advanceMinutes(1);
      await t.hs.ctx.jobs.runOnce();
      const cancelled = await api<{ status: string; cancelReason: string }>(t, 'GET', `/api/v1/orders/${order.id}`, first.headers, undefined, 200);
      assert.equal(cancelled.status, 'cancelled');
      assert.equal(cancelled.cancelReason, 'payment_timeout');
      assert.equal((await offerRow(t, world.offerId)).reserved_units, 0);

      const resold = await reserve(t, second.headers, { offerId: world.offerId });
      assert.equal(resold.statusCode, 201, 'the unit is back on sale');

      // The first buyer's payment now arrives, late.
      await api(t, 'POST', `/api/v1/sandbox/payments/${payment.payUrl.split('/').pop()}/confirm`, {}, undefined, 200);
      await deliverNotices(t);
      await t.hs.ctx.jobs.runOnce();
      const late = await t.hs.ctx.db.selectFrom('payments').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
      assert.equal(late.status, 'refunded');
      assert.match(late.note ?? '', /cancelled/);
      assert.equal((await api<{ status: string }>(t, 'GET', `/api/v1/orders/${order.id}`, first.headers, undefined, 200)).status, 'cancelled');
      assert.equal((await offerRow(t, world.offerId)).reserved_units, 1, 'sold once');
    });

    it('returns units of an order cancelled after the event ended to store stock', async () => {
      const world = await buildWorld(t, { stockUnits: 10, allocatedUnits: 10, perBuyerLimit: 2, durationMinutes: 10 });
      const buyer = await buyerWithAccess(t, world);
      const order = (await reserve(t, buyer.headers, { offerId: world.offerId, quantity: 2 })).json();
      t.clock.advanceMinutes(11);
      await t.hs.services.events.endDueEvents();
      assert.equal(await skuStock(t, world.skuId), 8, 'unsold allocation went back');
      t.clock.advanceMinutes(5);
      await t.hs.ctx.jobs.runOnce();
      assert.equal((await api<{ status: string }>(t, 'GET', `/api/v1/orders/${order.id}`, buyer.headers, undefined, 200)).status, 'cancelled');
      assert.equal(await skuStock(t, world.skuId), 10, 'the expired order\'s units went back to the store');
      const offer = await offerRow(t, world.offerId);
      assert.equal(offer.reserved_units, 0);
      assert.equal(offer.allocated_units, 0);
    });

    it('keeps orders private to their buyer', async () => {
      const world = await buildWorld(t);
      const owner = await buyerWithAccess(t, world);
      const order = (await reserve(t, owner.headers, { offerId: world.offerId })).json();
      const stranger = await t.signIn('buyer');
      const res = await t.hs.app.inject({ method: 'GET', url: `/api/v1/orders/${order.id}`, headers: stranger.headers });
      assert.equal(res.statusCode, 404);
      const pay = await t.hs.app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/pay`, headers: { ...stranger.headers, 'idempotency-key': key() }, payload: {} });
      assert.equal(pay.statusCode, 404);
      const cancel = await t.hs.app.inject({ method: 'POST', url: `/api/v1/orders/${order.id}/cancel`, headers: stranger.headers });
      assert.equal(cancel.statusCode, 404);
    });

    it('rejects a forged payment notification', async () => {
      const res = await t.hs.app.inject({
        method: 'POST', url: '/api/v1/payments/notify/sandbox', headers: { 'x-sandbox-signature': 'A'.repeat(22) },
        payload: { sandboxPaymentId: 'sbx_x', paymentId: 'pay_x', amountFen: 1, paidAt: '2026-11-25T00:00:00.000Z' },
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'PAYMENT_SIGNATURE_INVALID');
    });
  });
}

// After-sales on every store under test: refunds before shipping (at once, units back to the offer
// or to store stock, buyable again), returns after it (approve, ship back, receive; reject and
// cancel free the units), the return window's edges, partial refunds by quantity, isolation, and
// nothing paid twice whatever arrives twice (one key twice, two keys at once, two servers, two
// receipts, a refund job run twice). The ledger balances after each; a return open when the window
// closes keeps the commission on hold, and its refund is reversed from the hold.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { address, api, buildWorld, buyThrough, buyerWithAccess, type World } from './fixtures.ts';
import type { RefundRequestView } from '../src/aftersales/service.ts';

const DAY_MS = 86_400_000;
const PRICE = 12_345;

let keyCounter = 0;
const key = () => `aftersales-${process.pid}-${++keyCounter}`;

for (const store of storesUnderTest()) {
  describe(`after-sales on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    const merchantOf = async (world: World) => (await t.signIn('merchant', { storeId: world.storeId })).headers;
    const buyerOnly = (headers: Record<string, string>) => ({ authorization: headers.authorization as string });

    function ask(buyer: Record<string, string>, orderId: number, quantity: number, idempotencyKey = key(), app = t.hs.app) {
      return app.inject({ method: 'POST', url: `/api/v1/orders/${orderId}/refunds`, headers: { ...buyerOnly(buyer), 'idempotency-key': idempotencyKey }, payload: { quantity, reason: '不想要了' } });
    }

    async function askOk(buyer: Record<string, string>, orderId: number, quantity: number): Promise<RefundRequestView> {
      const res = await ask(buyer, orderId, quantity);
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as RefundRequestView;
    }

    async function ship(world: World, merchant: Record<string, string>, orderId: number, deliver = false): Promise<void> {
      await api(t, 'POST', `/api/v1/stores/${world.storeId}/orders/${orderId}/ship`, merchant, { carrier: '顺丰速运', trackingNo: `SF${orderId}000` }, 200);
      if (deliver) await api(t, 'POST', `/api/v1/stores/${world.storeId}/orders/${orderId}/deliver`, merchant, undefined, 200);
    }

    const step = (world: World, merchant: Record<string, string>, id: string, action: 'approve' | 'reject' | 'receive', payload?: object) =>
      t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${world.storeId}/refunds/${id}/${action}`, headers: merchant, ...(payload ?? action === 'approve' ? { payload: payload ?? {} } : {}) });

    async function sendBack(buyer: Record<string, string>, id: string, expect = 200) {
      return api<RefundRequestView>(t, 'POST', `/api/v1/refunds/${id}/return-shipment`, buyerOnly(buyer), { carrier: '中通快递', trackingNo: 'ZT12345678' }, expect);
    }

    async function units(world: World, orderId: number, buyerId: string) {
      const db = t.hs.ctx.db;
      const offer = await db.selectFrom('offers').select(['reserved_units', 'allocated_units']).where('id', '=', world.offerId).executeTakeFirstOrThrow();
      const sku = await db.selectFrom('skus').select('stock_units').where('id', '=', world.skuId).executeTakeFirstOrThrow();
      const holding = await db.selectFrom('buyer_holdings').select('units').where('offer_id', '=', world.offerId).where('buyer_id', '=', buyerId).executeTakeFirst();
      const order = await db.selectFrom('orders').select(['refunded_units', 'claimed_units', 'refunded_fen', 'total_fen']).where('id', '=', orderId).executeTakeFirstOrThrow();
      return { reserved: offer.reserved_units, allocated: offer.allocated_units, stock: sku.stock_units, holding: holding?.units ?? 0, ...order };
    }

    async function sandboxRefunds(orderId: number) {
      const rows = await t.hs.ctx.db.selectFrom('sandbox_refunds')
        .innerJoin('payments', 'payments.provider_ref', 'sandbox_refunds.sandbox_payment_id')
        .select(['sandbox_refunds.refund_id', 'sandbox_refunds.amount_fen']).where('payments.order_id', '=', orderId).execute();
      const payment = await t.hs.ctx.db.selectFrom('sandbox_payments').innerJoin('payments', 'payments.provider_ref', 'sandbox_payments.id')
        .select(['sandbox_payments.refunded_fen', 'sandbox_payments.status']).where('payments.order_id', '=', orderId).where('payments.status', '=', 'succeeded').executeTakeFirstOrThrow();
      return { rows, refundedFen: Number(payment.refunded_fen), status: payment.status };
    }

    const refundEntries = async (orderId: number) =>
      (await t.hs.ctx.db.selectFrom('ledger_entries').select('dedupe_key').where('order_id', '=', orderId).where('kind', '=', 'refund').execute()).map((e) => e.dedupe_key);

    const requestRow = (id: string) => t.hs.ctx.db.selectFrom('refund_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    it('refunds before shipping at once, by quantity, units back to the offer; the job pays the buyer and the last unit takes what is left', async () => {
      const world = await buildWorld(t, { perBuyerLimit: 3 });
      const { orderId, buyerId, headers } = await buyThrough(t, world.link.token, world.offerId, { quantity: 3 });
      const start = await units(world, orderId, buyerId);
      assert.deepEqual([start.reserved, start.holding], [3, 3]);

      const first = await askOk(headers, orderId, 2);
      assert.equal(first.kind, 'before_shipping');
      assert.equal(first.status, 'refunding');
      assert.equal(first.amountFen, 2 * PRICE);
      let now = await units(world, orderId, buyerId);
      assert.deepEqual([now.reserved, now.holding, now.stock, now.refunded_units, now.claimed_units, now.refunded_fen], [1, 1, start.stock, 2, 2, 2 * PRICE], 'units back to the offer, stock untouched');
      assert.deepEqual(await refundEntries(orderId), [`refund:${first.id}`], 'the ledger entry is in the same transaction');
      assert.deepEqual((await sandboxRefunds(orderId)).rows, [], 'the provider is paid by the job');

      await t.hs.ctx.jobs.runOnce();
      assert.equal((await requestRow(first.id)).status, 'refunded');
      let paidBack = await sandboxRefunds(orderId);
      assert.deepEqual(paidBack.rows, [{ refund_id: first.id, amount_fen: 2 * PRICE }]);
      assert.equal(paidBack.status, 'paid', 'part of the payment is left');

      const last = await askOk(headers, orderId, 1);
      await t.hs.ctx.jobs.runOnce();
      now = await units(world, orderId, buyerId);
      assert.equal(now.refunded_fen, now.total_fen, 'the order ends refunded in full');
      assert.deepEqual([now.reserved, now.holding, now.refunded_units], [0, 0, 3]);
      paidBack = await sandboxRefunds(orderId);
      assert.equal(paidBack.refundedFen, 3 * PRICE);
      assert.equal(paidBack.status, 'refunded');
      assert.equal((await requestRow(last.id)).status, 'refunded');

      const more = await ask(headers, orderId, 1);
      assert.equal(more.statusCode, 409);
      assert.equal(more.json().code, 'REFUND_QUANTITY_EXCEEDED');
      const list = await api<{ items: RefundRequestView[] }>(t, 'GET', `/api/v1/orders/${orderId}/refunds`, buyerOnly(headers), undefined, 200);
      assert.deepEqual(list.items.map((r) => [r.id, r.status, r.quantity]), [[last.id, 'refunded', 1], [first.id, 'refunded', 2]]);
      await t.hs.services.ledger.assertBalanced();
    });

    it('puts a unit refunded before shipping back on sale: another buyer buys it through HTTP', async () => {
      const world = await buildWorld(t, { allocatedUnits: 1, perBuyerLimit: 1 });
      const first = await buyThrough(t, world.link.token, world.offerId);
      const second = await buyerWithAccess(t, world);
      const order = (k: string) => t.hs.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...second.headers, 'idempotency-key': k }, payload: { offerId: world.offerId, quantity: 1, address } });
      const soldOut = await order(key());
      assert.equal(soldOut.statusCode, 409);
      assert.equal(soldOut.json().code, 'SOLD_OUT');
      await askOk(first.headers, first.orderId, 1);
      const bought = await order(key());
      assert.equal(bought.statusCode, 201, bought.body);
      const after = await units(world, first.orderId, first.buyerId);
      assert.equal(after.reserved, 1, "the unit is the second buyer's now");
      await t.hs.services.ledger.assertBalanced();
    });

    it("returns units to store stock once the event's allocation went back to the store", async () => {
      const world = await buildWorld(t, { durationMinutes: 60 });
      const { orderId, buyerId, headers } = await buyThrough(t, world.link.token, world.offerId);
      t.clock.advanceMs(2 * 60 * 60_000);
      await t.hs.ctx.jobs.runOnce();
      const event = await t.hs.ctx.db.selectFrom('events').select('allocation_returned_at').where('id', '=', world.eventId).executeTakeFirstOrThrow();
      assert.notEqual(event.allocation_returned_at, null, 'the event ended');
      const before = await units(world, orderId, buyerId);
      await askOk(headers, orderId, 1);
      const after = await units(world, orderId, buyerId);
      assert.equal(after.stock, before.stock + 1, 'back in store stock');
      assert.deepEqual([after.reserved, after.allocated, after.holding], [before.reserved - 1, before.allocated - 1, before.holding - 1], 'and out of the ended offer');
      await t.hs.services.ledger.assertBalanced();
    });

    it('takes a return through approve, ship back and receive; the goods go to store stock; reject and cancel free the units', async () => {
      const world = await buildWorld(t, { perBuyerLimit: 3 });
      const merchant = await merchantOf(world);
      const { orderId, buyerId, headers } = await buyThrough(t, world.link.token, world.offerId, { quantity: 3 });
      await ship(world, merchant, orderId);
      const start = await units(world, orderId, buyerId);

      const asked = await askOk(headers, orderId, 1);
      assert.deepEqual([asked.kind, asked.status, asked.amountFen], ['return', 'requested', PRICE]);
      const queue = await api<{ items: RefundRequestView[] }>(t, 'GET', `/api/v1/stores/${world.storeId}/refunds?status=open`, merchant, undefined, 200);
      assert.deepEqual(queue.items.map((r) => r.id), [asked.id]);
      // The buyer cannot send it back before approval; the merchant cannot receive before approval.
      await sendBack(headers, asked.id, 409);
      assert.equal((await step(world, merchant, asked.id, 'receive')).statusCode, 409);

      const approved = await step(world, merchant, asked.id, 'approve', { note: '请寄回' });
      assert.equal(approved.statusCode, 200, approved.body);
      assert.deepEqual([approved.json().status, approved.json().decisionReason], ['approved', '请寄回']);
      assert.equal((await step(world, merchant, asked.id, 'approve')).json().status, 'approved', 'a second approval replays');
      const sent = await sendBack(headers, asked.id);
      assert.deepEqual([sent.status, sent.returnCarrier, sent.returnTrackingNo], ['returned', '中通快递', 'ZT12345678']);
      assert.equal((await sendBack(headers, asked.id)).status, 'returned', 'the same tracking again replays');
      const cancelLate = await t.hs.app.inject({ method: 'POST', url: `/api/v1/refunds/${asked.id}/cancel`, headers: buyerOnly(headers) });
      assert.equal(cancelLate.statusCode, 409, 'no cancel once the goods are on their way');
      assert.equal(cancelLate.json().code, 'REFUND_STEP_NOT_ALLOWED');
      assert.equal((await step(world, merchant, asked.id, 'reject', { reason: 'too late' })).statusCode, 409);

      const received = await step(world, merchant, asked.id, 'receive');
      assert.equal(received.statusCode, 200, received.body);
      assert.equal(received.json().status, 'refunding');
      let now = await units(world, orderId, buyerId);
      assert.deepEqual([now.stock, now.reserved, now.holding], [start.stock + 1, start.reserved, start.holding], 'returned goods go to the warehouse; the offer keeps them sold');
      assert.deepEqual([now.refunded_units, now.claimed_units, now.refunded_fen], [1, 1, PRICE]);
      await t.hs.ctx.jobs.runOnce();
      assert.equal((await requestRow(asked.id)).status, 'refunded');

      // Rejected: the units are free again.
      const second = await askOk(headers, orderId, 2);
      assert.equal((await ask(headers, orderId, 1)).json().code, 'REFUND_QUANTITY_EXCEEDED', 'an open request holds its units');
      const rejected = await step(world, merchant, second.id, 'reject', { reason: '商品已使用' });
      assert.deepEqual([rejected.json().status, rejected.json().decisionReason], ['rejected', '商品已使用']);

      // Each side heard of each step once: the store of the requests and the shipment back, the buyer of the decisions and the refund.
      const kindsOf = async (headers: Record<string, string>) => (await api<{ items: Array<{ kind: string; data: { refundId?: string } }> }>(t, 'GET', '/api/v1/me/notices?limit=100', headers, undefined, 200))
        .items.filter((n) => n.data.refundId === asked.id || n.data.refundId === second.id).map((n) => `${n.kind}:${n.data.refundId === asked.id ? 1 : 2}`).sort();
      assert.deepEqual(await kindsOf(merchant), ['return_requested:1', 'return_requested:2', 'return_shipped:1']);
      assert.deepEqual(await kindsOf(buyerOnly(headers)), ['refunded:1', 'return_approved:1', 'return_rejected:2']);
      assert.equal((await step(world, merchant, second.id, 'approve')).statusCode, 409, 'no approval after a rejection');
      // Cancelled by the buyer: free again.
      const third = await askOk(headers, orderId, 2);
      const cancelled = await api<RefundRequestView>(t, 'POST', `/api/v1/refunds/${third.id}/cancel`, buyerOnly(headers), undefined, 200);
      assert.equal(cancelled.status, 'cancelled');
      assert.equal((await api<RefundRequestView>(t, 'POST', `/api/v1/refunds/${third.id}/cancel`, buyerOnly(headers), undefined, 200)).status, 'cancelled', 'cancelling twice replays');
      now = await units(world, orderId, buyerId);
      assert.deepEqual([now.claimed_units, now.refunded_units], [1, 1]);
      await askOk(headers, orderId, 2);
      const rows = await api<{ items: RefundRequestView[]; nextBeforeId: string | null }>(t, 'GET', `/api/v1/stores/${world.storeId}/refunds?limit=2`, merchant, undefined, 200);
      assert.equal(rows.items.length, 2);
      assert.ok(rows.nextBeforeId);
      const rest = await api<{ items: RefundRequestView[]; nextBeforeId: string | null }>(t, 'GET', `/api/v1/stores/${world.storeId}/refunds?limit=2&beforeId=${rows.nextBeforeId}`, merchant, undefined, 200);
      assert.deepEqual(rest.items.length, 2);
      assert.equal(rest.nextBeforeId, null);
      assert.equal((await api<{ items: unknown[] }>(t, 'GET', `/api/v1/stores/${world.storeId}/refunds?status=rejected`, merchant, undefined, 200)).items.length, 1);
      // A refund before shipping is not the merchant's to approve or receive, nor the buyer's to cancel.
      const early = await buyThrough(t, world.link.token, world.offerId, { quantity: 1 });
      const refund = await askOk(early.headers, early.orderId, 1);
      for (const action of ['approve', 'receive'] as const) assert.equal((await step(world, merchant, refund.id, action)).json().code, 'REFUND_STEP_NOT_ALLOWED');
      assert.equal((await t.hs.app.inject({ method: 'POST', url: `/api/v1/refunds/${refund.id}/cancel`, headers: buyerOnly(early.headers) })).statusCode, 409);
      await t.hs.services.ledger.assertBalanced();
    });

    it("opens returns until the store's return days after delivery, to the millisecond, and follows the store's policy", async () => {
      const world = await buildWorld(t, { perBuyerLimit: 3 });
      const merchant = await merchantOf(world);
      const { orderId, headers } = await buyThrough(t, world.link.token, world.offerId, { quantity: 3 });
      const other = await buyThrough(t, world.link.token, world.offerId, { quantity: 2 });
      const buyer = await buyerWithAccess(t, world);
      const pending = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'idempotency-key': key() }, { offerId: world.offerId, quantity: 1, address }, 201);
      // An unpaid order is not refundable.
      assert.equal((await ask(buyer.headers, pending.id, 1)).json().code, 'ORDER_NOT_REFUNDABLE');
      await ship(world, merchant, orderId);
      t.clock.advanceMs(3 * DAY_MS);
      await askOk(headers, orderId, 1);
      await api(t, 'POST', `/api/v1/stores/${world.storeId}/orders/${orderId}/deliver`, merchant, undefined, 200);
      t.clock.advanceMs(7 * DAY_MS - 1);
      await askOk(headers, orderId, 1);
      t.clock.advanceMs(1);
      const late = await ask(headers, orderId, 1);
      assert.equal(late.statusCode, 409);
      assert.equal(late.json().code, 'RETURN_WINDOW_CLOSED');
      // The merchant lengthens the window: open again.
      const policy = await api(t, 'PATCH', `/api/v1/stores/${world.storeId}/return-policy`, merchant, { returnDays: 30 }, 200);
      assert.deepEqual(policy, { storeId: world.storeId, returnDays: 30 });
      await askOk(headers, orderId, 1);
      assert.equal((await t.hs.app.inject({ method: 'PATCH', url: `/api/v1/stores/${world.storeId}/return-policy`, headers: merchant, payload: { returnDays: 91 } })).statusCode, 400);

      // Zero days: no return once delivered, but still while on the way.
      await api(t, 'PATCH', `/api/v1/stores/${world.storeId}/return-policy`, merchant, { returnDays: 0 }, 200);
      await ship(world, merchant, other.orderId);
      await askOk(other.headers, other.orderId, 1);
      await api(t, 'POST', `/api/v1/stores/${world.storeId}/orders/${other.orderId}/deliver`, merchant, undefined, 200);
      assert.equal((await ask(other.headers, other.orderId, 1)).json().code, 'RETURN_WINDOW_CLOSED');
      assert.equal((await t.hs.app.inject({ method: 'POST', url: `/api/v1/orders/${orderId}/refunds`, headers: buyerOnly(headers), payload: { quantity: 1, reason: 'x' } })).json().code, 'IDEMPOTENCY_KEY_REQUIRED');
    });

    it("keeps buyers and stores apart: another's order or request is not found", async () => {
      const world = await buildWorld(t, { perBuyerLimit: 3 });
      const other = await buildWorld(t);
      const merchant = await merchantOf(world);
      const otherMerchant = await merchantOf(other);
      const { orderId, headers } = await buyThrough(t, world.link.token, world.offerId, { quantity: 2 });
      await ship(world, merchant, orderId);
      const asked = await askOk(headers, orderId, 1);
      const stranger = (await t.signIn('buyer')).headers;
      const notFound = (res: { statusCode: number; json(): { code: string } }) => {
        assert.equal(res.statusCode, 404);
        assert.equal(res.json().code, 'NOT_FOUND');
      };
      notFound(await ask(stranger, orderId, 1));
      notFound(await t.hs.app.inject({ method: 'GET', url: `/api/v1/orders/${orderId}/refunds`, headers: stranger }));
      notFound(await t.hs.app.inject({ method: 'POST', url: `/api/v1/refunds/${asked.id}/cancel`, headers: stranger }));
      notFound(await t.hs.app.inject({ method: 'POST', url: `/api/v1/refunds/${asked.id}/return-shipment`, headers: stranger, payload: { carrier: 'x', trackingNo: 'ZT12345678' } }));
      notFound(await step(other, otherMerchant, asked.id, 'approve'));
      notFound(await step(world, otherMerchant, asked.id, 'approve'));
      notFound(await step(other, otherMerchant, asked.id, 'receive'));
      notFound(await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${world.storeId}/refunds`, headers: otherMerchant }));
      notFound(await t.hs.app.inject({ method: 'PATCH', url: `/api/v1/stores/${world.storeId}/return-policy`, headers: otherMerchant, payload: { returnDays: 1 } }));
      assert.deepEqual((await api<{ items: unknown[] }>(t, 'GET', `/api/v1/stores/${other.storeId}/refunds`, otherMerchant, undefined, 200)).items, []);
      assert.equal((await requestRow(asked.id)).status, 'requested', 'nothing changed');
      // Operators may act for any store.
      assert.equal((await step(world, world.operator, asked.id, 'approve')).statusCode, 200);
    });

    it('makes one request of one key sent twice at once, and a retry replays it', async () => {
      const world = await buildWorld(t, { perBuyerLimit: 2 });
      const { orderId, headers } = await buyThrough(t, world.link.token, world.offerId, { quantity: 2 });
      const k = key();
      const [a, b] = await Promise.all([ask(headers, orderId, 1, k), ask(headers, orderId, 1, k)]);
      assert.equal(a.statusCode, 201, a.body);
      assert.equal(b.statusCode, 201, b.body);
      assert.equal(a.json().id, b.json().id);
      const retry = await ask(headers, orderId, 1, k);
      assert.equal(retry.json().id, a.json().id);
      assert.equal((await ask(headers, orderId, 2, k)).json().code, 'IDEMPOTENCY_KEY_REUSED');
      const rows = await t.hs.ctx.db.selectFrom('refund_requests').select('id').where('order_id', '=', orderId).execute();
      assert.equal(rows.length, 1);
      assert.equal((await refundEntries(orderId)).length, 1);
      const order = await units(world, orderId, '');
      assert.deepEqual([order.refunded_units, order.refunded_fen], [1, PRICE]);
      await t.hs.services.ledger.assertBalanced();
    });

    it('lets exactly one of two keys for the whole quantity win, before and after shipping, on one server and across two', async () => {
      const world = await buildWorld(t, { perBuyerLimit: 2 });
      const merchant = await merchantOf(world);
      const peer = await t.startPeer();
      for (const shipped of [false, true]) {
        for (const apps of [[t.hs.app, t.hs.app], [t.hs.app, peer.app]]) {
          const { orderId, buyerId, headers } = await buyThrough(t, world.link.token, world.offerId, { quantity: 2 });
          if (shipped) await ship(world, merchant, orderId);
          const answers = await Promise.all(apps.map((app) => ask(headers, orderId, 2, key(), app)));
          const statuses = answers.map((r) => r.statusCode).sort();
          assert.deepEqual(statuses, [201, 409], answers.map((r) => r.body).join(' | '));
          assert.equal(answers.find((r) => r.statusCode === 409)?.json().code, 'REFUND_QUANTITY_EXCEEDED');
          const order = await units(world, orderId, buyerId);
          assert.equal(order.claimed_units, 2);
          assert.equal(order.refunded_units, shipped ? 0 : 2);
          assert.equal((await refundEntries(orderId)).length, shipped ? 0 : 1);
        }
      }
      await t.hs.services.ledger.assertBalanced();
    });

    it('refunds once for two receipts at once, and a refund job run twice pays the buyer once', async () => {
      const world = await buildWorld(t, { perBuyerLimit: 2 });
      const merchant = await merchantOf(world);
      const { orderId, buyerId, headers } = await buyThrough(t, world.link.token, world.offerId, { quantity: 2 });
      await ship(world, merchant, orderId, true);
      const asked = await askOk(headers, orderId, 2);
      await step(world, merchant, asked.id, 'approve');
      await sendBack(headers, asked.id);
      const stockBefore = (await units(world, orderId, buyerId)).stock;
      const receipts = await Promise.all([step(world, merchant, asked.id, 'receive'), step(world, merchant, asked.id, 'receive')]);
      assert.deepEqual(receipts.map((r) => r.statusCode), [200, 200], receipts.map((r) => r.body).join(' | '));
      assert.deepEqual(receipts.map((r) => r.json().status), ['refunding', 'refunding']);
      assert.equal((await step(world, merchant, asked.id, 'receive')).json().status, 'refunding', 'a late third replays');
      const order = await units(world, orderId, buyerId);
      assert.deepEqual([order.refunded_units, order.refunded_fen, order.stock], [2, 2 * PRICE, stockBefore + 2]);
      assert.deepEqual(await refundEntries(orderId), [`refund:${asked.id}`]);

      // The job, twice at once and once more after: the provider pays once.
      await Promise.all([t.hs.services.aftersales.completeRefund(asked.id), t.hs.services.aftersales.completeRefund(asked.id)]);
      await t.hs.ctx.db.updateTable('refund_requests').set({ status: 'refunding' }).where('id', '=', asked.id).execute();
      await t.hs.ctx.jobs.runOnce();
      const paid = await sandboxRefunds(orderId);
      assert.deepEqual(paid.rows, [{ refund_id: asked.id, amount_fen: 2 * PRICE }]);
      assert.deepEqual([paid.refundedFen, paid.status], [2 * PRICE, 'refunded']);
      assert.equal((await requestRow(asked.id)).status, 'refunded');
      await t.hs.services.ledger.assertBalanced();
    });

    it('keeps the commission on hold while a return asked in time is open, then reverses it from the hold: no debt', async () => {
      const world = await buildWorld(t);
      const merchant = await merchantOf(world);
      const { orderId, headers } = await buyThrough(t, world.link.token, world.offerId);
      const kept = await buyThrough(t, world.link.token, world.offerId);
      await ship(world, merchant, orderId, true);
      await ship(world, merchant, kept.orderId, true);
      // Asked and sent back inside the store's 7 days; the goods arrive after the window.
      t.clock.advanceMs(6 * DAY_MS);
      const asked = await askOk(headers, orderId, 1);
      await step(world, merchant, asked.id, 'approve');
      await sendBack(headers, asked.id);
      const keptAsked = await askOk(kept.headers, kept.orderId, 1);
      t.clock.advanceMs(2 * DAY_MS);
      await t.hs.ctx.jobs.runOnce();
      const commission = Math.floor(PRICE * 1000 / 10_000);
      const held = await api<{ pendingFen: number; availableFen: number; debtFen: number }>(t, 'GET', '/api/v1/me/balance', world.promoter, undefined, 200);
      assert.deepEqual([held.pendingFen, held.availableFen], [2 * commission, 0], 'both orders stay on hold while their returns are open');

      // The second return is rejected: its order is released on the next sweep.
      assert.equal((await step(world, merchant, keptAsked.id, 'reject', { reason: '商品已使用 used' })).statusCode, 200);
      await t.hs.ctx.jobs.runOnce();
      const afterReject = await api<{ pendingFen: number; availableFen: number }>(t, 'GET', '/api/v1/me/balance', world.promoter, undefined, 200);
      assert.deepEqual([afterReject.pendingFen, afterReject.availableFen], [commission, commission]);

      // The first is received: the refund reverses the commission from the hold, nothing is owed back.
      assert.equal((await step(world, merchant, asked.id, 'receive')).statusCode, 200);
      await t.hs.ctx.jobs.runOnce();
      assert.equal((await requestRow(asked.id)).status, 'refunded');
      const after = await api<{ pendingFen: number; availableFen: number; debtFen: number }>(t, 'GET', '/api/v1/me/balance', world.promoter, undefined, 200);
      assert.deepEqual([after.pendingFen, after.availableFen, after.debtFen], [0, commission, 0]);
      await t.hs.services.ledger.assertBalanced();
    });

    it("shows the order's refunds and a request form on the buyer's order page", async () => {
      const world = await buildWorld(t, { perBuyerLimit: 2 });
      const { orderId, headers } = await buyThrough(t, world.link.token, world.offerId, { quantity: 2 });
      const page = async () => t.hs.app.inject({ method: 'GET', url: `/orders/${orderId}`, headers: buyerOnly(headers) });
      const before = await page();
      assert.equal(before.statusCode, 200);
      assert.match(before.body, /id="refund-form"/);
      assert.match(before.body, /max="2"/);
      await askOk(headers, orderId, 1);
      const after = await page();
      assert.match(after.body, /退款中 Refunding/);
      assert.match(after.body, /max="1"/);
      await askOk(headers, orderId, 1);
      assert.doesNotMatch((await page()).body, /id="refund-form"/, 'nothing left to refund');
    });
  });
}

// The money ledger through the payment flow, on every store: the split of a paid order, self-purchase,
// overrides, bans, releases on the manual clock, refunds and clawbacks, exactly-once entries under
// concurrency, and the database refusing to change or delete a ledger row.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { api, address, buildWorld, buyerWithAccess } from './fixtures.ts';
import {
  DAY_MS, confirmPayment, deliverNotices, entryPostings, key, ledgerOfOrder, markDelivered, markShipped, placeAndPay, placeOrder, promoterOf,
  putInTeam, refund, setPromoterStatus,
} from './ledger-helpers.ts';

// 12345 fen at the channel defaults: commission 10% (1234), fee 6% (740), override 1% (123).
const T = 12_345;

for (const store of storesUnderTest()) {
  describe(`ledger on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    it('writes one balanced entry when an order is paid: merchant, promoter and platform fee on hold', async () => {
      const world = await buildWorld(t, { clearancePriceFen: T });
      const promoter = await promoterOf(t, world);
      const order = await placeAndPay(t, world);
      assert.deepEqual(await entryPostings(t, `order:${order.id}:paid`), {
        clearing: -T, [`merchant:${world.storeId}:pending`]: T - 1234 - 740, [`promoter:${promoter.id}:pending`]: 1234, 'platform:fee:pending': 740,
      });
      const parts = await t.hs.ctx.db.selectFrom('ledger_order_parts').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
      assert.equal(parts.commission_rate_bp, 1000, 'an operator-made event uses the channel default');
      assert.equal(parts.fee_rate_bp, 600);
      await t.hs.services.ledger.assertBalanced();
    });

    it('pays the team leader an override out of the platform fee, so the merchant pays the same', async () => {
      const world = await buildWorld(t, { clearancePriceFen: T });
      const promoter = await promoterOf(t, world);
      const leader = await t.signIn('promoter');
      await putInTeam(t, leader.principal.userId, promoter.id);
      const order = await placeAndPay(t, world);
      assert.deepEqual(await entryPostings(t, `order:${order.id}:paid`), {
        clearing: -T, [`merchant:${world.storeId}:pending`]: T - 1234 - 740, [`promoter:${promoter.id}:pending`]: 1234,
        [`promoter:${leader.principal.userId}:pending`]: 123, 'platform:fee:pending': 740 - 123,
      });
      // A banned leader earns nothing: the platform keeps the whole fee.
      await setPromoterStatus(t, leader.principal.userId, 'banned');
      const later = await placeAndPay(t, world);
      assert.equal((await entryPostings(t, `order:${later.id}:paid`))?.['platform:fee:pending'], 740);
    });

    it('credits no commission on a self-purchase and flags it; nor to a banned promoter', async () => {
      const world = await buildWorld(t, { clearancePriceFen: T });
      const promoter = await promoterOf(t, world);
      const self = await t.signIn('buyer', { mobile: promoter.mobile });
      const opened = await api<{ accessToken: string }>(t, 'POST', '/api/v1/access', {}, { link: world.link.token }, 200);
      const order = await placeAndPay(t, world, { buyer: { headers: { ...self.headers, 'x-hushsale-access': opened.accessToken } } });
      assert.deepEqual(await entryPostings(t, `order:${order.id}:paid`), { clearing: -T, [`merchant:${world.storeId}:pending`]: T - 740, 'platform:fee:pending': 740 });
      const flag = await t.hs.ctx.db.selectFrom('fraud_flags').selectAll().where('dedupe_key', '=', `self_purchase:${order.id}`).executeTakeFirstOrThrow();
      assert.equal(flag.kind, 'self_purchase');
      assert.equal(flag.promoter_id, promoter.id);

      await setPromoterStatus(t, promoter.id, 'banned');
      const afterBan = await placeAndPay(t, world);
      assert.deepEqual(await entryPostings(t, `order:${afterBan.id}:paid`), { clearing: -T, [`merchant:${world.storeId}:pending`]: T - 740, 'platform:fee:pending': 740 });
      await setPromoterStatus(t, promoter.id, 'approved');
    });

    it('records a public-store order with no promoter and no channel fee: the merchant gets it all', async () => {
      const world = await buildWorld(t);
      const buyer = await t.signIn('buyer');
      const order = await api<{ id: number; totalFen: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'idempotency-key': key() }, { skuId: world.skuId, quantity: 1, address }, 201);
      await confirmPayment(t, buyer.headers, order.id);
      await deliverNotices(t);
      assert.deepEqual(await entryPostings(t, `order:${order.id}:paid`), { clearing: -order.totalFen, [`merchant:${world.storeId}:pending`]: order.totalFen });
    });

    it('releases 7 days after delivery, not a moment before; 15 days after shipping when no delivery arrives', async () => {
      const world = await buildWorld(t, { clearancePriceFen: T });
      const promoter = await promoterOf(t, world);
      const delivered = await placeAndPay(t, world);
      const shippedOnly = await placeAndPay(t, world);
      await markDelivered(t, delivered.id);
      await markShipped(t, shippedOnly.id);
      t.clock.advanceMs(7 * DAY_MS - 1);
      await t.hs.ctx.jobs.runOnce();
      assert.deepEqual((await ledgerOfOrder(t, delivered.id)).kinds, ['order_paid'], 'not released before the window closes');
      t.clock.advanceMs(1);
      await t.hs.ctx.jobs.runOnce();
      assert.deepEqual(await entryPostings(t, `order:${delivered.id}:release`), {
        [`merchant:${world.storeId}:pending`]: -(T - 1974), [`promoter:${promoter.id}:pending`]: -1234, 'platform:fee:pending': -740,
        [`merchant:${world.storeId}:available`]: T - 1974, [`promoter:${promoter.id}:available`]: 1234, 'platform:fee:available': 740,
      });
      assert.deepEqual((await ledgerOfOrder(t, shippedOnly.id)).kinds, ['order_paid']);
      t.clock.advanceMs(8 * DAY_MS - 1);
      await t.hs.ctx.jobs.runOnce();
      assert.deepEqual((await ledgerOfOrder(t, shippedOnly.id)).kinds, ['order_paid'], 'shipped 15 days ago less a millisecond');
      t.clock.advanceMs(1);
      await t.hs.ctx.jobs.runOnce();
      assert.deepEqual((await ledgerOfOrder(t, shippedOnly.id)).kinds, ['order_paid', 'release']);
      await t.hs.ctx.jobs.runOnce();
      assert.deepEqual((await ledgerOfOrder(t, shippedOnly.id)).kinds, ['order_paid', 'release'], 'released once');
      const balance = await api<{ pendingFen: number; availableFen: number }>(t, 'GET', '/api/v1/me/balance', world.promoter, undefined, 200);
      assert.deepEqual([balance.pendingFen, balance.availableFen], [0, 2 * 1234]);
    });

    it("releases on each store's own return window", async () => {
      const short = await buildWorld(t, { clearancePriceFen: T });
      const long = await buildWorld(t, { clearancePriceFen: T });
      await t.hs.ctx.db.updateTable('stores').set({ return_days: 3 }).where('id', '=', short.storeId).execute();
      await t.hs.ctx.db.updateTable('stores').set({ return_days: 30 }).where('id', '=', long.storeId).execute();
      const quick = await placeAndPay(t, short);
      const slow = await placeAndPay(t, long);
      await markDelivered(t, quick.id);
      await markDelivered(t, slow.id);
      t.clock.advanceMs(3 * DAY_MS);
      await t.hs.ctx.jobs.runOnce();
      assert.deepEqual((await ledgerOfOrder(t, quick.id)).kinds, ['order_paid', 'release'], '3 days for the first store');
      t.clock.advanceMs(27 * DAY_MS - 1);
      await t.hs.ctx.jobs.runOnce();
      assert.deepEqual((await ledgerOfOrder(t, slow.id)).kinds, ['order_paid'], 'the second store holds 30 days');
      t.clock.advanceMs(1);
      await t.hs.ctx.jobs.runOnce();
      assert.deepEqual((await ledgerOfOrder(t, slow.id)).kinds, ['order_paid', 'release']);
    });

    it('reverses a partial then a full refund exactly, and records a repeated refund id once', async () => {
      const world = await buildWorld(t, { clearancePriceFen: T });
      const promoter = await promoterOf(t, world);
      const order = await placeAndPay(t, world);
      const first = await refund(t, order.id, `rf-${order.id}-1`, 1001);
      assert.deepEqual(first, { recorded: true, refundedFen: 1001 });
      assert.deepEqual(await entryPostings(t, `refund:rf-${order.id}-1`), {
        clearing: 1001, [`promoter:${promoter.id}:pending`]: -Math.floor((1234 * 1001) / T), 'platform:fee:pending': -Math.floor((740 * 1001) / T),
        [`merchant:${world.storeId}:pending`]: -(1001 - Math.floor((1234 * 1001) / T) - Math.floor((740 * 1001) / T)),
      });
      assert.deepEqual(await refund(t, order.id, `rf-${order.id}-1`, 1001), { recorded: false, refundedFen: 1001 }, 'a repeat changes nothing');
      await assert.rejects(refund(t, order.id, `rf-${order.id}-2`, T - 1000), { code: 'REFUND_TOO_LARGE' });
      assert.deepEqual(await refund(t, order.id, `rf-${order.id}-3`, T - 1001), { recorded: true, refundedFen: T });
      const { byAccount } = await ledgerOfOrder(t, order.id);
      assert.ok(Object.values(byAccount).every((v) => v === 0), `a full refund reverses every part: ${JSON.stringify(byAccount)}`);
      await assert.rejects(refund(t, order.id, `rf-${order.id}-4`, 1), { code: 'REFUND_TOO_LARGE' });
      const row = await t.hs.ctx.db.selectFrom('orders').select(['refunded_fen', 'released_at']).where('id', '=', order.id).executeTakeFirstOrThrow();
      assert.equal(row.refunded_fen, T);
      assert.ok(row.released_at, 'nothing is left on hold');
      await t.hs.services.ledger.assertBalanced();
    });

    it('records two concurrent refunds with the same id once, and two different ones both', async () => {
      const world = await buildWorld(t, { clearancePriceFen: T });
      const order = await placeAndPay(t, world);
      const same = await Promise.all([0, 1, 2].map(() => refund(t, order.id, `rf-same-${order.id}`, 500)));
      assert.equal(same.filter((r) => r.recorded).length, 1);
      const both = await Promise.all([1, 2].map((i) => refund(t, order.id, `rf-diff-${order.id}-${i}`, 700)));
      assert.ok(both.every((r) => r.recorded));
      const row = await t.hs.ctx.db.selectFrom('orders').select('refunded_fen').where('id', '=', order.id).executeTakeFirstOrThrow();
      assert.equal(row.refunded_fen, 1900);
      assert.deepEqual((await ledgerOfOrder(t, order.id)).kinds, ['order_paid', 'refund', 'refund', 'refund']);
      await t.hs.services.ledger.assertBalanced();
    });

    it('turns a refund after payout into a debt, shown in the statement, repaid by later commission first', async () => {
      const world = await buildWorld(t, { clearancePriceFen: T });
      const promoter = await promoterOf(t, world);
      const order = await placeAndPay(t, world);
      // Delivered a return window ago (the event stays live for the later orders).
      await markDelivered(t, order.id, t.clock.nowMs() - 7 * DAY_MS);
      await t.hs.ctx.jobs.runOnce();
      const batch = await api<{ id: string; items: Array<{ payeeId: string; amountFen: number }> }>(t, 'POST', '/api/v1/payout-batches', { ...world.operator, 'idempotency-key': key() }, { payeeKind: 'promoter' }, 201);
      assert.deepEqual(batch.items.find((i) => i.payeeId === promoter.id)?.amountFen, 1234);
      await api(t, 'POST', `/api/v1/payout-batches/${batch.id}/submit`, { ...world.operator, 'idempotency-key': key() }, undefined, 200);
      await deliverNotices(t);
      // The buyer returns everything after the payout: the commission is clawed back from available.
      await refund(t, order.id, `rf-late-${order.id}`, T);
      const balance = await api<{ availableFen: number; debtFen: number; paidOutFen: number }>(t, 'GET', '/api/v1/me/balance', world.promoter, undefined, 200);
      assert.deepEqual([balance.availableFen, balance.debtFen, balance.paidOutFen], [0, 1234, 1234]);
      const day = new Date(t.clock.nowMs() + 8 * 3_600_000).toISOString().slice(0, 10);
      const statement = await api<{ commissionFen: number; account: { debtFen: number } }>(t, 'GET', `/api/v1/me/statement?from=2026-01-01&to=${day}`, world.promoter, undefined, 200);
      assert.equal(statement.account.debtFen, 1234);
      // Nothing to pay while in debt.
      const none = await t.hs.app.inject({ method: 'POST', url: '/api/v1/payout-batches', headers: { ...world.operator, 'idempotency-key': key() }, payload: { payeeKind: 'promoter', minAmountFen: 1 } });
      assert.ok(none.statusCode === 409 || !(none.json().items as Array<{ payeeId: string }>).some((i) => i.payeeId === promoter.id), none.body);
      // Two later orders earn 2 x 1234: the debt is repaid first, 1234 is left to pay.
      for (let i = 0; i < 2; i++) {
        const next = await placeAndPay(t, world);
        await markDelivered(t, next.id, t.clock.nowMs() - 7 * DAY_MS);
      }
      await t.hs.ctx.jobs.runOnce();
      const repaid = await api<{ availableFen: number; debtFen: number }>(t, 'GET', '/api/v1/me/balance', world.promoter, undefined, 200);
      assert.deepEqual([repaid.availableFen, repaid.debtFen], [1234, 0]);
      await t.hs.services.ledger.assertBalanced();
    });

    it('writes one entry for one payment however its notices race (the claim), and however the step is repeated (the dedupe key)', async () => {
      const world = await buildWorld(t, { clearancePriceFen: T });
      const order = await placeOrder(t, world);
      const { paymentId, sandboxId } = await confirmPayment(t, order.headers, order.id);
      const paidAt = new Date(t.clock.nowMs()).toISOString();
      const body = { sandboxPaymentId: sandboxId, paymentId, amountFen: T, paidAt };
      const signature = t.hs.ctx.signer.sign('sandbox-notify', `${sandboxId}|${paymentId}|${T}|${paidAt}`);
      const outcomes = await Promise.all([0, 1, 2, 3].map(() => t.hs.services.payments.handleNotice('sandbox', { 'x-sandbox-signature': signature }, body)));
      assert.deepEqual(outcomes.filter((o) => o === 'processed').length, 1);
      assert.deepEqual((await ledgerOfOrder(t, order.id)).kinds, ['order_paid']);
      // The second guard: the ledger step itself, run again in concurrent transactions, records nothing more.
      const again = await Promise.all([0, 1, 2].map(() => t.hs.ctx.db.transaction().execute((trx) => t.hs.services.ledger.recordPaid(trx, { orderId: order.id, paymentId, amountFen: T }))));
      assert.deepEqual(again, [false, false, false]);
      const fresh = await placeOrder(t, world);
      const pay = await confirmPayment(t, fresh.headers, fresh.id);
      await t.hs.ctx.db.updateTable('orders').set({ status: 'paid', paid_at: paidAt }).where('id', '=', fresh.id).execute();
      const raced = await Promise.all([0, 1, 2].map(() => t.hs.ctx.db.transaction().execute((trx) => t.hs.services.ledger.recordPaid(trx, { orderId: fresh.id, paymentId: pay.paymentId, amountFen: fresh.totalFen }))));
      assert.equal(raced.filter(Boolean).length, 1);
      assert.deepEqual((await ledgerOfOrder(t, fresh.id)).kinds, ['order_paid']);
      await deliverNotices(t);
      assert.deepEqual((await ledgerOfOrder(t, fresh.id)).kinds, ['order_paid'], 'the sandbox notices later find it recorded');
      await t.hs.services.ledger.assertBalanced();
    });

    it('refuses to change or delete a ledger row, in the database itself', async () => {
      const world = await buildWorld(t);
      await placeAndPay(t, world);
      const { db } = t.hs.ctx;
      await assert.rejects(sql`update ledger_postings set amount_fen = amount_fen + 1`.execute(db), /append-only/);
      await assert.rejects(sql`delete from ledger_postings`.execute(db), /append-only/);
      await assert.rejects(sql`update ledger_entries set memo = 'edited'`.execute(db), /append-only/);
      await assert.rejects(sql`delete from ledger_entries`.execute(db), /append-only/);
      const audit = await api<{ balanced: boolean; totalFen: number; entries: number }>(t, 'GET', '/api/v1/ledger/audit', world.operator, undefined, 200);
      assert.equal(audit.balanced, true);
      assert.equal(audit.totalFen, 0);
      assert.ok(audit.entries > 0);
      const buyer = await buyerWithAccess(t, world);
      assert.equal((await t.hs.app.inject({ method: 'GET', url: '/api/v1/ledger/audit', headers: buyer.headers })).statusCode, 403);
    });
  });
}

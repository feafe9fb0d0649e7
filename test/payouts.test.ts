// Payouts and statements on every store: concurrent batch creation pays each balance once (and
// across two servers on PostgreSQL), repeated provider reports settle a batch once, a failed
// transfer returns to available; statement figures and CSV; merchants and promoters kept apart.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { api, buildWorld, type World } from './fixtures.ts';
import { DAY_MS, deliverNotices, key, markDelivered, placeAndPay, promoterOf, putInTeam, refund } from './ledger-helpers.ts';

interface BatchView { id: string; status: string; totalFen: number; itemCount: number; items: Array<{ id: string; payeeId: string; amountFen: number; status: string; failureReason: string | null }> }

/** Pays `count` orders of the world and releases them at once (delivered a return window ago). */
async function releasedOrders(t: TestApp, world: World, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const order = await placeAndPay(t, world);
    await markDelivered(t, order.id, t.clock.nowMs() - 7 * DAY_MS);
    ids.push(order.id);
  }
  await t.hs.ctx.jobs.runOnce();
  return ids;
}

async function available(t: TestApp, account: string): Promise<number> {
  const row = await t.hs.ctx.db.selectFrom('ledger_postings').select((eb) => eb.fn.sum<number>('amount_fen').as('s')).where('account', '=', account).executeTakeFirst();
  return Number(row?.s ?? 0);
}

async function createBatch(t: TestApp, operator: Record<string, string>, body: object) {
  return t.hs.app.inject({ method: 'POST', url: '/api/v1/payout-batches', headers: { ...operator, 'idempotency-key': key() }, payload: body });
}

for (const store of storesUnderTest()) {
  describe(`payouts and statements on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    it('pays each available balance once however many batch creations race', async () => {
      const worlds = [await buildWorld(t, { clearancePriceFen: 10_000 }), await buildWorld(t, { clearancePriceFen: 20_000 })];
      for (const world of worlds) await releasedOrders(t, world, 2);
      const promoters = await Promise.all(worlds.map((w) => promoterOf(t, w)));
      const before = await Promise.all(promoters.map((p) => available(t, `promoter:${p.id}:available`)));
      assert.deepEqual(before, [2000, 4000]);
      const operator = worlds[0]?.operator as Record<string, string>;
      const answers = await Promise.all([0, 1, 2, 3].map(() => createBatch(t, operator, { payeeKind: 'promoter' })));
      const created = answers.filter((r) => r.statusCode === 201).map((r) => r.json() as BatchView);
      assert.ok(answers.every((r) => r.statusCode === 201 || r.json().code === 'NOTHING_TO_PAY'), answers.map((r) => r.body).join('\n'));
      const paidTo = new Map<string, number>();
      for (const batch of created) for (const item of batch.items) paidTo.set(item.payeeId, (paidTo.get(item.payeeId) ?? 0) + item.amountFen);
      promoters.forEach((p, i) => assert.equal(paidTo.get(p.id), before[i], `promoter ${i} is paid their balance exactly once`));
      for (const p of promoters) assert.equal(await available(t, `promoter:${p.id}:available`), 0);
      // The same Idempotency-Key replays the first answer instead of building another batch.
      const idem = { ...operator, 'idempotency-key': key() };
      const merchants = await api<BatchView>(t, 'POST', '/api/v1/payout-batches', idem, { payeeKind: 'merchant', minAmountFen: 100 }, 201);
      assert.deepEqual(await api<BatchView>(t, 'POST', '/api/v1/payout-batches', idem, { payeeKind: 'merchant', minAmountFen: 100 }, 201), merchants);
      assert.ok(merchants.items.some((i) => i.payeeId === worlds[0]?.storeId));
      await t.hs.services.ledger.assertBalanced();
    });

    if (store === 'postgres') {
      it('pays each balance once when two servers create batches at the same moment', async () => {
        const world = await buildWorld(t, { clearancePriceFen: 10_000 });
        await releasedOrders(t, world, 1);
        const peer = await t.startPeer();
        const send = (app: typeof t.hs.app) => app.inject({ method: 'POST', url: '/api/v1/payout-batches', headers: { ...world.operator, 'idempotency-key': key() }, payload: { payeeKind: 'promoter' } });
        const answers = await Promise.all([send(t.hs.app), send(peer.app), send(t.hs.app), send(peer.app)]);
        const promoter = await promoterOf(t, world);
        const items = answers.filter((r) => r.statusCode === 201).flatMap((r) => (r.json() as BatchView).items).filter((i) => i.payeeId === promoter.id);
        assert.equal(items.length, 1);
        assert.equal(items[0]?.amountFen, 1000);
        await t.hs.services.ledger.assertBalanced();
      });
    }

    it('settles a batch once however often the provider reports, and returns a failed transfer to available', async () => {
      const worlds = [await buildWorld(t, { clearancePriceFen: 10_000 }), await buildWorld(t, { clearancePriceFen: 10_000 })];
      for (const world of worlds) await releasedOrders(t, world, 1);
      const [ok, bad] = await Promise.all(worlds.map((w) => promoterOf(t, w)));
      const operator = worlds[0]?.operator as Record<string, string>;
      t.hs.services.payouts.sandbox.failPayee(bad?.id as string, 'account closed');
      const batch = await api<BatchView>(t, 'POST', '/api/v1/payout-batches', { ...operator, 'idempotency-key': key() }, { payeeKind: 'promoter' }, 201);
      const submitted = await api<BatchView>(t, 'POST', `/api/v1/payout-batches/${batch.id}/submit`, { ...operator, 'idempotency-key': key() }, undefined, 200);
      assert.equal(submitted.status, 'submitted');
      const again = await t.hs.app.inject({ method: 'POST', url: `/api/v1/payout-batches/${batch.id}/submit`, headers: { ...operator, 'idempotency-key': key() } });
      assert.equal(again.statusCode, 409, 'a batch is submitted once');
      await deliverNotices(t); // the sandbox reports twice
      const settled = await api<BatchView>(t, 'GET', `/api/v1/payout-batches/${batch.id}`, operator, undefined, 200);
      assert.equal(settled.status, 'paid');
      const item = (id: string | undefined) => settled.items.find((i) => i.payeeId === id);
      assert.equal(item(ok?.id)?.status, 'paid');
      assert.equal(item(bad?.id)?.status, 'failed');
      assert.equal(item(bad?.id)?.failureReason, 'account closed');
      const entries = await t.hs.ctx.db.selectFrom('ledger_entries').select('kind').where('dedupe_key', 'like', `payout-batch:${batch.id}:%`).execute();
      assert.equal(entries.length, 1, 'one paid entry for the batch');
      // A report delivered again, even concurrently, changes nothing.
      const sandboxRow = await t.hs.ctx.db.selectFrom('sandbox_payouts').selectAll().where('merchant_ref', '=', batch.id).executeTakeFirstOrThrow();
      const report = { batchId: batch.id, providerRef: sandboxRow.id, completedAt: new Date(t.clock.nowMs()).toISOString(), items: settled.items.map((i) => ({ itemId: i.id, outcome: 'paid' as const })) };
      assert.deepEqual(await Promise.all([t.hs.services.payouts.handleReport(report), t.hs.services.payouts.handleReport(report)]), ['duplicate', 'duplicate']);
      assert.equal(await available(t, `promoter:${ok?.id}:available`), 0);
      assert.equal(await available(t, `promoter:${bad?.id}:available`), 1000, 'the failed transfer is available again');
      const badBalance = await t.hs.services.ledger.balanceOf('promoter', bad?.id as string);
      assert.deepEqual([badBalance.availableFen, badBalance.inTransitFen, badBalance.paidOutFen], [1000, 0, 0]);
      const okBalance = await t.hs.services.ledger.balanceOf('promoter', ok?.id as string);
      assert.deepEqual([okBalance.availableFen, okBalance.inTransitFen, okBalance.paidOutFen], [0, 0, 1000]);
      t.hs.services.payouts.sandbox.failPayee(bad?.id as string, null);
      const list = await api<{ items: BatchView[] }>(t, 'GET', '/api/v1/payout-batches?status=paid', operator, undefined, 200);
      assert.ok(list.items.some((b) => b.id === batch.id));
      await t.hs.services.ledger.assertBalanced();
    });

    it('draws statements per event and per period, as JSON and as CSV in English or Chinese', async () => {
      const world = await buildWorld(t, { clearancePriceFen: 10_000 });
      const promoter = await promoterOf(t, world);
      const leader = await t.signIn('promoter');
      await putInTeam(t, leader.principal.userId, promoter.id);
      const merchant = (await t.signIn('merchant', { storeId: world.storeId })).headers;
      const [first] = await releasedOrders(t, world, 1);
      const second = await placeAndPay(t, world);
      await refund(t, second.id, `rf-stmt-${second.id}`, 2500);
      await refund(t, first as number, `rf-stmt-${first}`, 10_000);
      // first: fully refunded after release; second: 7500 left on hold.
      const s = await api<Record<string, number> & { account: Record<string, number> }>(t, 'GET', `/api/v1/stores/${world.storeId}/statements?eventId=${world.eventId}`, merchant, undefined, 200);
      const c = 1000 - Math.floor((1000 * 2500) / 10_000);
      const o = 100 - Math.floor((100 * 2500) / 10_000);
      const p = 500 - Math.floor((500 * 2500) / 10_000);
      assert.deepEqual({ orders: s.orders, gmv: s.gmvFen, refunds: s.refundsFen, commission: s.commissionFen, override: s.overrideFen, feeNet: s.feeNetFen, feeGross: s.feeGrossFen, discount: s.feeDiscountFen },
        { orders: 2, gmv: 20_000, refunds: 12_500, commission: c, override: o, feeNet: o + p, feeGross: o + p, discount: 0 });
      assert.equal(s.merchantNetFen, 7500 - c - o - p);
      assert.equal(s.pendingFen, s.merchantNetFen);
      assert.equal(s.releasedFen, 0);
      assert.equal(s.account.pendingFen, s.merchantNetFen);
      const day = new Date(t.clock.nowMs() + 8 * 3_600_000).toISOString().slice(0, 10);
      const period = await api<Record<string, number>>(t, 'GET', `/api/v1/stores/${world.storeId}/statements?from=${day}&to=${day}`, merchant, undefined, 200);
      assert.equal(period.gmvFen, 20_000);
      assert.equal(period.paidOutInPeriodFen, 0);
      const none = await api<Record<string, number>>(t, 'GET', `/api/v1/stores/${world.storeId}/statements?from=2026-01-01&to=2026-01-31`, merchant, undefined, 200);
      assert.equal(none.orders, 0);

      const csv = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${world.storeId}/statements.csv?eventId=${world.eventId}&lang=zh`, headers: merchant });
      assert.equal(csv.statusCode, 200, csv.body);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      assert.equal(csv.headers['cache-control'], 'private, no-store');
      const rows = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n').map((line) => line.split(','));
      assert.equal(rows[0]?.[0], '订单号');
      assert.equal(rows.length, 4, 'header, two orders, total');
      assert.equal(rows[3]?.[0], '合计');
      assert.deepEqual(rows[3]?.slice(4, 12), [20_000, 12_500, c, o, o + p, 0, o + p, 7500 - c - o - p].map((f) => (f / 100).toFixed(2)));
      const en = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${world.storeId}/statements.csv?eventId=${world.eventId}`, headers: merchant });
      assert.match(en.body, /^\uFEFFOrder,Paid at \(Asia\/Shanghai\),Event/);

      const mine = await api<Record<string, number>>(t, 'GET', `/api/v1/me/statement?eventId=${world.eventId}`, world.promoter, undefined, 200);
      assert.deepEqual([mine.orders, mine.gmvFen, mine.commissionFen, mine.pendingFen, mine.releasedFen], [2, 20_000, c, c, 0]);
      const leaders = await api<Record<string, number>>(t, 'GET', `/api/v1/promoters/${leader.principal.userId}/statement?eventId=${world.eventId}`, world.operator, undefined, 200);
      assert.deepEqual([leaders.orders, leaders.overrideFen, leaders.pendingFen], [0, o, o]);
      const promoterCsv = await t.hs.app.inject({ method: 'GET', url: `/api/v1/me/statement.csv?eventId=${world.eventId}`, headers: world.promoter });
      assert.equal(promoterCsv.statusCode, 200);
      assert.match(promoterCsv.body, new RegExp(`Total,,,,,,${(c / 100).toFixed(2)},`));
    });

    it("keeps statements apart: a merchant only its store, a promoter only themself", async () => {
      const a = await buildWorld(t);
      const b = await buildWorld(t);
      const merchantB = (await t.signIn('merchant', { storeId: b.storeId })).headers;
      const promoterB = await promoterOf(t, b);
      for (const url of [`/api/v1/stores/${a.storeId}/statements?eventId=${a.eventId}`, `/api/v1/stores/${a.storeId}/statements.csv?eventId=${a.eventId}`, `/api/v1/stores/${b.storeId}/statements?eventId=${a.eventId}`]) {
        const res = await t.hs.app.inject({ method: 'GET', url, headers: merchantB });
        assert.equal(res.statusCode, 404, `${url}: ${res.body}`);
      }
      for (const url of [`/api/v1/promoters/${promoterB.id}/statement?eventId=${a.eventId}`, `/api/v1/promoters/${promoterB.id}/statement.csv?eventId=${a.eventId}`]) {
        const res = await t.hs.app.inject({ method: 'GET', url, headers: a.promoter });
        assert.ok(res.statusCode === 403 || res.statusCode === 404, `${url}: ${res.statusCode}`);
      }
      const own = await api<{ promoterId: string }>(t, 'GET', `/api/v1/me/statement?eventId=${a.eventId}`, a.promoter, undefined, 200);
      assert.notEqual(own.promoterId, promoterB.id);
      const bad = await t.hs.app.inject({ method: 'GET', url: `/api/v1/me/statement?eventId=${a.eventId}&from=2026-01-01&to=2026-01-02`, headers: a.promoter });
      assert.equal(bad.statusCode, 400);
      const reversed = await t.hs.app.inject({ method: 'GET', url: '/api/v1/me/statement?from=2026-02-01&to=2026-01-01', headers: a.promoter });
      assert.equal(reversed.statusCode, 400);
    });
  });
}

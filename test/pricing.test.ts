// Public price stability (invariant 7) through HTTP and the pricing service on every store under
// test: the history written with every price, the lock while an event is scheduled or live, the
// operator's logged override, and the price guard with the lowest public sale price of 30 days.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { address, api, buildWorld } from './fixtures.ts';
import { assertPriceGuardPasses } from '../src/pricing/service.ts';
import { isAppError } from '../src/platform/errors.ts';

interface History {
  skuId: string;
  publicPriceFen: number;
  items: Array<{ priceFen: number; effectiveFrom: string; changedBy: string | null; reason: string; operatorOverride: boolean }>;
  truncated: boolean;
}

let keyCounter = 0;
const key = () => `pricing-${process.pid}-${++keyCounter}`;

for (const store of storesUnderTest()) {
  describe(`public prices on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    const patchSku = (storeId: string, skuId: string, headers: Record<string, string>, payload: object) =>
      t.hs.app.inject({ method: 'PATCH', url: `/api/v1/stores/${storeId}/skus/${skuId}`, headers, payload: payload as Record<string, unknown> });
    const historyOf = (storeId: string, skuId: string, headers: Record<string, string>, query = '') =>
      api<History>(t, 'GET', `/api/v1/stores/${storeId}/skus/${skuId}/price-history${query}`, headers, undefined, 200);

    it('keeps a history row for the first price and for every change, and none for other edits', async () => {
      const world = await buildWorld(t);
      const merchant = await t.signIn('merchant', { storeId: world.storeId });
      const created = await api<{ skus: Array<{ id: string }>; category: string }>(t, 'POST', `/api/v1/stores/${world.storeId}/products`, merchant.headers, {
        title: '围巾 Scarf', category: '配饰', skus: [{ code: `SC-${key()}`, attributes: {}, publicPriceFen: 15_900, stockUnits: 10 }],
      }, 201);
      assert.equal(created.category, '配饰');
      const skuId = created.skus[0]?.id as string;
      const createdAt = t.clock.now().toISOString();

      let history = await historyOf(world.storeId, skuId, merchant.headers);
      assert.deepEqual(history.items, [{ priceFen: 15_900, effectiveFrom: createdAt, changedBy: merchant.principal.userId, reason: 'created', operatorOverride: false }]);

      t.clock.advanceMinutes(5);
      assert.equal((await patchSku(world.storeId, skuId, merchant.headers, { publicPriceFen: 14_900, reason: '  调价 new season ' })).statusCode, 200);
      t.clock.advanceMinutes(5);
      assert.equal((await patchSku(world.storeId, skuId, merchant.headers, { publicPriceFen: 16_900 })).statusCode, 200);
      // Same price, stock only: no new rows.
      assert.equal((await patchSku(world.storeId, skuId, merchant.headers, { publicPriceFen: 16_900 })).statusCode, 200);
      assert.equal((await patchSku(world.storeId, skuId, merchant.headers, { stockDeltaUnits: 3 })).statusCode, 200);
      const refused = await patchSku(world.storeId, skuId, merchant.headers, { stockDeltaUnits: -1000, publicPriceFen: 1000 });
      assert.equal(refused.statusCode, 409, 'insufficient stock rolls the price change back too');

      history = await historyOf(world.storeId, skuId, merchant.headers);
      assert.deepEqual(history.items.map((i) => [i.priceFen, i.reason]), [[15_900, 'created'], [14_900, '调价 new season'], [16_900, '']]);
      assert.equal(history.publicPriceFen, 16_900);
      assert.equal(history.truncated, false);

      // The window: the price in force at `from`, then changes up to `to`.
      const window = await historyOf(world.storeId, skuId, merchant.headers, `?from=${encodeURIComponent(new Date(Date.parse(createdAt) + 60_000).toISOString())}&to=${encodeURIComponent(new Date(Date.parse(createdAt) + 6 * 60_000).toISOString())}`);
      assert.deepEqual(window.items.map((i) => i.priceFen), [15_900, 14_900]);

      // Operators read any store's; another merchant finds nothing; other roles are refused.
      assert.equal((await historyOf(world.storeId, skuId, world.operator)).items.length, 3);
      const other = await buildWorld(t);
      const otherMerchant = await t.signIn('merchant', { storeId: other.storeId });
      const cross = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${world.storeId}/skus/${skuId}/price-history`, headers: otherMerchant.headers });
      assert.equal(cross.statusCode, 404);
      const viaOwnStore = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${other.storeId}/skus/${skuId}/price-history`, headers: otherMerchant.headers });
      assert.equal(viaOwnStore.statusCode, 404);
      assert.equal((await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${world.storeId}/skus/${skuId}/price-history`, headers: world.promoter })).statusCode, 403);
      const backwards = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${world.storeId}/skus/${skuId}/price-history?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z`, headers: merchant.headers });
      assert.equal(backwards.statusCode, 400);
    });

    it('refuses a public price change while the SKU is in a scheduled or live event, and allows it once the event ended', async () => {
      const world = await buildWorld(t, { startsInMinutes: 60, durationMinutes: 120, publicPriceFen: 99_900 });
      const merchant = await t.signIn('merchant', { storeId: world.storeId });
      const event = await api<{ startsAt: string; endsAt: string }>(t, 'GET', `/api/v1/events/${world.eventId}`, world.operator, undefined, 200);

      // Scheduled, before the window (warm-up).
      let res = await patchSku(world.storeId, world.skuId, merchant.headers, { publicPriceFen: 89_900 });
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json().code, 'PRICE_LOCKED');
      assert.deepEqual({ ...res.json().details, eventStatus: undefined }, { skuId: world.skuId, eventId: world.eventId, eventStatus: undefined, startsAt: event.startsAt, endsAt: event.endsAt });
      const zh = await t.hs.app.inject({ method: 'PATCH', url: `/api/v1/stores/${world.storeId}/skus/${world.skuId}`, headers: { ...merchant.headers, 'accept-language': 'zh-CN' }, payload: { publicPriceFen: 89_900 } });
      assert.match(zh.json().message, /活动结束前不能修改公开售价/);

      // Live.
      t.clock.advanceMinutes(61);
      res = await patchSku(world.storeId, world.skuId, merchant.headers, { publicPriceFen: 89_900, reason: 'please' });
      assert.equal(res.json().code, 'PRICE_LOCKED');
      assert.equal((await patchSku(world.storeId, world.skuId, world.operator, { publicPriceFen: 89_900 })).json().code, 'PRICE_LOCKED', 'an operator without override is refused too');
      // A merchant cannot override; an override needs a reason.
      res = await patchSku(world.storeId, world.skuId, merchant.headers, { publicPriceFen: 89_900, override: true, reason: 'x' });
      assert.equal(res.statusCode, 403, res.body);
      res = await patchSku(world.storeId, world.skuId, world.operator, { publicPriceFen: 89_900, override: true });
      assert.equal(res.statusCode, 400, res.body);
      res = await patchSku(world.storeId, world.skuId, world.operator, { publicPriceFen: 89_900, override: true, reason: '   ' });
      assert.equal(res.statusCode, 400, res.body);
      res = await patchSku(world.storeId, world.skuId, merchant.headers, { override: false });
      assert.equal(res.statusCode, 400, 'override without a price');
      // Stock still moves while the price is locked.
      assert.equal((await patchSku(world.storeId, world.skuId, merchant.headers, { stockDeltaUnits: 5 })).statusCode, 200);

      const sku = await t.hs.ctx.db.selectFrom('skus').select('public_price_fen').where('id', '=', world.skuId).executeTakeFirstOrThrow();
      assert.equal(Number(sku.public_price_fen), 99_900);
      assert.equal((await historyOf(world.storeId, world.skuId, merchant.headers)).items.length, 1, 'refusals leave no history');

      // The window closes: the lock lifts at endsAt, even before the end sweep ran.
      t.clock.set(Date.parse(event.endsAt));
      res = await patchSku(world.storeId, world.skuId, merchant.headers, { publicPriceFen: 95_900 });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(await t.hs.services.events.endDueEvents(), 1);
      res = await patchSku(world.storeId, world.skuId, merchant.headers, { publicPriceFen: 92_900 });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().publicPriceFen, 92_900);

      // The report's question: was the public price flat through the event? Yes.
      const through = await t.hs.services.pricing.publicPriceHistory(world.skuId, Date.parse(event.startsAt), Date.parse(event.endsAt) - 1);
      assert.deepEqual(through.map((p) => p.priceFen), [99_900]);
      const after = await t.hs.services.pricing.publicPriceHistory(world.skuId, Date.parse(event.startsAt), Date.parse(event.endsAt));
      assert.deepEqual(after.map((p) => p.priceFen), [99_900, 95_900, 92_900]);
    });

    it('lets an operator override the lock with a reason: recorded in the history and logged at warn', async () => {
      const world = await buildWorld(t, { publicPriceFen: 99_900 });
      const logged: Array<{ obj: Record<string, unknown>; msg: string }> = [];
      const log = t.hs.ctx.log;
      const originalWarn = log.warn;
      log.warn = ((obj: Record<string, unknown>, msg: string) => {
        logged.push({ obj, msg });
      }) as typeof log.warn;
      try {
        const operator = await t.signIn('operator');
        const res = await patchSku(world.storeId, world.skuId, operator.headers, { publicPriceFen: 109_900, override: true, reason: '吊牌价录入错误 wrong tag price' });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().publicPriceFen, 109_900);
        const history = await historyOf(world.storeId, world.skuId, operator.headers);
        assert.deepEqual(history.items.at(-1), {
          priceFen: 109_900, effectiveFrom: t.clock.now().toISOString(), changedBy: operator.principal.userId, reason: '吊牌价录入错误 wrong tag price', operatorOverride: true,
        });
        assert.equal(logged.length, 1);
        assert.match(logged[0]?.msg ?? '', /operator override/);
        assert.deepEqual(logged[0]?.obj, {
          skuId: world.skuId, storeId: world.storeId, operatorId: operator.principal.userId, reason: '吊牌价录入错误 wrong tag price',
          fromPriceFen: 99_900, toPriceFen: 109_900, eventIds: [world.eventId],
        });
        // Without a lock an operator's override flag overrides nothing: recorded as 0, not logged.
        const free = await api<{ skus: Array<{ id: string }> }>(t, 'POST', `/api/v1/stores/${world.storeId}/products`, operator.headers, { title: 'T', skus: [{ code: `F-${key()}`, attributes: {}, publicPriceFen: 500, stockUnits: 1 }] }, 201);
        const freeSku = free.skus[0]?.id as string;
        assert.equal((await patchSku(world.storeId, freeSku, operator.headers, { publicPriceFen: 600, override: true, reason: 'x' })).statusCode, 200);
        assert.equal((await historyOf(world.storeId, freeSku, operator.headers)).items.at(-1)?.operatorOverride, false);
        assert.equal(logged.length, 1);
      } finally {
        log.warn = originalWarn;
      }
    });

    it('guards clearance prices against public price, cost and the lowest public sale of 30 days', async () => {
      const world = await buildWorld(t);
      const merchant = await t.signIn('merchant', { storeId: world.storeId });
      const product = await api<{ skus: Array<{ id: string }> }>(t, 'POST', `/api/v1/stores/${world.storeId}/products`, merchant.headers, {
        title: '衬衫 Shirt',
        skus: [
          { code: `SH-${key()}`, attributes: {}, publicPriceFen: 10_000, stockUnits: 20, costFen: 4000 },
          { code: `SH-${key()}`, attributes: {}, publicPriceFen: 10_000, stockUnits: 20 },
        ],
      }, 201);
      const [skuA, skuB] = product.skus.map((s) => s.id) as [string, string];

      // Buyers pay 8,000 and 9,000 for A publicly (a promotion), one more leaves an order unpaid at 7,500.
      await patchSku(world.storeId, skuA, merchant.headers, { publicPriceFen: 8000, reason: 'promotion' });
      const buyer = await t.signIn('buyer');
      const buy = async () => api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'idempotency-key': key() }, { skuId: skuA, quantity: 1, address }, 201);
      const pay = async (orderId: number) => {
        const payment = await api<{ payUrl: string }>(t, 'POST', `/api/v1/orders/${orderId}/pay`, { ...buyer.headers, 'idempotency-key': key() }, { provider: 'sandbox' }, 200);
        await api(t, 'POST', `/api/v1/sandbox/payments/${payment.payUrl.split('/').pop()}/confirm`, {}, undefined, 200);
      };
      await pay((await buy()).id);
      await patchSku(world.storeId, skuA, merchant.headers, { publicPriceFen: 9000 });
      await pay((await buy()).id);
      await patchSku(world.storeId, skuA, merchant.headers, { publicPriceFen: 7500 });
      await buy();
      await patchSku(world.storeId, skuA, merchant.headers, { publicPriceFen: 10_000, reason: 'promotion over' });
      t.clock.advanceMs(t.config.sandboxNotifyDelayMs * 3 + 2000);
      await t.hs.ctx.jobs.runOnce();

      const lowest = await t.hs.services.pricing.lowestPublicSalePricesFen30d([skuA, skuB], t.clock.nowMs());
      assert.deepEqual([...lowest], [[skuA, 8000]]);

      const checks = await t.hs.services.pricing.guardOffers(world.storeId, [{ skuId: skuA, clearancePriceFen: 7000 }, { skuId: skuB, clearancePriceFen: 2500 }, { skuId: skuA, clearancePriceFen: 3000 }], t.clock.nowMs());
      assert.deepEqual(checks.map((c) => ({ sku: c.skuId, errors: c.errors.map((e) => e.code), warnings: c.warnings.map((w) => w.code), low: c.lowestPublicSalePriceFen30d })), [
        { sku: skuA, errors: [], warnings: ['BELOW_RECENT_PUBLIC_LOW'], low: 8000 },
        { sku: skuB, errors: [], warnings: ['DEEP_DISCOUNT'], low: null },
        { sku: skuA, errors: ['CLEARANCE_BELOW_COST'], warnings: ['BELOW_RECENT_PUBLIC_LOW'], low: 8000 },
      ]);
      assert.throws(() => assertPriceGuardPasses(checks), (err: unknown) => isAppError(err) && err.code === 'PRICE_GUARD_FAILED'
        && JSON.stringify(err.details) === JSON.stringify({ offers: [{ skuId: skuA, codes: ['CLEARANCE_BELOW_COST'] }] }));
      assertPriceGuardPasses(checks.slice(0, 2));

      // 30 days later the promotion's sales no longer count.
      t.clock.advanceMs(30 * 86_400_000 + 1);
      assert.equal((await t.hs.services.pricing.lowestPublicSalePricesFen30d([skuA], t.clock.nowMs())).size, 0);

      // Another store's SKU is not found by this store's guard.
      const other = await buildWorld(t);
      await assert.rejects(t.hs.services.pricing.guardOffers(world.storeId, [{ skuId: other.skuId, clearancePriceFen: 100 }], t.clock.nowMs()), (err: unknown) => isAppError(err) && err.code === 'VALIDATION_FAILED');
    });

    it('refuses price changes racing an event on the same SKU consistently: a committed event always holds the price it was made with', async () => {
      const world = await buildWorld(t, { publicPriceFen: 50_000 });
      const merchant = await t.signIn('merchant', { storeId: world.storeId });
      const product = await api<{ skus: Array<{ id: string }> }>(t, 'POST', `/api/v1/stores/${world.storeId}/products`, merchant.headers, {
        title: 'Race', skus: [{ code: `R-${key()}`, attributes: {}, publicPriceFen: 50_000, stockUnits: 100 }],
      }, 201);
      const skuId = product.skus[0]?.id as string;
      const channel = await api<{ id: string }>(t, 'POST', '/api/v1/channels', world.operator, { name: `Race ${key()}`, vertical: 'menswear' }, 201);
      const startsAt = new Date(t.clock.nowMs() + 60_000).toISOString();
      const endsAt = new Date(t.clock.nowMs() + 3_600_000).toISOString();
      const results = await Promise.all([
        t.hs.app.inject({ method: 'POST', url: '/api/v1/events', headers: world.operator, payload: { storeId: world.storeId, channelId: channel.id, title: 'race', startsAt, endsAt, offers: [{ skuId, clearancePriceFen: 10_000, allocatedUnits: 1, perBuyerLimit: 1 }] } }),
        ...Array.from({ length: 8 }, (_, i) => patchSku(world.storeId, skuId, merchant.headers, { publicPriceFen: 50_000 + (i + 1) * 100 })),
      ]);
      assert.equal(results[0]?.statusCode, 201, results[0]?.body);
      // Whatever interleaving happened, the price was never changed after the event was committed.
      assert.equal((await patchSku(world.storeId, skuId, merchant.headers, { publicPriceFen: 1 })).json().code, 'PRICE_LOCKED');
      const changes = results.slice(1).filter((r) => r.statusCode === 200).length;
      const refused = results.slice(1).filter((r) => r.statusCode === 409).length;
      assert.equal(changes + refused, 8);
      const history = await historyOf(world.storeId, skuId, merchant.headers);
      assert.equal(history.items.length, 1 + changes, 'one history row per accepted change');
      assert.equal(history.items.at(-1)?.priceFen, history.publicPriceFen);
    });
  });
}

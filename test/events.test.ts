// Events through HTTP and the service on every store under test: carving allocations out of store
// stock all or nothing, hidden prices kept private, the end sweep returning unsold units exactly
// once, concurrent creations never overdrawing stock, and public prices never touched.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { isoUtc } from '../src/platform/clock.ts';
import { newId } from '../src/platform/ids.ts';
import { eventPhase, checkWindow, unsoldUnits } from '../src/events/rules.ts';

const HOUR_MS = 3_600_000;

interface Fixture {
  storeId: string;
  merchant: Awaited<ReturnType<TestApp['signIn']>>;
  operator: Awaited<ReturnType<TestApp['signIn']>>;
  channelId: string;
  skuIds: string[];
}

let slugCounter = 0;

/** A store (inserted directly: accounts owns sign-up) with one product of SKUs with the given stock. */
async function fixture(t: TestApp, stocks: number[], publicPriceFen = 19900): Promise<Fixture> {
  slugCounter += 1;
  const storeId = newId('sto', t.clock.nowMs());
  await t.hs.ctx.db.insertInto('stores').values({ id: storeId, slug: `evt-${slugCounter}`, name: `活动店 ${slugCounter}`, description: '', logo_url: null, created_at: isoUtc(t.clock.nowMs()) }).execute();
  const merchant = await t.signIn('merchant', { storeId });
  const operator = await t.signIn('operator');
  const product = await t.hs.app.inject({
    method: 'POST', url: `/api/v1/stores/${storeId}/products`, headers: merchant.headers,
    payload: { title: '清仓卫衣', skus: stocks.map((stockUnits, i) => ({ code: `HD-${i}`, attributes: { 尺码: `${i}` }, publicPriceFen, stockUnits })) },
  });
  assert.equal(product.statusCode, 201, product.body);
  const channel = await t.hs.app.inject({ method: 'POST', url: '/api/v1/channels', headers: operator.headers, payload: { name: `频道 ${slugCounter}`, vertical: '男装' } });
  assert.equal(channel.statusCode, 201, channel.body);
  return { storeId, merchant, operator, channelId: channel.json().id, skuIds: product.json().skus.map((s: { id: string }) => s.id) };
}

function eventBody(f: Fixture, t: TestApp, offers: Array<Record<string, unknown>>, window: { startInMs?: number; lengthMs?: number } = {}) {
  const startsAtMs = t.clock.nowMs() + (window.startInMs ?? 0);
  return {
    storeId: f.storeId,
    channelId: f.channelId,
    title: '卫衣品牌日',
    startsAt: isoUtc(startsAtMs),
    endsAt: isoUtc(startsAtMs + (window.lengthMs ?? 2 * HOUR_MS)),
    offers,
  };
}

async function stockOf(t: TestApp, skuId: string | undefined): Promise<number> {
  assert.ok(skuId, 'a SKU id');
  const row = await t.hs.ctx.db.selectFrom('skus').select('stock_units').where('id', '=', skuId).executeTakeFirstOrThrow();
  return row.stock_units;
}

async function countEvents(t: TestApp): Promise<{ events: number; offers: number }> {
  const events = await t.hs.ctx.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const offers = await t.hs.ctx.db.selectFrom('offers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { events: Number(events.n), offers: Number(offers.n) };
}

describe('event rules', () => {
  const w = { status: 'scheduled', startsAt: '2026-11-25T02:00:00.000Z', endsAt: '2026-11-25T04:00:00.000Z' };
  it('tells warm-up, live and ended apart at the window edges', () => {
    assert.equal(eventPhase(w, Date.parse('2026-11-25T01:59:59.999Z')), 'warmup');
    assert.equal(eventPhase(w, Date.parse('2026-11-25T02:00:00.000Z')), 'live');
    assert.equal(eventPhase(w, Date.parse('2026-11-25T03:59:59.999Z')), 'live');
    assert.equal(eventPhase(w, Date.parse('2026-11-25T04:00:00.000Z')), 'ended');
    assert.equal(eventPhase({ ...w, status: 'cancelled' }, Date.parse('2026-11-25T03:00:00.000Z')), 'ended');
    assert.equal(eventPhase({ ...w, status: 'ended' }, Date.parse('2026-11-25T03:00:00.000Z')), 'ended');
  });
  it('checks the window and what an end returns', () => {
    const now = Date.parse('2026-11-25T00:00:00.000Z');
    assert.deepEqual(checkWindow(now, now + HOUR_MS, now), []);
    assert.equal(checkWindow(now + HOUR_MS, now + HOUR_MS, now).length, 1);
    assert.equal(checkWindow(now, now + 7 * 24 * HOUR_MS + 1, now).length, 1);
    assert.equal(checkWindow(now - 2 * HOUR_MS, now - HOUR_MS, now).length, 1);
    assert.equal(unsoldUnits({ allocatedUnits: 10, reservedUnits: 3 }), 7);
    assert.throws(() => unsoldUnits({ allocatedUnits: 1, reservedUnits: 2 }));
  });
});

for (const store of storesUnderTest()) {
  describe(`events on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    it('lets operators make channels and staff list them', async () => {
      const operator = await t.signIn('operator');
      const created = await t.hs.app.inject({ method: 'POST', url: '/api/v1/channels', headers: operator.headers, payload: { name: '宝妈团', vertical: '母婴' } });
      assert.equal(created.statusCode, 201);
      assert.match(created.json().id, /^chn_/);
      const { merchant } = await fixture(t, [1]);
      const refused = await t.hs.app.inject({ method: 'POST', url: '/api/v1/channels', headers: merchant.headers, payload: { name: 'x', vertical: 'y' } });
      assert.equal(refused.statusCode, 403);
      const list = await t.hs.app.inject({ method: 'GET', url: '/api/v1/channels', headers: merchant.headers });
      assert.equal(list.statusCode, 200);
      assert.ok(list.json().items.some((c: { id: string }) => c.id === created.json().id));
      const anonymous = await t.hs.app.inject({ method: 'GET', url: '/api/v1/channels' });
      assert.equal(anonymous.statusCode, 401);
    });

    it('creates an event, carving each allocation out of store stock, and shows it privately to its staff', async () => {
      const f = await fixture(t, [100, 30]);
      const res = await t.hs.app.inject({
        method: 'POST', url: '/api/v1/events', headers: f.operator.headers,
        payload: eventBody(f, t, [
          { skuId: f.skuIds[1], clearancePriceFen: 9900, allocatedUnits: 10, perBuyerLimit: 1 },
          { skuId: f.skuIds[0], clearancePriceFen: 8900, allocatedUnits: 60, perBuyerLimit: 2, isHero: true },
        ], { startInMs: HOUR_MS }),
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers['cache-control'], 'private, no-store');
      const event = res.json();
      assert.match(event.id, /^evt_/);
      assert.equal(event.status, 'scheduled');
      assert.equal(event.phase, 'warmup');
      assert.deepEqual(event.offers.map((o: { skuId: string; position: number; isHero: boolean }) => [o.skuId, o.position, o.isHero]), [[f.skuIds[1], 0, false], [f.skuIds[0], 1, true]]);
      assert.equal(await stockOf(t, f.skuIds[0]), 40);
      assert.equal(await stockOf(t, f.skuIds[1]), 20);

      const view = await t.hs.services.events.loadEventView(event.id);
      assert.equal(view?.offers[1]?.clearancePriceFen, 8900);
      assert.equal(view?.offers[1]?.publicPriceFen, 19900);
      assert.equal(view?.offers[0]?.reservedUnits, 0);
      assert.equal(view?.storeId, f.storeId);
      assert.equal(await t.hs.services.events.loadEventView('evt_missing'), null);

      const byMerchant = await t.hs.app.inject({ method: 'GET', url: `/api/v1/events/${event.id}`, headers: f.merchant.headers });
      assert.equal(byMerchant.statusCode, 200);
      assert.equal(byMerchant.headers['cache-control'], 'private, no-store');
      assert.equal(byMerchant.json().offers[1].clearancePriceFen, 8900);
      const { merchant: otherMerchant } = await fixture(t, [1]);
      const hidden = await t.hs.app.inject({ method: 'GET', url: `/api/v1/events/${event.id}`, headers: otherMerchant.headers });
      assert.equal(hidden.statusCode, 404);
      const promoter = await t.signIn('promoter');
      assert.equal((await t.hs.app.inject({ method: 'GET', url: `/api/v1/events/${event.id}`, headers: promoter.headers })).statusCode, 403);
      assert.equal((await t.hs.app.inject({ method: 'GET', url: `/api/v1/events/${event.id}` })).statusCode, 401);
      const merchantCreates = await t.hs.app.inject({ method: 'POST', url: '/api/v1/events', headers: f.merchant.headers, payload: eventBody(f, t, [{ skuId: f.skuIds[0], clearancePriceFen: 100, allocatedUnits: 1, perBuyerLimit: 1 }]) });
      assert.equal(merchantCreates.statusCode, 403);

      const mine = await t.hs.app.inject({ method: 'GET', url: '/api/v1/events', headers: f.merchant.headers });
      assert.equal(mine.statusCode, 200);
      assert.equal(mine.headers['cache-control'], 'private, no-store');
      assert.deepEqual(mine.json().items.map((e: { id: string }) => e.id), [event.id]);
      assert.equal(mine.json().items[0].offerCount, 2);
      const theirs = await t.hs.app.inject({ method: 'GET', url: '/api/v1/events', headers: otherMerchant.headers });
      assert.deepEqual(theirs.json().items, []);
      const sideways = await t.hs.app.inject({ method: 'GET', url: `/api/v1/events?storeId=${f.storeId}`, headers: otherMerchant.headers });
      assert.equal(sideways.statusCode, 404);
      const all = await t.hs.app.inject({ method: 'GET', url: '/api/v1/events', headers: f.operator.headers });
      assert.ok(all.json().items.some((e: { id: string }) => e.id === event.id));
    });

    it('refuses an event short of stock with 409 INSUFFICIENT_STOCK and writes nothing', async () => {
      const f = await fixture(t, [50, 5]);
      const before = await countEvents(t);
      const res = await t.hs.app.inject({
        method: 'POST', url: '/api/v1/events', headers: f.operator.headers,
        payload: eventBody(f, t, [
          { skuId: f.skuIds[0], clearancePriceFen: 9900, allocatedUnits: 20, perBuyerLimit: 1 },
          { skuId: f.skuIds[1], clearancePriceFen: 9900, allocatedUnits: 6, perBuyerLimit: 1 },
        ]),
      });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().code, 'INSUFFICIENT_STOCK');
      assert.deepEqual(res.json().details, { skuId: f.skuIds[1], requested: 6, available: 5 });
      assert.deepEqual(await countEvents(t), before);
      assert.equal(await stockOf(t, f.skuIds[0]), 50, 'the first carve rolled back with the rest');
      assert.equal(await stockOf(t, f.skuIds[1]), 5);
    });

    it('refuses a clearance price not below the public price with 400 PRICE_NOT_BELOW_PUBLIC', async () => {
      const f = await fixture(t, [50, 50], 19900);
      const before = await countEvents(t);
      const res = await t.hs.app.inject({
        method: 'POST', url: '/api/v1/events', headers: f.operator.headers,
        payload: eventBody(f, t, [
          { skuId: f.skuIds[0], clearancePriceFen: 19899, allocatedUnits: 1, perBuyerLimit: 1 },
          { skuId: f.skuIds[1], clearancePriceFen: 19900, allocatedUnits: 1, perBuyerLimit: 1 },
        ]),
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'PRICE_NOT_BELOW_PUBLIC');
      assert.deepEqual(res.json().details, { offerIndex: 1, skuId: f.skuIds[1] });
      assert.ok(!res.body.includes('19900') && !res.body.includes('19899'), 'an error never carries a price');
      assert.deepEqual(await countEvents(t), before);
      assert.equal(await stockOf(t, f.skuIds[0]), 50);
    });

    it('refuses invalid events with 400 VALIDATION_FAILED and details', async () => {
      const f = await fixture(t, [50]);
      const other = await fixture(t, [50]);
      const before = await countEvents(t);
      const offer = { skuId: f.skuIds[0], clearancePriceFen: 100, allocatedUnits: 1, perBuyerLimit: 1 };
      const cases: Array<[string, object]> = [
        ['SKU of another store', eventBody(f, t, [{ ...offer, skuId: other.skuIds[0] }])],
        ['unknown SKU', eventBody(f, t, [{ ...offer, skuId: 'sku_nope' }])],
        ['SKU twice', eventBody(f, t, [offer, offer])],
        ['ends before it starts', { ...eventBody(f, t, [offer]), endsAt: isoUtc(t.clock.nowMs() - 1) }],
        ['window over 7 days', eventBody(f, t, [offer], { lengthMs: 7 * 24 * HOUR_MS + 60_000 })],
        ['unknown channel', { ...eventBody(f, t, [offer]), channelId: 'chn_nope' }],
        ['zero allocation', eventBody(f, t, [{ ...offer, allocatedUnits: 0 }])],
        ['zero per-buyer limit', eventBody(f, t, [{ ...offer, perBuyerLimit: 0 }])],
        ['no offers', eventBody(f, t, [])],
        ['too many offers', eventBody(f, t, Array.from({ length: t.config.limits.maxOffersPerEvent + 1 }, (_, i) => ({ ...offer, skuId: `sku_${i}` })))],
        ['time without offset', { ...eventBody(f, t, [offer]), startsAt: '2026-11-25 10:00' }],
        ['unknown field', eventBody(f, t, [{ ...offer, publicPriceFen: 1 }])],
      ];
      for (const [name, payload] of cases) {
        const res = await t.hs.app.inject({ method: 'POST', url: '/api/v1/events', headers: f.operator.headers, payload });
        assert.equal(res.statusCode, 400, `${name}: ${res.body}`);
        assert.equal(res.json().code, 'VALIDATION_FAILED', name);
        assert.ok(Array.isArray(res.json().details?.issues) && res.json().details.issues.length > 0, `${name} has details`);
      }
      const foreign = await t.hs.app.inject({ method: 'POST', url: '/api/v1/events', headers: f.operator.headers, payload: eventBody(f, t, [{ ...offer, skuId: other.skuIds[0] }]) });
      assert.deepEqual(foreign.json().details.issues, [{ path: '/offers/0/skuId', message: "not a SKU of the event's store" }]);
      assert.deepEqual(await countEvents(t), before);
      assert.equal(await stockOf(t, f.skuIds[0]), 50);
      assert.equal(await stockOf(t, other.skuIds[0]), 50);
    });

    it('returns unsold units to stock exactly once when the event ends', async () => {
      const f = await fixture(t, [100, 20]);
      const created = await t.hs.app.inject({
        method: 'POST', url: '/api/v1/events', headers: f.operator.headers,
        payload: eventBody(f, t, [
          { skuId: f.skuIds[0], clearancePriceFen: 9900, allocatedUnits: 40, perBuyerLimit: 2 },
          { skuId: f.skuIds[1], clearancePriceFen: 9900, allocatedUnits: 20, perBuyerLimit: 2 },
        ]),
      });
      assert.equal(created.statusCode, 201, created.body);
      const event = created.json();
      // Checkout holds units by raising reserved_units; stand in for it here.
      await t.hs.ctx.db.updateTable('offers').set({ reserved_units: 15 }).where('id', '=', event.offers[0].id).execute();
      await t.hs.ctx.db.updateTable('offers').set({ reserved_units: 20 }).where('id', '=', event.offers[1].id).execute();
      assert.equal(await stockOf(t, f.skuIds[0]), 60);
      const ended: string[] = [];
      t.hs.services.events.onEventEnded((id) => ended.push(id));

      assert.equal(await t.hs.services.events.endDueEvents(), 0, 'nothing ends before its time');
      t.clock.advanceMs(2 * HOUR_MS);
      const runs = await Promise.all([t.hs.services.events.endDueEvents(), t.hs.services.events.endDueEvents()]);
      await t.hs.services.events.endDueEvents();
      await t.hs.ctx.jobs.runOnce();
      assert.equal(runs.reduce((a, b) => a + b, 0) >= 1, true);
      assert.equal(await stockOf(t, f.skuIds[0]), 85, '40 allocated - 15 held = 25 back, once');
      assert.equal(await stockOf(t, f.skuIds[1]), 0, 'all 20 held: nothing back');
      assert.deepEqual(ended.filter((id) => id === event.id), [event.id]);

      const view = await t.hs.services.events.loadEventView(event.id);
      assert.equal(view?.status, 'settled', 'ended, then settled at once: no order of it is pending payment');
      assert.equal(view?.allocationReturnedAt, isoUtc(t.clock.nowMs()));
      assert.deepEqual(view?.offers.map((o) => [o.allocatedUnits, o.reservedUnits]), [[15, 15], [20, 20]]);
      const res = await t.hs.app.inject({ method: 'GET', url: `/api/v1/events/${event.id}`, headers: f.operator.headers });
      assert.equal(res.json().phase, 'ended');
    });

    it('ends due events from the registered sweep', async () => {
      const f = await fixture(t, [10]);
      const created = await t.hs.app.inject({ method: 'POST', url: '/api/v1/events', headers: f.operator.headers, payload: eventBody(f, t, [{ skuId: f.skuIds[0], clearancePriceFen: 100, allocatedUnits: 10, perBuyerLimit: 1 }], { lengthMs: HOUR_MS }) });
      assert.equal(await stockOf(t, f.skuIds[0]), 0);
      t.clock.advanceMs(HOUR_MS);
      await t.hs.ctx.jobs.runOnce();
      await t.hs.ctx.jobs.runOnce();
      assert.equal(await stockOf(t, f.skuIds[0]), 10);
      assert.equal((await t.hs.services.events.loadEventView(created.json().id))?.status, 'settled');
    });

    it('cancels an event before it starts, returning its allocation, and refuses once it has started', async () => {
      const f = await fixture(t, [30]);
      const offers = [{ skuId: f.skuIds[0], clearancePriceFen: 100, allocatedUnits: 10, perBuyerLimit: 1 }];
      const later = (await t.hs.app.inject({ method: 'POST', url: '/api/v1/events', headers: f.operator.headers, payload: eventBody(f, t, offers, { startInMs: HOUR_MS }) })).json();
      const now = (await t.hs.app.inject({ method: 'POST', url: '/api/v1/events', headers: f.operator.headers, payload: eventBody(f, t, offers) })).json();
      assert.equal(await stockOf(t, f.skuIds[0]), 10);
      const notified: string[] = [];
      t.hs.services.events.onEventEnded((id) => notified.push(id));

      const byMerchant = await t.hs.app.inject({ method: 'POST', url: `/api/v1/events/${later.id}/cancel`, headers: f.merchant.headers });
      assert.equal(byMerchant.statusCode, 403);
      const cancelled = await t.hs.app.inject({ method: 'POST', url: `/api/v1/events/${later.id}/cancel`, headers: f.operator.headers });
      assert.equal(cancelled.statusCode, 200, cancelled.body);
      assert.equal(cancelled.headers['cache-control'], 'private, no-store');
      assert.equal(cancelled.json().status, 'cancelled');
      assert.equal(cancelled.json().offers[0].allocatedUnits, 0);
      assert.equal(await stockOf(t, f.skuIds[0]), 20);
      assert.deepEqual(notified, [later.id]);

      const twice = await t.hs.app.inject({ method: 'POST', url: `/api/v1/events/${later.id}/cancel`, headers: f.operator.headers });
      assert.equal(twice.statusCode, 409);
      const started = await t.hs.app.inject({ method: 'POST', url: `/api/v1/events/${now.id}/cancel`, headers: f.operator.headers });
      assert.equal(started.statusCode, 409);
      assert.equal(started.json().details.phase, 'live');
      const missing = await t.hs.app.inject({ method: 'POST', url: '/api/v1/events/evt_nope/cancel', headers: f.operator.headers });
      assert.equal(missing.statusCode, 404);
      assert.equal(await stockOf(t, f.skuIds[0]), 20);

      // A cancelled event never ends again.
      t.clock.advanceMs(3 * HOUR_MS);
      await t.hs.services.events.endDueEvents();
      assert.equal(await stockOf(t, f.skuIds[0]), 30);
      assert.equal((await t.hs.services.events.loadEventView(later.id))?.status, 'cancelled');
    });

    it('never overdraws stock when 20 events race for more than half of it', async () => {
      const initial = 100;
      const f = await fixture(t, [initial]);
      const wanted = 51;
      const results = await Promise.all(Array.from({ length: 20 }, () => t.hs.app.inject({
        method: 'POST', url: '/api/v1/events', headers: f.operator.headers,
        payload: eventBody(f, t, [{ skuId: f.skuIds[0], clearancePriceFen: 100, allocatedUnits: wanted, perBuyerLimit: 1 }]),
      })));
      const statuses = results.map((r) => r.statusCode);
      assert.ok(statuses.every((s) => s === 201 || s === 409), `statuses ${statuses.join(',')}`);
      assert.ok(results.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'INSUFFICIENT_STOCK'));
      const stock = await stockOf(t, f.skuIds[0]);
      const carved = await t.hs.ctx.db.selectFrom('offers').select((eb) => eb.fn.sum<number>('allocated_units').as('n')).where('sku_id', '=', f.skuIds[0] ?? '').executeTakeFirstOrThrow();
      const carvedUnits = Number(carved.n ?? 0);
      assert.ok(stock >= 0, `stock ${stock}`);
      assert.ok(carvedUnits <= initial, `carved ${carvedUnits}`);
      assert.equal(stock + carvedUnits, initial, 'no unit made or lost');
      assert.equal(statuses.filter((s) => s === 201).length, 1, 'exactly one event fits');
    });

    it('never changes a public price across create, end and cancel (invariant 7)', async () => {
      const f = await fixture(t, [100, 100], 25900);
      const prices = async () => (await t.hs.ctx.db.selectFrom('skus').select(['id', 'public_price_fen']).where('store_id', '=', f.storeId).orderBy('id').execute());
      const before = await prices();
      const offers = [
        { skuId: f.skuIds[0], clearancePriceFen: 100, allocatedUnits: 10, perBuyerLimit: 1 },
        { skuId: f.skuIds[1], clearancePriceFen: 200, allocatedUnits: 10, perBuyerLimit: 1 },
      ];
      const live = await t.hs.app.inject({ method: 'POST', url: '/api/v1/events', headers: f.operator.headers, payload: eventBody(f, t, offers) });
      const later = await t.hs.app.inject({ method: 'POST', url: '/api/v1/events', headers: f.operator.headers, payload: eventBody(f, t, offers, { startInMs: HOUR_MS }) });
      assert.equal(live.statusCode, 201);
      assert.equal(later.statusCode, 201);
      await t.hs.app.inject({ method: 'POST', url: '/api/v1/events', headers: f.operator.headers, payload: eventBody(f, t, [{ ...offers[0], allocatedUnits: 1000 }]) });
      assert.deepEqual(await prices(), before);
      await t.hs.app.inject({ method: 'POST', url: `/api/v1/events/${later.json().id}/cancel`, headers: f.operator.headers });
      t.clock.advanceMs(3 * HOUR_MS);
      await t.hs.services.events.endDueEvents();
      assert.deepEqual(await prices(), before);
      const publicView = await t.hs.app.inject({ method: 'GET', url: `/api/v1/public/products/${(await t.hs.services.catalog.getSkuForSale(f.skuIds[0] ?? ''))?.productId}` });
      assert.equal(publicView.json().skus[0].publicPriceFen, 25900);
    });
  });
}

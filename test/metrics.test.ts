// Event metrics on every store under test: hours across an Asia/Shanghai midnight, sell-through and
// time to sell out with exact numbers, the event's share of the store's day, new customers, top
// promoters, public price evidence (flat, and moved by an operator's override), who may read what,
// and the live stream over a real port (an update within seconds of a payment; closed on shutdown).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { address, anotherPromoterLink, api, buildWorld, buyThrough, payOrder, type World } from './fixtures.ts';
import { isoUtc } from '../src/platform/clock.ts';
import { addDays, shanghaiDay } from '../src/calendar/rules.ts';
import type { EventMetrics, EventSummary } from '../src/metrics/service.ts';

const PAY_DELAY_MS = 3500; // payOrder moves the clock this far before the payment lands (sandbox delay * 3 + 2 s).

interface StreamClient {
  events: EventSummary[];
  raw: string;
  ended: Promise<void>;
  status: number;
  waitFor(predicate: (s: EventSummary) => boolean, timeoutMs: number): Promise<EventSummary>;
  destroy(): void;
}

/** Opens the stream over a real socket and parses `metrics` events as they come. */
function openStream(port: number, eventId: string, headers: Record<string, string>): Promise<StreamClient> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/api/v1/events/${eventId}/metrics/stream`, headers: { ...headers, accept: 'text/event-stream' } }, (res) => {
      const client: StreamClient = {
        events: [], raw: '', status: res.statusCode ?? 0,
        ended: new Promise((done) => { res.on('end', done); res.on('close', done); }),
        async waitFor(predicate, timeoutMs) {
          const until = Date.now() + timeoutMs;
          while (Date.now() < until) {
            const found = client.events.find(predicate);
            if (found) return found;
            await new Promise((r) => setTimeout(r, 25));
          }
          throw new Error(`no matching metrics event within ${timeoutMs} ms; got ${client.raw.slice(-500)}`);
        },
        destroy: () => req.destroy(),
      };
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        client.raw += chunk;
        buffer += chunk;
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const lines = frame.split('\n');
          if (lines.includes('event: metrics')) client.events.push(JSON.parse(lines.find((l) => l.startsWith('data: '))?.slice(6) ?? '{}') as EventSummary);
        }
      });
      resolve(client);
    });
    req.on('error', reject);
  });
}

for (const store of storesUnderTest()) {
  describe(`event metrics on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store, { metricsStreamPollMs: 100 });
    });
    after(async () => t.close());

    const merchantOf = async (world: World) => (await t.signIn('merchant', { storeId: world.storeId })).headers;
    const metricsOf = async (world: World, headers: Record<string, string>, query = '') =>
      api<EventMetrics>(t, 'GET', `/api/v1/events/${world.eventId}/metrics${query}`, headers, undefined, 200);

    it('buckets GMV, orders and units by Asia/Shanghai hour across midnight, every hour of the window present', async () => {
      // 23:30 to 01:30 in Shanghai (15:30-17:30 UTC), 13.5 hours from the harness's 10:00.
      const world = await buildWorld(t, { startsInMinutes: 13 * 60 + 30, durationMinutes: 120, perBuyerLimit: 5 });
      assert.ok(world.link.token, 'the link opens at warm-up');
      t.clock.set('2026-11-25T15:40:00.000Z');
      await buyThrough(t, world.link.token, world.offerId, { quantity: 1 });
      t.clock.set('2026-11-25T16:10:00.000Z');
      await buyThrough(t, world.link.token, world.offerId, { quantity: 2 });
      const m = await metricsOf(world, await merchantOf(world));
      assert.deepEqual(m.hours.map((h) => [h.shanghaiHour, h.startsAt, h.orders, h.units, h.gmvFen]), [
        ['2026-11-25 23:00', '2026-11-25T15:00:00.000Z', 1, 1, 12_345],
        ['2026-11-26 00:00', '2026-11-25T16:00:00.000Z', 1, 2, 24_690],
        ['2026-11-26 01:00', '2026-11-25T17:00:00.000Z', 0, 0, 0],
      ]);
      assert.deepEqual(m.totals, { orders: 2, units: 3, gmvFen: 37_035, buyers: 2 });
      // The store's day is the day of the start (25th): only the first order was paid on it.
      assert.deepEqual(m.storeDay, { day: '2026-11-25', eventGmvFen: 12_345, storeGmvFen: 12_345, shareBp: 10_000 });
    });

    it('gives sell-through and time to sell out per offer with exact numbers, pending units apart, refunds taken off', async () => {
      const world = await buildWorld(t, { allocatedUnits: 6, perBuyerLimit: 6 });
      const startsAtMs = t.clock.nowMs();
      t.clock.advanceMinutes(10);
      const first = await buyThrough(t, world.link.token, world.offerId, { quantity: 2 });
      t.clock.advanceMinutes(20);
      await buyThrough(t, world.link.token, world.offerId, { quantity: 3 });
      // One unit reserved and not yet paid.
      const buyer = await t.signIn('buyer');
      const opened = await api<{ accessToken: string }>(t, 'POST', '/api/v1/access', {}, { link: world.link.token }, 200);
      const pending = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'x-hushsale-access': opened.accessToken, 'idempotency-key': `m-${Math.random()}` },
        { offerId: world.offerId, quantity: 1, address }, 201);
      const merchant = await merchantOf(world);
      let offer = (await metricsOf(world, merchant)).offers[0];
      assert.deepEqual({ ...offer, productTitle: undefined, skuCode: undefined }, {
        offerId: world.offerId, skuId: world.skuId, productTitle: undefined, skuCode: undefined, isHero: true,
        allocatedUnits: 6, soldUnits: 5, pendingUnits: 1, sellThroughBp: 8333, orders: 2, gmvFen: 5 * 12_345, soldOutAt: null, secondsToSellOut: null,
      });

      t.clock.advanceMinutes(5);
      const payAtMs = t.clock.nowMs() + PAY_DELAY_MS;
      await payOrder(t, buyer.headers, pending.id);
      offer = (await metricsOf(world, merchant)).offers[0];
      assert.equal(offer?.soldOutAt, isoUtc(payAtMs));
      assert.equal(offer?.secondsToSellOut, Math.floor((payAtMs - startsAtMs) / 1000));
      // 10 + 20 + 5 minutes, and three payments that each landed 3.5 s after the buyer paid.
      assert.equal(offer?.secondsToSellOut, 35 * 60 + Math.floor(3 * PAY_DELAY_MS / 1000));
      assert.deepEqual([offer?.soldUnits, offer?.pendingUnits, offer?.sellThroughBp], [6, 0, 10_000]);

      // A unit refunded later: sold and GMV drop, the moment it sold out stays.
      await t.hs.ctx.db.updateTable('orders').set({ refunded_units: 1, refunded_fen: 12_345 }).where('id', '=', first.orderId).execute();
      const m = await metricsOf(world, merchant);
      assert.deepEqual([m.offers[0]?.soldUnits, m.offers[0]?.sellThroughBp, m.offers[0]?.gmvFen, m.offers[0]?.soldOutAt], [5, 8333, 5 * 12_345, isoUtc(payAtMs)]);
      assert.deepEqual(m.totals, { orders: 3, units: 5, gmvFen: 5 * 12_345, buyers: 3 });

      // After the end the allocation is shrunk to what sold; sell-through is still judged against the first one.
      t.clock.advanceMinutes(13 * 60);
      await t.hs.ctx.jobs.runOnce();
      const ended = await metricsOf(world, merchant);
      assert.equal(ended.status === 'ended' || ended.status === 'settled', true, ended.status);
      assert.equal(ended.offers[0]?.allocatedUnits, 6);
      assert.equal(ended.offers[0]?.sellThroughBp, 8333);
    });

    it("gives the event's share of the store's Asia/Shanghai day, with a public-store order that day", async () => {
      const world = await buildWorld(t);
      const day = shanghaiDay(t.clock.nowMs());
      await buyThrough(t, world.link.token, world.offerId);
      const buyer = await t.signIn('buyer');
      const publicOrder = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'idempotency-key': `pub-${Math.random()}` }, { skuId: world.skuId, quantity: 1, address }, 201);
      await payOrder(t, buyer.headers, publicOrder.id);
      const m = await metricsOf(world, await merchantOf(world));
      assert.deepEqual(m.storeDay, { day, eventGmvFen: 12_345, storeGmvFen: 12_345 + 99_900, shareBp: Math.floor((12_345 * 10_000) / (12_345 + 99_900)) });
      assert.equal(m.storeDay.shareBp, 1099);

      // The store's own view of the day: public and events apart.
      const s = await api<{ days: Array<{ day: string; public: { orders: number; gmvFen: number }; events: { orders: number; gmvFen: number } }>; events: Array<{ eventId: string; gmvFen: number }> }>(
        t, 'GET', `/api/v1/stores/${world.storeId}/metrics?from=${addDays(day, -1)}&to=${day}`, await merchantOf(world), undefined, 200);
      assert.deepEqual(s.days.map((d) => [d.day, d.public.orders, d.public.gmvFen, d.events.orders, d.events.gmvFen]), [[addDays(day, -1), 0, 0, 0, 0], [day, 1, 99_900, 1, 12_345]]);
      assert.deepEqual(s.events.map((e) => [e.eventId, e.gmvFen]), [[world.eventId, 12_345]]);
    });

    it('counts new customers among known buyers (unknown left out), for the event and per promoter; ranks top promoters by GMV', async () => {
      const world = await buildWorld(t, { perBuyerLimit: 5 });
      const other = await anotherPromoterLink(t, world);
      const a = await buyThrough(t, world.link.token, world.offerId);
      const b = await buyThrough(t, world.link.token, world.offerId);
      const c = await buyThrough(t, other.token, world.offerId, { quantity: 3 });
      const marks: Array<[number, number | null]> = [[a.orderId, 1], [b.orderId, 0], [c.orderId, null]];
      for (const [id, mark] of marks) await t.hs.ctx.db.updateTable('orders').set({ is_new_customer: mark }).where('id', '=', id).execute();
      const m = await metricsOf(world, world.operator);
      assert.deepEqual(m.newCustomers, { buyers: 3, knownBuyers: 2, newBuyers: 1, shareBp: 5000 });
      assert.equal(m.promoterCount, 2);
      assert.deepEqual(m.topPromoters.map((p) => [p.rank, p.promoterId, p.orders, p.units, p.gmvFen, p.newCustomers.shareBp]), [
        [1, other.promoterId, 1, 3, 3 * 12_345, null],
        [2, world.promoterId, 2, 2, 2 * 12_345, 5000],
      ]);
      assert.ok(m.topPromoters[0]?.displayName);
      const top1 = await metricsOf(world, world.operator, '?limit=1');
      assert.deepEqual(top1.topPromoters.map((p) => p.promoterId), [other.promoterId]);
      assert.equal(top1.promoterCount, 2);

      // The channel's view (operators): the event with its sell-through and new customers.
      const ch = await api<{ events: Array<{ eventId: string; orders: number; units: number; allocatedUnits: number; sellThroughBp: number; newCustomers: { shareBp: number } }> }>(
        t, 'GET', `/api/v1/channels/${world.channelId}/metrics?from=${shanghaiDay(t.clock.nowMs())}&to=${shanghaiDay(t.clock.nowMs())}`, world.operator, undefined, 200);
      assert.deepEqual(ch.events.map((e) => [e.eventId, e.orders, e.units, e.allocatedUnits, e.sellThroughBp, e.newCustomers.shareBp]), [[world.eventId, 3, 5, 100, 500, 5000]]);
    });

    it("shows each SKU's public price through the window: flat, then moved by an operator's override", async () => {
      const world = await buildWorld(t, { durationMinutes: 60 });
      let m = await metricsOf(world, world.operator);
      assert.deepEqual(m.publicPrices.map((p) => [p.skuId, p.isFlat, p.changes, p.hasOperatorOverride, p.items.map((i) => i.priceFen)]), [[world.skuId, true, 0, false, [99_900]]]);
      t.clock.advanceMinutes(10);
      await api(t, 'PATCH', `/api/v1/stores/${world.storeId}/skus/${world.skuId}`, world.operator, { publicPriceFen: 89_900, override: true, reason: '工商要求 regulator order' }, 200);
      m = await metricsOf(world, world.operator);
      const evidence = m.publicPrices[0];
      assert.deepEqual([evidence?.isFlat, evidence?.changes, evidence?.hasOperatorOverride], [false, 1, true]);
      assert.deepEqual(evidence?.items.map((i) => [i.priceFen, i.operatorOverride]), [[99_900, false], [89_900, true]]);
      assert.equal(evidence?.items[1]?.effectiveFrom, isoUtc(t.clock.nowMs()));
    });

    it('lets only the store, its merchant and operators read: another merchant 404, promoter and buyer 403', async () => {
      const world = await buildWorld(t);
      const other = await buildWorld(t);
      const merchantB = await merchantOf(other);
      const promoter = world.promoter;
      const buyer = (await t.signIn('buyer')).headers;
      const get = (url: string, headers: Record<string, string>) => t.hs.app.inject({ method: 'GET', url, headers });
      for (const url of [`/api/v1/events/${world.eventId}/metrics`, `/api/v1/events/${world.eventId}/metrics/stream`, `/api/v1/stores/${world.storeId}/metrics`]) {
        const res = await get(url, merchantB);
        assert.equal(res.statusCode, 404, `${url} ${res.body}`);
        assert.equal(res.json().code, 'NOT_FOUND');
        for (const headers of [promoter, buyer]) assert.equal((await get(url, headers)).statusCode, 403, url);
        assert.equal((await get(url, {})).statusCode, 401, url);
      }
      assert.equal((await get(`/api/v1/channels/${world.channelId}/metrics`, await merchantOf(world))).statusCode, 403);
      assert.equal((await get(`/api/v1/events/evt_01jzzzzzzzzzzzzzzzzzzzzzzz/metrics`, world.operator)).statusCode, 404);
      assert.equal((await get(`/api/v1/stores/${world.storeId}/metrics?from=2026-11-30&to=2026-11-01`, world.operator)).statusCode, 400);
      assert.equal((await get(`/api/v1/stores/${world.storeId}/metrics?from=2026-02-30`, world.operator)).statusCode, 400);
      const own = await get(`/api/v1/events/${world.eventId}/metrics`, await merchantOf(world));
      assert.equal(own.statusCode, 200);
      assert.equal(own.headers['cache-control'], 'private, no-store');
    });

    it('answers a client that does not stream with one event and the end', async () => {
      const world = await buildWorld(t);
      await buyThrough(t, world.link.token, world.offerId);
      const res = await t.hs.app.inject({ method: 'GET', url: `/api/v1/events/${world.eventId}/metrics/stream?once=1`, headers: world.operator });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/event-stream/);
      assert.equal(res.headers['cache-control'], 'private, no-store');
      assert.ok(res.headers['x-request-id'], 'hooks\' headers survive the takeover');
      assert.match(res.body, /^event: metrics\ndata: [^\n]+\n\n$/);
      const summary = JSON.parse(res.body.split('data: ')[1] as string) as EventSummary;
      assert.deepEqual(summary.totals, { orders: 1, units: 1, gmvFen: 12_345 });
      assert.equal(summary.lastHour.orders, 1);
      assert.equal(summary.asOf, isoUtc(t.clock.nowMs()));
    });

    it('streams over a real port: one poller for many watchers, an update within seconds of a payment, limits, and the end on shutdown', async () => {
      const own = await startTestApp(store, { metricsStreamPollMs: 100, limits: { ...t.config.limits, metricsStreamsPerEventMax: 3 } });
      let closed = false;
      try {
        const world = await buildWorld(own);
        const merchant = (await own.signIn('merchant', { storeId: world.storeId })).headers;
        await own.hs.app.listen({ host: '127.0.0.1', port: 0 });
        const port = (own.hs.app.server.address() as AddressInfo).port;
        const watchers = [await openStream(port, world.eventId, merchant), await openStream(port, world.eventId, world.operator), await openStream(port, world.eventId, merchant)];
        for (const w of watchers) assert.equal(w.status, 200);
        for (const w of watchers) await w.waitFor((s) => s.totals.orders === 0, 5000);
        assert.deepEqual(own.hs.services.metricsStream.counts(), { total: 3, events: 1 });
        // A fourth watcher of the event is refused before the stream starts.
        const refused = await openStream(port, world.eventId, merchant);
        assert.equal(refused.status, 503);
        await refused.ended;
        assert.match(refused.raw, /STREAM_LIMIT_REACHED/);

        const paidAtStart = Date.now();
        await buyThrough(own, world.link.token, world.offerId, { quantity: 2 });
        for (const w of watchers) {
          const update = await w.waitFor((s) => s.totals.orders === 1, 5000);
          assert.deepEqual([update.totals.units, update.offers[0]?.soldUnits, update.lastHour.gmvFen], [2, 2, 2 * 12_345]);
        }
        assert.ok(Date.now() - paidAtStart < 5000);

        // A watcher that leaves is forgotten; the others stay.
        watchers[2]?.destroy();
        const until = Date.now() + 3000;
        while (own.hs.services.metricsStream.counts().total !== 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
        assert.equal(own.hs.services.metricsStream.counts().total, 2);

        // Shutdown ends the streams instead of waiting on them.
        await own.close();
        closed = true;
        await Promise.all([watchers[0]?.ended, watchers[1]?.ended]);
        assert.deepEqual(own.hs.services.metricsStream.counts(), { total: 0, events: 0 });
      } finally {
        if (!closed) await own.close();
      }
    });
  });
}

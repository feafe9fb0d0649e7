// The event lifecycle on every store under test: each move on time and not before, recorded;
// catch-up after a restart in order and once; two processes sweeping at once never move twice;
// buyers' visibility by status; reservations pending at the end; notices of each move once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { address, api, buildWorld, buyerWithAccess, type World } from './fixtures.ts';
import { EVENT_STATUSES, OPEN_EVENT_STATUSES, eventPhase, movesDue } from '../src/events/rules.ts';
import { phaseAt } from '../src/access/rules.ts';
import { moveEvent } from '../src/events/lifecycle.ts';
import type { EventStatus } from '../src/platform/db/schema.ts';

const HOUR_MS = 3_600_000;
const LEAD_MS = 24 * HOUR_MS;

// The runtime list and the stored type name the same statuses.
const everyStatus: readonly EventStatus[] = EVENT_STATUSES;
const asNames: Array<(typeof EVENT_STATUSES)[number]> = [] as EventStatus[];
void asNames;

describe('lifecycle rules', () => {
  const w = { startsAt: '2026-11-26T02:00:00.000Z', endsAt: '2026-11-26T04:00:00.000Z' };
  const at = (iso: string) => Date.parse(iso);
  it('owes each move at its time and not before', () => {
    assert.deepEqual(movesDue({ ...w, status: 'scheduled' }, at('2026-11-25T01:59:59.999Z'), LEAD_MS, false), []);
    assert.deepEqual(movesDue({ ...w, status: 'scheduled' }, at('2026-11-25T02:00:00.000Z'), LEAD_MS, false).map((m) => m.to), ['warmup']);
    assert.deepEqual(movesDue({ ...w, status: 'warmup' }, at('2026-11-26T01:59:59.999Z'), LEAD_MS, false), []);
    assert.deepEqual(movesDue({ ...w, status: 'warmup' }, at('2026-11-26T02:00:00.000Z'), LEAD_MS, false).map((m) => m.to), ['live']);
    assert.deepEqual(movesDue({ ...w, status: 'live' }, at('2026-11-26T03:59:59.999Z'), LEAD_MS, false), []);
    assert.deepEqual(movesDue({ ...w, status: 'live' }, at('2026-11-26T04:00:00.000Z'), LEAD_MS, true).map((m) => m.to), ['ended']);
    assert.deepEqual(movesDue({ ...w, status: 'ended' }, at('2026-11-26T04:00:00.000Z'), LEAD_MS, true), [], 'no settling while an order is pending');
  });
  it('catches up a whole missed window in order, each with when it fell due', () => {
    const moves = movesDue({ ...w, status: 'scheduled' }, at('2026-11-27T00:00:00.000Z'), LEAD_MS, false);
    assert.deepEqual(moves.map((m) => `${m.from}>${m.to}`), ['scheduled>warmup', 'warmup>live', 'live>ended', 'ended>settled']);
    assert.deepEqual(moves.map((m) => new Date(m.dueAtMs).toISOString()), ['2026-11-25T02:00:00.000Z', w.startsAt, w.endsAt, w.endsAt]);
    for (const status of ['draft', 'submitted', 'rejected', 'withdrawn', 'cancelled', 'settled']) {
      assert.deepEqual(movesDue({ ...w, status }, at('2026-11-27T00:00:00.000Z'), LEAD_MS, false), [], status);
    }
  });
  it('lets time, not the status, decide the phase of an open event; closes every other status to buyers', () => {
    assert.deepEqual([...OPEN_EVENT_STATUSES], ['scheduled', 'warmup', 'live']);
    for (const status of everyStatus) {
      const open = OPEN_EVENT_STATUSES.includes(status);
      for (const [now, phase] of [['2026-11-26T01:00:00.000Z', 'warmup'], ['2026-11-26T03:00:00.000Z', 'live'], ['2026-11-26T05:00:00.000Z', 'ended']] as const) {
        const expected = open ? phase : 'ended';
        assert.equal(eventPhase({ ...w, status }, at(now)), expected, `${status} at ${now}`);
        assert.equal(phaseAt({ ...w, status }, at(now)), expected, `access: ${status} at ${now}`);
      }
    }
  });
});

async function statusOf(t: TestApp, eventId: string): Promise<string> {
  return (await t.hs.ctx.db.selectFrom('events').select('status').where('id', '=', eventId).executeTakeFirstOrThrow()).status;
}

async function transitions(t: TestApp, eventId: string) {
  return t.hs.ctx.db.selectFrom('event_transitions').selectAll().where('event_id', '=', eventId).orderBy('id').execute();
}

async function stockOf(t: TestApp, skuId: string): Promise<number> {
  return (await t.hs.ctx.db.selectFrom('skus').select('stock_units').where('id', '=', skuId).executeTakeFirstOrThrow()).stock_units;
}

async function noticesOf(t: TestApp, eventId: string) {
  const rows = await t.hs.ctx.db.selectFrom('notices').selectAll().execute();
  return rows.filter((r) => (JSON.parse(r.data_json) as { eventId?: string }).eventId === eventId);
}

const reserve = (t: TestApp, headers: Record<string, string>, offerId: string, quantity = 1) =>
  t.hs.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...headers, 'idempotency-key': `lc-${process.pid}-${Math.random()}` }, payload: { offerId, quantity, address } });

for (const store of storesUnderTest()) {
  describe(`event lifecycle on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    it('texts the channel\'s promoters through the outbox at warm-up and at live, once each, without a price', async () => {
      const world = await buildWorld(t, { startsInMinutes: 30 * 60, durationMinutes: 120, clearancePriceFen: 34_567 });
      const mobiles: string[] = [];
      for (let i = 0; i < 3; i++) {
        const promoter = await t.signIn('promoter');
        await api(t, 'POST', `/api/v1/channels/${world.channelId}/promoters`, world.operator, { promoterId: promoter.principal.userId }, 201);
        const row = await t.hs.ctx.db.selectFrom('users').select('mobile').where('id', '=', promoter.principal.userId).executeTakeFirstOrThrow();
        mobiles.push(row.mobile as string);
      }
      const sms = async () => t.hs.ctx.db.selectFrom('outbox').select(['recipient', 'body']).where('channel', '=', 'sms').where('recipient', 'in', mobiles).execute();
      const startsAtMs = t.clock.nowMs() + 30 * HOUR_MS;
      t.clock.set(startsAtMs - LEAD_MS);
      await t.hs.ctx.jobs.runOnce();
      await t.hs.ctx.jobs.runOnce();
      const warm = await sms();
      assert.equal(warm.length, 3, 'one text per promoter at warm-up');
      assert.ok(warm.every((m) => m.body.includes('开抢') && !m.body.includes('345.67') && !m.body.includes('34567')));
      t.clock.set(startsAtMs);
      await t.hs.ctx.jobs.runOnce();
      await t.hs.ctx.jobs.runOnce();
      assert.equal((await sms()).length, 6, 'and one more each at live, never twice');
    });

    it('moves scheduled -> warmup -> live -> ended -> settled each on time and not before, recorded and noticed once', async () => {
      const world = await buildWorld(t, { stockUnits: 50, allocatedUnits: 20, startsInMinutes: 30 * 60, durationMinutes: 120 });
      const merchant = (await t.signIn('merchant', { storeId: world.storeId })).headers;
      const startsAtMs = t.clock.nowMs() + 30 * HOUR_MS;
      const step = async (toMs: number) => {
        t.clock.set(toMs);
        await t.hs.ctx.jobs.runOnce();
        return statusOf(t, world.eventId);
      };
      assert.equal(await step(startsAtMs - LEAD_MS - 1), 'scheduled');
      assert.equal(await step(startsAtMs - LEAD_MS), 'warmup');
      assert.equal(await step(startsAtMs - 1), 'warmup');
      assert.equal(await step(startsAtMs), 'live');
      assert.equal(await stockOf(t, world.skuId), 30, 'going live carves nothing: units were carved out at creation');
      assert.equal(await step(startsAtMs + 2 * HOUR_MS - 1), 'live');
      assert.equal(await step(startsAtMs + 2 * HOUR_MS), 'settled', 'ended and, with no order pending, settled');
      assert.equal(await stockOf(t, world.skuId), 50, 'unsold allocation went back');
      await t.hs.ctx.jobs.runOnce();
      await t.hs.ctx.jobs.runOnce();

      const res = await api<{ status: string; items: Array<{ from: string; to: string; at: string; dueAt: string; by: string }> }>(t, 'GET', `/api/v1/events/${world.eventId}/transitions`, merchant, undefined, 200);
      assert.equal(res.status, 'settled');
      assert.deepEqual(res.items.map((i) => `${i.from}>${i.to}`), ['scheduled>warmup', 'warmup>live', 'live>ended', 'ended>settled']);
      assert.ok(res.items.every((i) => i.by === 'scheduler' && i.at === i.dueAt), 'each on time');
      const other = (await t.signIn('merchant', { storeId: (await buildWorld(t)).storeId })).headers;
      assert.equal((await t.hs.app.inject({ method: 'GET', url: `/api/v1/events/${world.eventId}/transitions`, headers: other })).statusCode, 404);

      const notices = await api<{ items: Array<{ kind: string; data: { eventId?: string }; title: { zh: string; en: string } }> }>(t, 'GET', '/api/v1/me/notices', merchant, undefined, 200);
      const mine = notices.items.filter((n) => n.data.eventId === world.eventId).map((n) => n.kind).sort();
      assert.deepEqual(mine, ['ended', 'live', 'warmup'], 'one notice per move, however many sweeps ran');
      const operator = await api<{ items: Array<{ kind: string; data: { eventId?: string } }> }>(t, 'GET', '/api/v1/me/notices?limit=100', world.operator, undefined, 200);
      assert.deepEqual(operator.items.filter((n) => n.data.eventId === world.eventId).map((n) => n.kind), ['ended'], 'operators hear of the end');
    });

    it('puts an event approved inside the warm-up lead straight into warm-up', async () => {
      const world = await buildWorld(t, { startsInMinutes: 120 });
      await t.hs.ctx.jobs.runOnce();
      assert.equal(await statusOf(t, world.eventId), 'warmup');
      const [move] = await transitions(t, world.eventId);
      assert.ok(move && move.due_at !== null && move.due_at < move.at, 'due a day before the start, made now');
    });

    it('catches up a window missed while no server ran: in order, each once, recorded, allocation returned once', async () => {
      const world = await buildWorld(t, { stockUnits: 40, allocatedUnits: 40, startsInMinutes: 60, durationMinutes: 120 });
      assert.equal(await stockOf(t, world.skuId), 0);
      t.clock.advanceMs(10 * HOUR_MS);
      const peer = await t.startPeer();
      await peer.ctx.jobs.runOnce();
      await peer.ctx.jobs.runOnce();
      await t.hs.ctx.jobs.runOnce();
      const moves = await transitions(t, world.eventId);
      assert.deepEqual(moves.map((m) => `${m.from_status}>${m.to_status}`), ['scheduled>warmup', 'warmup>live', 'live>ended', 'ended>settled']);
      const dues = moves.map((m) => m.due_at ?? '');
      assert.deepEqual([...dues].sort(), dues, 'applied in the order they fell due');
      assert.ok(moves.every((m) => m.at === new Date(t.clock.nowMs()).toISOString() && m.by === 'scheduler'));
      assert.equal(await stockOf(t, world.skuId), 40);
      assert.equal((await noticesOf(t, world.eventId)).length, 4, 'warmup, live, ended to the store; ended to operators');
    });

    it('never makes a move twice when two servers sweep at the same moment', async () => {
      const worlds: World[] = [];
      for (let i = 0; i < 4; i++) worlds.push(await buildWorld(t, { stockUnits: 30, allocatedUnits: 10, startsInMinutes: 30 + i, durationMinutes: 60 }));
      const buyer = await buyerWithAccess(t, worlds[0] as World);
      t.clock.advanceMinutes(35);
      assert.equal((await reserve(t, buyer.headers, (worlds[0] as World).offerId, 2)).statusCode, 201);
      t.clock.advanceMinutes(120);
      const peer = await t.startPeer();
      if (store === 'postgres') {
        await Promise.all([t.hs.ctx.jobs.runOnce(), peer.ctx.jobs.runOnce(), t.hs.services.events.endDueEvents(), peer.services.events.endDueEvents()]);
        await Promise.all([t.hs.ctx.jobs.runOnce(), peer.ctx.jobs.runOnce()]);
      } else {
        // SQLite has one writer and better-sqlite3 waits for its lock synchronously, so two servers
        // in one test process would stall each other's event loop: on SQLite (one process in
        // production) the peers sweep one after the other; the race itself runs on PostgreSQL.
        await peer.ctx.jobs.runOnce();
        await t.hs.ctx.jobs.runOnce();
        await peer.services.events.endDueEvents();
      }
      // A move made already is refused, whoever tries it again.
      const again = await t.hs.ctx.db.transaction().execute((trx) => moveEvent(trx, {
        eventId: (worlds[1] as World).eventId, from: 'live', to: 'ended', by: 'scheduler', atIso: new Date(t.clock.nowMs()).toISOString(), dueAtIso: null,
      }));
      assert.equal(again, false);
      for (const [i, world] of worlds.entries()) {
        const moves = (await transitions(t, world.eventId)).map((m) => `${m.from_status}>${m.to_status}`);
        // Event 0's order expired unpaid in the first sweeps, so it settled too.
        assert.deepEqual(moves, ['scheduled>warmup', 'warmup>live', 'live>ended', 'ended>settled'], `event ${i}`);
        assert.equal(await stockOf(t, world.skuId), 30, `event ${i}: allocation (and the expired order's units) returned once`);
        const kinds = (await noticesOf(t, world.eventId)).map((n) => `${n.audience}:${n.kind}`).sort();
        assert.deepEqual(kinds, ['platform:ended', 'store:ended', 'store:live', 'store:warmup'], `event ${i}: each notice once`);
      }
    });

    it('lets a reservation pending at the end keep its deadline and returns its units if unpaid, then settles', async () => {
      const world = await buildWorld(t, { stockUnits: 10, allocatedUnits: 10, perBuyerLimit: 2, durationMinutes: 10 });
      const buyer = await buyerWithAccess(t, world);
      const order = (await reserve(t, buyer.headers, world.offerId, 2)).json() as { id: number; payDeadline: string };
      t.clock.advanceMinutes(11);
      await t.hs.ctx.jobs.runOnce();
      assert.equal(await statusOf(t, world.eventId), 'ended', 'not settled while an order is pending');
      assert.equal(await stockOf(t, world.skuId), 8);
      const pending = await api<{ status: string; payDeadline: string }>(t, 'GET', `/api/v1/orders/${order.id}`, buyer.headers, undefined, 200);
      assert.equal(pending.status, 'pending_payment');
      assert.equal(pending.payDeadline, order.payDeadline, 'the deadline is kept');
      t.clock.advanceMinutes(4);
      await t.hs.ctx.jobs.runOnce();
      assert.equal((await api<{ status: string }>(t, 'GET', `/api/v1/orders/${order.id}`, buyer.headers, undefined, 200)).status, 'cancelled');
      assert.equal(await stockOf(t, world.skuId), 10, 'the unpaid units went back to the store');
      await t.hs.ctx.jobs.runOnce();
      assert.equal(await statusOf(t, world.eventId), 'settled');
      assert.deepEqual((await transitions(t, world.eventId)).map((m) => m.to_status), ['warmup', 'live', 'ended', 'settled']);
    });

    it('shows warm-up without a price, and refuses links of submitted, cancelled and ended events', async () => {
      const upcoming = await buildWorld(t, { startsInMinutes: 60, clearancePriceFen: 23_456 });
      await t.hs.ctx.jobs.runOnce();
      assert.equal(await statusOf(t, upcoming.eventId), 'warmup');
      const opened = await t.hs.app.inject({ method: 'POST', url: '/api/v1/access', payload: { link: upcoming.link.token } });
      assert.equal(opened.statusCode, 200, opened.body);
      assert.equal(opened.json().phase, 'warmup');
      assert.ok(!opened.body.includes('23456') && !opened.body.includes('clearancePriceFen'), 'no price in warm-up');

      const submitted = await buildWorld(t, { startsInMinutes: 60 });
      await t.hs.ctx.db.updateTable('events').set({ status: 'submitted' }).where('id', '=', submitted.eventId).execute();
      const cancelled = await buildWorld(t, { startsInMinutes: 60 });
      await api(t, 'POST', `/api/v1/events/${cancelled.eventId}/cancel`, cancelled.operator, undefined, 200);
      const ended = await buildWorld(t, { durationMinutes: 30 });
      t.clock.advanceMinutes(31);
      await t.hs.ctx.jobs.runOnce();
      t.clock.advanceMs(2000);
      for (const [name, world] of [['submitted', submitted], ['cancelled', cancelled], ['ended', ended]] as const) {
        const byLink = await t.hs.app.inject({ method: 'POST', url: '/api/v1/access', payload: { link: world.link.token } });
        assert.equal(byLink.statusCode, 404, `${name}: ${byLink.body}`);
        assert.equal(byLink.json().code, 'ACCESS_INVALID');
        const byCode = await t.hs.app.inject({ method: 'POST', url: '/api/v1/access', payload: { code: world.link.shareText } });
        assert.equal(byCode.json().code, 'ACCESS_INVALID', name);
        const newLink = await t.hs.app.inject({ method: 'POST', url: `/api/v1/events/${world.eventId}/links`, headers: (await t.signIn('promoter')).headers });
        assert.equal(newLink.statusCode, 404, `${name}: no new links`);
      }
      const cancelMoves = await transitions(t, cancelled.eventId);
      assert.deepEqual(cancelMoves.map((m) => `${m.from_status}>${m.to_status}`), ['scheduled>cancelled'], 'a cancel is recorded with who did it');
      assert.match(cancelMoves[0]?.by ?? '', /^usr_/);
    });

    it('sells on time even when the scheduler is late, and stops at the end all the same', async () => {
      const world = await buildWorld(t, { startsInMinutes: 0, durationMinutes: 30, clearancePriceFen: 11_111 });
      assert.equal(await statusOf(t, world.eventId), 'scheduled', 'no sweep has run');
      const buyer = await buyerWithAccess(t, world);
      const offers = await t.hs.app.inject({ method: 'GET', url: `/api/v1/events/${world.eventId}/offers`, headers: buyer.headers });
      assert.equal(offers.json().phase, 'live');
      assert.equal(offers.json().offers[0].clearancePriceFen, 11_111);
      assert.equal((await reserve(t, buyer.headers, world.offerId)).statusCode, 201);
      t.clock.advanceMinutes(30);
      const late = await reserve(t, buyer.headers, world.offerId);
      assert.equal(late.json().code, 'WINDOW_CLOSED');
    });

    it('tells the store once when an offer sells out, even when units come back and sell out again', async () => {
      const world = await buildWorld(t, { allocatedUnits: 2, perBuyerLimit: 1 });
      const buyers = await Promise.all(Array.from({ length: 4 }, () => buyerWithAccess(t, world)));
      const results = await Promise.all(buyers.map((b) => reserve(t, b.headers, world.offerId)));
      assert.equal(results.filter((r) => r.statusCode === 201).length, 2);
      const soldOut = async () => (await t.hs.ctx.db.selectFrom('notices').selectAll().where('kind', '=', 'sold_out').where('store_id', '=', world.storeId).execute());
      for (let i = 0; i < 200 && (await soldOut()).length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
      assert.equal((await soldOut()).length, 1);
      const winner = results.findIndex((r) => r.statusCode === 201);
      const order = results[winner]?.json() as { id: number };
      await api(t, 'POST', `/api/v1/orders/${order.id}/cancel`, (buyers[winner] as { headers: Record<string, string> }).headers, undefined, 200);
      const loser = buyers[results.findIndex((r) => r.statusCode !== 201)] as { headers: Record<string, string> };
      assert.equal((await reserve(t, loser.headers, world.offerId)).statusCode, 201);
      await t.hs.services.checkout.drain();
      for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
      const notices = await soldOut();
      assert.equal(notices.length, 1, 'once per offer');
      assert.deepEqual(JSON.parse(notices[0]?.data_json ?? '{}'), { eventId: world.eventId, offerId: world.offerId, skuId: world.skuId });
      assert.ok(!(notices[0]?.body_zh ?? '').includes('123'), 'no price in a notice');
    });
  });
}

// Brand days through the API: a merchant drafts a clearance lot, submits it (holding a day), an
// operator approves (booking it, carving stock, freezing terms) or rejects; races for the last day
// or the last slot of a month have exactly one winner.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { api, promoterInChannel } from './fixtures.ts';

let counter = 0;

interface Brand {
  storeId: string;
  merchant: Record<string, string>;
  skuId: string;
  costlySkuId: string;
}

async function brand(t: TestApp, operator: Record<string, string>, stockUnits = 100): Promise<Brand> {
  counter += 1;
  const created = await api<{ store: { id: string } }>(t, 'POST', '/api/v1/merchants', operator, { storeName: `品牌${counter}`, storeSlug: `lot-${process.pid}-${counter}`, displayName: 'staff' }, 201);
  const storeId = created.store.id;
  const merchant = (await t.signIn('merchant', { storeId })).headers;
  const product = await api<{ skus: Array<{ id: string; code: string }> }>(t, 'POST', `/api/v1/stores/${storeId}/products`, merchant, {
    title: '冲锋衣 Shell jacket',
    skus: [
      { code: `SH-${counter}`, attributes: {}, publicPriceFen: 59_900, stockUnits },
      { code: `SC-${counter}`, attributes: {}, publicPriceFen: 59_900, stockUnits, costFen: 30_000 },
    ],
  }, 201);
  return { storeId, merchant, skuId: product.skus[0]?.id as string, costlySkuId: product.skus[1]?.id as string };
}

function lot(b: Brand, channelId: string, wishedDates: string[], overrides: Record<string, unknown> = {}) {
  return {
    channelId, title: '冬季专场', wishedDates, windowStart: '10:00', windowEnd: '22:00', commissionRateBp: 1000,
    offers: [{ skuId: b.skuId, clearancePriceFen: 29_900, allocatedUnits: 40, perBuyerLimit: 2, isHero: true }],
    ...overrides,
  };
}

for (const store of storesUnderTest()) {
  describe(`applications on ${store}`, () => {
    let t: TestApp;
    let operator: Record<string, string>;
    before(async () => {
      t = await startTestApp(store);
      operator = (await t.signIn('operator')).headers;
    });
    after(async () => t.close());

    async function channel(cap = 31, minCommissionRateBp = 500) {
      return api<{ id: string }>(t, 'POST', '/api/v1/channels', operator, { name: `频道${++counter}`, vertical: 'outdoor', monthlySlotCap: cap, minCommissionRateBp, defaultCommissionRateBp: Math.max(minCommissionRateBp, 1000) }, 201);
    }

    it('drafts, submits (holding the first free wished day), and is approved into a scheduled event', async () => {
      const b = await brand(t, operator);
      const ch = await channel();
      const draft = await api<{ id: string; status: string; problems: unknown[]; priceGuard: Array<{ warnings: Array<{ code: string }> }>; feeTerms: { feeRateBp: number } }>(
        t, 'POST', `/api/v1/stores/${b.storeId}/applications`, b.merchant, lot(b, ch.id, ['2026-12-05', '2026-12-06']), 201);
      assert.equal(draft.status, 'draft');
      assert.deepEqual(draft.problems, []);
      assert.ok(draft.feeTerms.feeRateBp >= 0);
      // Another brand already booked the first wished day: the second is held.
      const other = await brand(t, operator);
      const first = await api<{ id: string }>(t, 'POST', `/api/v1/stores/${other.storeId}/applications`, other.merchant, lot(other, ch.id, ['2026-12-05']), 201);
      await api(t, 'POST', `/api/v1/applications/${first.id}/submit`, other.merchant, undefined, 200);

      const submitted = await api<{ status: string; heldDay: string; holdExpiresAt: string }>(t, 'POST', `/api/v1/applications/${draft.id}/submit`, b.merchant, undefined, 200);
      assert.equal(submitted.status, 'submitted');
      assert.equal(submitted.heldDay, '2026-12-06');
      assert.equal(Date.parse(submitted.holdExpiresAt) - t.clock.nowMs(), 48 * 3_600_000);
      const calendar = await api<{ days: Array<{ day: string; state: string }> }>(t, 'GET', `/api/v1/channels/${ch.id}/calendar?month=2026-12`, b.merchant, undefined, 200);
      assert.equal(calendar.days.find((d) => d.day === '2026-12-06')?.state, 'held');

      const stockBefore = (await t.hs.ctx.db.selectFrom('skus').select('stock_units').where('id', '=', b.skuId).executeTakeFirstOrThrow()).stock_units;
      const approved = await api<{ status: string; scheduledDay: string }>(t, 'POST', `/api/v1/applications/${draft.id}/approve`, operator, {}, 200);
      assert.equal(approved.status, 'scheduled');
      assert.equal(approved.scheduledDay, '2026-12-06');
      const event = await api<{ status: string; startsAt: string; endsAt: string }>(t, 'GET', `/api/v1/events/${draft.id}`, b.merchant, undefined, 200);
      assert.equal(event.startsAt, '2026-12-06T02:00:00.000Z', '10:00 in Shanghai');
      assert.equal(event.endsAt, '2026-12-06T14:00:00.000Z');
      const stockAfter = (await t.hs.ctx.db.selectFrom('skus').select('stock_units').where('id', '=', b.skuId).executeTakeFirstOrThrow()).stock_units;
      assert.equal(stockBefore - stockAfter, 40, 'the allocation was carved at approval');
      const row = await t.hs.ctx.db.selectFrom('events').select(['terms_json', 'commission_rate_bp']).where('id', '=', draft.id).executeTakeFirstOrThrow();
      assert.equal(row.commission_rate_bp, 1000);
      assert.ok(JSON.parse(row.terms_json ?? 'null').feeRateBp >= 0, 'terms frozen into the event');
      const moves = await api<{ items?: Array<{ from: string; to: string }>; transitions?: Array<{ from: string; to: string }> }>(t, 'GET', `/api/v1/events/${draft.id}/transitions`, operator, undefined, 200);
      const list = moves.items ?? moves.transitions ?? [];
      assert.deepEqual(list.map((m) => `${m.from}->${m.to}`), ['submitted->scheduled']);
      const after = await api<{ days: Array<{ day: string; state: string }> }>(t, 'GET', `/api/v1/channels/${ch.id}/calendar?month=2026-12`, b.merchant, undefined, 200);
      assert.equal(after.days.find((d) => d.day === '2026-12-06')?.state, 'booked');
      const notices = await api<{ items: Array<{ kind: string }> }>(t, 'GET', '/api/v1/me/notices', b.merchant, undefined, 200);
      assert.ok(notices.items.some((n) => n.kind === 'approved'));

      // Promoters get their links from warm-up on (24 hours before the start by default).
      const promoter = (await promoterInChannel(t, operator, ch.id)).headers;
      const early = await t.hs.app.inject({ method: 'POST', url: `/api/v1/events/${draft.id}/links`, headers: promoter });
      assert.equal(early.statusCode, 403);
      assert.equal(early.json().code, 'WINDOW_NOT_OPEN');
      t.clock.set('2026-12-05T03:00:00.000Z');
      await api(t, 'POST', `/api/v1/events/${draft.id}/links`, promoter, undefined, 200);
    });

    it('guards prices and shape: errors block submit, warnings do not', async () => {
      const b = await brand(t, operator);
      const ch = await channel(31, 800);
      const bad = await api<{ id: string; problems: Array<{ code: string }>; priceGuard: Array<{ errors: Array<{ code: string }> }> }>(t, 'POST', `/api/v1/stores/${b.storeId}/applications`, b.merchant, lot(b, ch.id, ['2026-12-07'], {
        commissionRateBp: 500,
        offers: [
          { skuId: b.skuId, clearancePriceFen: 59_900, allocatedUnits: 500, perBuyerLimit: 2, isHero: true },
          { skuId: b.costlySkuId, clearancePriceFen: 20_000, allocatedUnits: 5, perBuyerLimit: 1, isHero: false },
        ],
      }), 201);
      assert.deepEqual(bad.problems.map((p) => p.code).sort(), ['COMMISSION_BELOW_MINIMUM', 'UNITS_ABOVE_STOCK']);
      assert.deepEqual(bad.priceGuard.map((g) => g.errors.map((e) => e.code)), [['CLEARANCE_NOT_BELOW_PUBLIC'], ['CLEARANCE_BELOW_COST']]);
      const refused = await t.hs.app.inject({ method: 'POST', url: `/api/v1/applications/${bad.id}/submit`, headers: b.merchant });
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json().code, 'APPLICATION_INVALID');
      const fixedShape = lot(b, ch.id, ['2026-12-07'], { offers: [{ skuId: b.costlySkuId, clearancePriceFen: 20_000, allocatedUnits: 5, perBuyerLimit: 1, isHero: false }] });
      await api(t, 'PUT', `/api/v1/applications/${bad.id}`, b.merchant, fixedShape, 200);
      const guard = await t.hs.app.inject({ method: 'POST', url: `/api/v1/applications/${bad.id}/submit`, headers: b.merchant });
      assert.equal(guard.json().code, 'PRICE_GUARD_FAILED');
      await api(t, 'PUT', `/api/v1/applications/${bad.id}`, b.merchant, lot(b, ch.id, ['2026-12-07'], { offers: [{ skuId: b.skuId, clearancePriceFen: 9_900, allocatedUnits: 5, perBuyerLimit: 1, isHero: true }] }), 200);
      const deep = await api<{ status: string; priceGuard: Array<{ warnings: Array<{ code: string }> }> }>(t, 'POST', `/api/v1/applications/${bad.id}/submit`, b.merchant, undefined, 200);
      assert.equal(deep.status, 'submitted', 'a deep discount warns but does not block');
      assert.deepEqual(deep.priceGuard[0]?.warnings.map((w) => w.code), ['DEEP_DISCOUNT']);
    });

    it('rejects with a reason, withdraws, and frees the day each time; merchants see only their own', async () => {
      const b = await brand(t, operator);
      const ch = await channel();
      const a1 = await api<{ id: string }>(t, 'POST', `/api/v1/stores/${b.storeId}/applications`, b.merchant, lot(b, ch.id, ['2026-12-08']), 201);
      await api(t, 'POST', `/api/v1/applications/${a1.id}/submit`, b.merchant, undefined, 200);
      const rejected = await api<{ status: string; rejectReason: string }>(t, 'POST', `/api/v1/applications/${a1.id}/reject`, operator, { reason: '本月已满 month full' }, 200);
      assert.equal(rejected.status, 'rejected');
      assert.equal(rejected.rejectReason, '本月已满 month full');
      const a2 = await api<{ id: string }>(t, 'POST', `/api/v1/stores/${b.storeId}/applications`, b.merchant, lot(b, ch.id, ['2026-12-08']), 201);
      assert.equal((await api<{ heldDay: string }>(t, 'POST', `/api/v1/applications/${a2.id}/submit`, b.merchant, undefined, 200)).heldDay, '2026-12-08', 'the rejected one freed the day');
      assert.equal((await api<{ status: string }>(t, 'POST', `/api/v1/applications/${a2.id}/withdraw`, b.merchant, undefined, 200)).status, 'withdrawn');
      const stranger = await brand(t, operator);
      assert.equal((await t.hs.app.inject({ method: 'GET', url: `/api/v1/applications/${a2.id}`, headers: stranger.merchant })).statusCode, 404);
      assert.equal((await t.hs.app.inject({ method: 'POST', url: `/api/v1/applications/${a2.id}/approve`, headers: b.merchant, payload: {} })).statusCode, 403);
      const list = await api<{ items: Array<{ storeId: string }> }>(t, 'GET', '/api/v1/applications', stranger.merchant, undefined, 200);
      assert.ok(list.items.every((i) => i.storeId === stranger.storeId));
    });

    it('lets a lapsed hold go: the day frees and approval then needs a free day', async () => {
      const b = await brand(t, operator);
      const ch = await channel();
      const a = await api<{ id: string }>(t, 'POST', `/api/v1/stores/${b.storeId}/applications`, b.merchant, lot(b, ch.id, ['2026-12-09']), 201);
      await api(t, 'POST', `/api/v1/applications/${a.id}/submit`, b.merchant, undefined, 200);
      t.clock.advanceMs(48 * 3_600_000 + 1000);
      await t.hs.ctx.jobs.runOnce();
      const lapsed = await api<{ status: string; heldDay: string | null }>(t, 'GET', `/api/v1/applications/${a.id}`, b.merchant, undefined, 200);
      assert.equal(lapsed.status, 'submitted');
      assert.equal(lapsed.heldDay, null);
      const view = await api<{ days: Array<{ day: string; state: string }> }>(t, 'GET', `/api/v1/channels/${ch.id}/calendar?month=2026-12`, operator, undefined, 200);
      assert.equal(view.days.find((d) => d.day === '2026-12-09')?.state, 'free');
      const noDay = await t.hs.app.inject({ method: 'POST', url: `/api/v1/applications/${a.id}/approve`, headers: operator, payload: {} });
      assert.equal(noDay.statusCode, 400);
      const approved = await api<{ status: string; scheduledDay: string }>(t, 'POST', `/api/v1/applications/${a.id}/approve`, operator, { day: '2026-12-11' }, 200);
      assert.equal(approved.scheduledDay, '2026-12-11');
    });

    it('gives the last free day to exactly one of many racing merchants', async () => {
      const ch = await channel();
      const brands = [];
      for (let i = 0; i < 8; i++) brands.push(await brand(t, operator));
      const drafts = [];
      for (const b of brands) drafts.push({ b, a: await api<{ id: string }>(t, 'POST', `/api/v1/stores/${b.storeId}/applications`, b.merchant, lot(b, ch.id, ['2026-12-20']), 201) });
      const results = await Promise.all(drafts.map(({ b, a }) => t.hs.app.inject({ method: 'POST', url: `/api/v1/applications/${a.id}/submit`, headers: b.merchant })));
      assert.equal(results.filter((r) => r.statusCode === 200).length, 1);
      assert.ok(results.filter((r) => r.statusCode !== 200).every((r) => r.json().code === 'NO_FREE_DATE'));
    });

    it('fills a month to its slot cap and no further, even when merchants race (on two servers with PostgreSQL)', async () => {
      const ch = await channel(2);
      // Two SQLite connections in one test process would stall each other (synchronous lock waits).
      const peer = store === 'postgres' ? await t.startPeer() : t.hs;
      const brands = [];
      for (let i = 0; i < 6; i++) brands.push(await brand(t, operator));
      const drafts = [];
      for (const [i, b] of brands.entries()) drafts.push({ b, i, a: await api<{ id: string }>(t, 'POST', `/api/v1/stores/${b.storeId}/applications`, b.merchant, lot(b, ch.id, [`2026-12-${String(21 + i).padStart(2, '0')}`]), 201) });
      const results = await Promise.all(drafts.map(({ b, a, i }) => (i % 2 === 0 ? t.hs.app : peer.app).inject({ method: 'POST', url: `/api/v1/applications/${a.id}/submit`, headers: b.merchant })));
      assert.equal(results.filter((r) => r.statusCode === 200).length, 2, results.map((r) => r.body).join('\n'));
      const refused = results.filter((r) => r.statusCode !== 200).map((r) => r.json());
      assert.ok(refused.every((e) => e.code === 'NO_FREE_DATE' && e.details.dates[0].code === 'MONTH_FULL'));
      const month = await api<{ used: number; cap: number }>(t, 'GET', `/api/v1/channels/${ch.id}/calendar?month=2026-12`, operator, undefined, 200);
      assert.equal(month.used, 2);
    });

    it('lets a merchant cancel an approved event until the lead time, returning stock and the day', async () => {
      const b = await brand(t, operator);
      const ch = await channel();
      const a = await api<{ id: string }>(t, 'POST', `/api/v1/stores/${b.storeId}/applications`, b.merchant, lot(b, ch.id, ['2026-12-15']), 201);
      await api(t, 'POST', `/api/v1/applications/${a.id}/submit`, b.merchant, undefined, 200);
      await api(t, 'POST', `/api/v1/applications/${a.id}/approve`, operator, {}, 200);
      const cancelled = await api<{ status: string }>(t, 'POST', `/api/v1/applications/${a.id}/cancel`, b.merchant, undefined, 200);
      assert.equal(cancelled.status, 'cancelled');
      assert.equal((await t.hs.ctx.db.selectFrom('skus').select('stock_units').where('id', '=', b.skuId).executeTakeFirstOrThrow()).stock_units, 100);
      const view = await api<{ days: Array<{ day: string; state: string }> }>(t, 'GET', `/api/v1/channels/${ch.id}/calendar?month=2026-12`, operator, undefined, 200);
      assert.equal(view.days.find((d) => d.day === '2026-12-15')?.state, 'free');

      const late = await api<{ id: string }>(t, 'POST', `/api/v1/stores/${b.storeId}/applications`, b.merchant, lot(b, ch.id, ['2026-12-16']), 201);
      await api(t, 'POST', `/api/v1/applications/${late.id}/submit`, b.merchant, undefined, 200);
      await api(t, 'POST', `/api/v1/applications/${late.id}/approve`, operator, {}, 200);
      t.clock.set('2026-12-15T12:00:00.000Z');
      const tooLate = await t.hs.app.inject({ method: 'POST', url: `/api/v1/applications/${late.id}/cancel`, headers: b.merchant });
      assert.equal(tooLate.statusCode, 409);
    });
  });
}

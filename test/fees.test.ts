// Fee policies and terms through HTTP and the fees service on every store under test: operator
// CRUD with role checks and bad input, the merchant's preview, and termsFor for approval.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { api, buildWorld, type World } from './fixtures.ts';

interface Policy {
  id: string;
  kind: string;
  storeId: string | null;
  category: string | null;
  channelId: string | null;
  discountBp: number;
  deletedAt: string | null;
}
interface Terms {
  feeRateBp: number;
  baseFeeRateBp: number;
  discountBp: number;
  appliedPolicyIds: string[];
  isFirstEvent: boolean;
  skuIds: string[];
  explanation: { zh: string; en: string };
}

for (const store of storesUnderTest()) {
  describe(`fees on ${store}`, () => {
    let t: TestApp;
    let world: World;
    let merchant: Record<string, string>;
    let channelId: string;
    before(async () => {
      t = await startTestApp(store);
      world = await buildWorld(t);
      merchant = (await t.signIn('merchant', { storeId: world.storeId })).headers;
      channelId = (await t.hs.ctx.db.selectFrom('events').select('channel_id').where('id', '=', world.eventId).executeTakeFirstOrThrow()).channel_id;
    });
    after(async () => t.close());

    const post = (headers: Record<string, string>, payload: object) => t.hs.app.inject({ method: 'POST', url: '/api/v1/fee-policies', headers, payload: payload as Record<string, unknown> });
    const preview = (headers: Record<string, string>, storeId: string, query: string) => t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${storeId}/fee-terms?${query}`, headers });

    it('lets operators create, list and delete policies, and nobody else', async () => {
      const created = await post(world.operator, { kind: 'category', category: ' 生鲜 ', discountBp: 5000, channelId, note: '薄利类目 thin margin', startsAt: '2026-11-01T08:00:00+08:00' });
      assert.equal(created.statusCode, 201, created.body);
      const policy = created.json() as Policy & { startsAt: string; note: string; createdBy: string };
      assert.match(policy.id, /^fpl_/);
      assert.equal(policy.category, '生鲜');
      assert.equal(policy.startsAt, '2026-11-01T00:00:00.000Z');
      assert.equal(policy.storeId, null);
      const storePolicy = (await post(world.operator, { kind: 'store', storeId: world.storeId, discountBp: 2000 })).json() as Policy;

      for (const headers of [merchant, world.promoter]) {
        assert.equal((await post(headers, { kind: 'first_event', discountBp: 100 })).statusCode, 403);
        assert.equal((await t.hs.app.inject({ method: 'GET', url: '/api/v1/fee-policies', headers })).statusCode, 403);
        assert.equal((await t.hs.app.inject({ method: 'DELETE', url: `/api/v1/fee-policies/${policy.id}`, headers })).statusCode, 403);
      }
      assert.equal((await post({}, { kind: 'first_event', discountBp: 100 })).statusCode, 401);

      let list = await api<{ items: Policy[] }>(t, 'GET', '/api/v1/fee-policies', world.operator, undefined, 200);
      assert.deepEqual(list.items.map((p) => p.id).sort(), [policy.id, storePolicy.id].sort());
      list = await api<{ items: Policy[] }>(t, 'GET', `/api/v1/fee-policies?kind=store&storeId=${world.storeId}`, world.operator, undefined, 200);
      assert.deepEqual(list.items.map((p) => p.id), [storePolicy.id]);

      const deleted = await api<Policy>(t, 'DELETE', `/api/v1/fee-policies/${storePolicy.id}`, world.operator, undefined, 200);
      assert.ok(deleted.deletedAt);
      assert.equal((await t.hs.app.inject({ method: 'DELETE', url: `/api/v1/fee-policies/${storePolicy.id}`, headers: world.operator })).statusCode, 404, 'deleted once');
      assert.equal((await t.hs.app.inject({ method: 'DELETE', url: '/api/v1/fee-policies/fpl_nope', headers: world.operator })).statusCode, 404);
      list = await api<{ items: Policy[] }>(t, 'GET', '/api/v1/fee-policies', world.operator, undefined, 200);
      assert.deepEqual(list.items.map((p) => p.id), [policy.id]);
      list = await api<{ items: Policy[] }>(t, 'GET', '/api/v1/fee-policies?includeDeleted=true', world.operator, undefined, 200);
      assert.equal(list.items.length, 2);
      await api(t, 'DELETE', `/api/v1/fee-policies/${policy.id}`, world.operator, undefined, 200);
    });

    it('refuses bad policies with VALIDATION_FAILED and writes nothing', async () => {
      const before = (await api<{ items: Policy[] }>(t, 'GET', '/api/v1/fee-policies?includeDeleted=true', world.operator, undefined, 200)).items.length;
      const bad: object[] = [
        { kind: 'store', discountBp: 100 },
        { kind: 'category', discountBp: 100 },
        { kind: 'category', category: '   ', discountBp: 100 },
        { kind: 'first_event', category: '生鲜', discountBp: 100 },
        { kind: 'first_event', discountBp: 10_001 },
        { kind: 'first_event', discountBp: -1 },
        { kind: 'first_event', discountBp: 1.5 },
        { kind: 'weekend', discountBp: 100 },
        { kind: 'store', storeId: 'sto_nope', discountBp: 100 },
        { kind: 'first_event', channelId: 'chn_nope', discountBp: 100 },
        { kind: 'first_event', discountBp: 100, startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-11-01T00:00:00Z' },
        { kind: 'first_event', discountBp: 100, startsAt: 'tomorrow' },
        { kind: 'first_event', discountBp: 100, createdBy: 'me' },
      ];
      for (const payload of bad) {
        const res = await post(world.operator, payload);
        assert.equal(res.statusCode, 400, `${JSON.stringify(payload)} -> ${res.statusCode} ${res.body}`);
        assert.equal(res.json().code, 'VALIDATION_FAILED');
      }
      const after = (await api<{ items: Policy[] }>(t, 'GET', '/api/v1/fee-policies?includeDeleted=true', world.operator, undefined, 200)).items.length;
      assert.equal(after, before);
    });

    it('previews the terms for a merchant: channel rate, first event, category and store discounts', async () => {
      const fresh = await api<{ store: { id: string } }>(t, 'POST', '/api/v1/merchants', world.operator, { storeName: '鲜果', storeSlug: `fresh-${process.pid}`, displayName: 'Fresh staff' }, 201);
      const storeId = fresh.store.id;
      const freshMerchant = (await t.signIn('merchant', { storeId })).headers;
      const product = await api<{ id: string; skus: Array<{ id: string }> }>(t, 'POST', `/api/v1/stores/${storeId}/products`, freshMerchant, {
        title: '苹果 Apples', category: '生鲜', skus: [{ code: 'AP-1', attributes: {}, publicPriceFen: 5000, stockUnits: 10 }, { code: 'AP-2', attributes: {}, publicPriceFen: 6000, stockUnits: 10 }],
      }, 201);
      const other = await api<{ id: string; skus: Array<{ id: string }> }>(t, 'POST', `/api/v1/stores/${storeId}/products`, freshMerchant, {
        title: '篮子 Basket', skus: [{ code: 'BK-1', attributes: {}, publicPriceFen: 3000, stockUnits: 10 }],
      }, 201);
      const [a1, a2] = product.skus.map((s) => s.id) as [string, string];
      const basket = other.skus[0]?.id as string;

      // No policy: the channel's rate (600 bp by default).
      const res = await preview(freshMerchant, storeId, `channelId=${channelId}&skuIds=${a1}`);
      assert.equal(res.statusCode, 200, res.body);
      let terms = res.json() as Terms;
      assert.deepEqual([terms.feeRateBp, terms.baseFeeRateBp, terms.discountBp, terms.isFirstEvent], [600, 600, 0, true]);
      assert.equal(res.headers['cache-control'], 'private, no-store');

      const firstEvent = (await post(world.operator, { kind: 'first_event', discountBp: 2500 })).json() as Policy;
      const category = (await post(world.operator, { kind: 'category', category: '生鲜', discountBp: 5000, channelId })).json() as Policy;
      const elsewhere = (await post(world.operator, { kind: 'store', storeId, channelId: (await api<{ id: string }>(t, 'POST', '/api/v1/channels', world.operator, { name: '母婴', vertical: 'baby' }, 201)).id, discountBp: 9000 })).json() as Policy;

      terms = (await preview(freshMerchant, storeId, `channelId=${channelId}&skuIds=${a1},${a2}`)).json() as Terms;
      assert.deepEqual([terms.feeRateBp, terms.discountBp, terms.appliedPolicyIds], [300, 5000, [category.id]]);
      assert.deepEqual(terms.skuIds, [a1, a2]);
      assert.match(terms.explanation.zh, /生鲜/);

      // The basket is not fresh food: the mixed lot gets the first-event discount only.
      terms = (await preview(freshMerchant, storeId, `channelId=${channelId}&skuIds=${a1}&skuIds=${basket}`)).json() as Terms;
      assert.deepEqual([terms.feeRateBp, terms.appliedPolicyIds], [450, [firstEvent.id]]);
      // Setting the basket's category brings it in.
      await api(t, 'PATCH', `/api/v1/stores/${storeId}/products/${other.id}`, freshMerchant, { category: '生鲜' }, 200);
      terms = (await preview(freshMerchant, storeId, `channelId=${channelId}&skuIds=${a1}&skuIds=${basket}`)).json() as Terms;
      assert.equal(terms.feeRateBp, 300);

      // The world's store already had an event: not a first event; the 9000 bp policy is for another channel.
      terms = (await preview(world.operator, world.storeId, `channelId=${channelId}&skuIds=${world.skuId}`)).json() as Terms;
      assert.deepEqual([terms.isFirstEvent, terms.feeRateBp], [false, 600]);
      assert.ok(!terms.appliedPolicyIds.includes(elsewhere.id));

      // termsFor, as approval calls it: at a time, excepting the event being approved.
      const approval = await t.hs.services.fees.termsFor(world.storeId, channelId, [world.skuId], t.clock.nowMs(), { exceptEventId: world.eventId });
      assert.deepEqual([approval.isFirstEvent, approval.feeRateBp, approval.appliedPolicyIds], [true, 450, [firstEvent.id]]);

      // Isolation and bad input.
      assert.equal((await preview(merchant, storeId, `channelId=${channelId}&skuIds=${a1}`)).statusCode, 404, "another merchant's store");
      assert.equal((await preview(freshMerchant, storeId, `channelId=${channelId}&skuIds=${world.skuId}`)).statusCode, 400, "another store's SKU");
      assert.equal((await preview(freshMerchant, storeId, `channelId=chn_nope&skuIds=${a1}`)).statusCode, 400);
      assert.equal((await preview(freshMerchant, storeId, `channelId=${channelId}`)).statusCode, 400);
      assert.equal((await preview(freshMerchant, storeId, `channelId=${channelId}&skuIds=,`)).statusCode, 400);
      assert.equal((await preview(world.promoter, storeId, `channelId=${channelId}&skuIds=${a1}`)).statusCode, 403);
      assert.equal((await preview({}, storeId, `channelId=${channelId}&skuIds=${a1}`)).statusCode, 401);
      for (const p of [firstEvent, category, elsewhere]) await api(t, 'DELETE', `/api/v1/fee-policies/${p.id}`, world.operator, undefined, 200);
    });

    it('applies policies only inside their window, by the clock', async () => {
      const startsAt = new Date(t.clock.nowMs() + 3_600_000).toISOString();
      const endsAt = new Date(t.clock.nowMs() + 2 * 3_600_000).toISOString();
      const p = (await post(world.operator, { kind: 'store', storeId: world.storeId, discountBp: 10_000, startsAt, endsAt })).json() as Policy;
      const at = async () => (await t.hs.services.fees.previewTerms(world.storeId, channelId, [world.skuId])).feeRateBp;
      assert.equal(await at(), 600);
      t.clock.advanceMinutes(60);
      assert.equal(await at(), 0);
      t.clock.advanceMinutes(60);
      assert.equal(await at(), 600);
      await api(t, 'DELETE', `/api/v1/fee-policies/${p.id}`, world.operator, undefined, 200);
    });
  });
}

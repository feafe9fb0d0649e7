// Channels through HTTP and the service on every store under test: terms with their defaults and
// checks, editing (a cap change reaching the calendar), and which promoters belong to which channel.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, nextMobile, type TestApp } from './harness.ts';
import { api } from './fixtures.ts';
import { CHANNEL_DEFAULTS, checkChannelTerms } from '../src/channels/rules.ts';
import { issueSessionToken } from '../src/platform/auth.ts';

describe('channel rules', () => {
  const ok = { monthlySlotCap: 31, defaultCommissionRateBp: 1000, minCommissionRateBp: 500, platformFeeRateBp: 600, leaderOverrideRateBp: 100 };
  it('accepts the defaults and refuses terms out of range or a default below the minimum', () => {
    assert.deepEqual(checkChannelTerms(ok), []);
    assert.deepEqual(checkChannelTerms({ ...ok, defaultCommissionRateBp: 500 }), []);
    assert.deepEqual(checkChannelTerms({ ...ok, minCommissionRateBp: 1001 }).map((i) => i.path), ['/defaultCommissionRateBp']);
    assert.deepEqual(checkChannelTerms({ ...ok, monthlySlotCap: 32 }).map((i) => i.path), ['/monthlySlotCap']);
    assert.deepEqual(checkChannelTerms({ ...ok, platformFeeRateBp: 10_001 }).map((i) => i.path), ['/platformFeeRateBp']);
    assert.deepEqual(checkChannelTerms({ ...ok, minCommissionRateBp: 1.5 }).map((i) => i.path), ['/minCommissionRateBp']);
    assert.deepEqual(checkChannelTerms({ ...ok, monthlySlotCap: -1 }).map((i) => i.path), ['/monthlySlotCap']);
    assert.deepEqual(checkChannelTerms({ ...ok, leaderOverrideRateBp: 10_001 }).map((i) => i.path), ['/leaderOverrideRateBp']);
  });
});

for (const store of storesUnderTest()) {
  describe(`channels on ${store}`, () => {
    let t: TestApp;
    let operator: Record<string, string>;
    let merchant: Record<string, string>;
    let counter = 0;

    before(async () => {
      t = await startTestApp(store);
      operator = (await t.signIn('operator')).headers;
      const storeId = (await api<{ store: { id: string } }>(t, 'POST', '/api/v1/merchants', operator, { storeName: '频道品牌', storeSlug: `chn-${process.pid}`, displayName: 'Staff' }, 201)).store.id;
      merchant = (await t.signIn('merchant', { storeId })).headers;
    });
    after(async () => t.close());

    it('creates a channel with default terms from a name and a vertical, through HTTP and the service', async () => {
      const created = await api<Record<string, unknown>>(t, 'POST', '/api/v1/channels', operator, { name: '宝妈团', vertical: '母婴' }, 201);
      assert.match(String(created.id), /^chn_/);
      assert.deepEqual({ ...created, id: undefined, createdAt: undefined }, {
        id: undefined, createdAt: undefined, name: '宝妈团', vertical: '母婴', updatedAt: null,
        description: '', monthlySlotCap: 31, defaultCommissionRateBp: 1000, minCommissionRateBp: 500, platformFeeRateBp: 600,
        leaderOverrideRateBp: 100, attribution: 'last_touch',
      });
      const viaService = await t.hs.services.channels.createChannel({ name: 'Menswear', vertical: '男装' });
      assert.equal(viaService.monthlySlotCap, CHANNEL_DEFAULTS.monthlySlotCap);
      assert.equal(viaService.platformFeeRateBp, CHANNEL_DEFAULTS.platformFeeRateBp);
      // A channel inserted the old way (name and vertical only) reads with the column defaults.
      await t.hs.ctx.db.insertInto('channels').values({ id: `chn_legacy_${process.pid}`, name: '旧频道', vertical: '女装', created_at: '2026-11-01T00:00:00.000Z' }).execute();
      const legacy = await api<Record<string, unknown>>(t, 'GET', `/api/v1/channels/chn_legacy_${process.pid}`, merchant, undefined, 200);
      assert.equal(legacy.minCommissionRateBp, 500);
      assert.equal(legacy.monthlySlotCap, 31);
    });

    it('takes every term, and refuses bad ones with VALIDATION_FAILED', async () => {
      const full = { name: '户外', vertical: 'outdoor', description: '徒步、露营', monthlySlotCap: 8, defaultCommissionRateBp: 1500, minCommissionRateBp: 800, platformFeeRateBp: 300, leaderOverrideRateBp: 50, attribution: 'first_touch' };
      const created = await api<Record<string, unknown>>(t, 'POST', '/api/v1/channels', operator, full, 201);
      for (const [key, value] of Object.entries(full)) assert.equal(created[key], value, key);
      const refuse = async (body: Record<string, unknown>, path?: string) => {
        const res = await t.hs.app.inject({ method: 'POST', url: '/api/v1/channels', headers: operator, payload: body });
        assert.equal(res.statusCode, 400, `${JSON.stringify(body)} -> ${res.body}`);
        assert.equal(res.json().code, 'VALIDATION_FAILED');
        if (path) assert.ok(JSON.stringify(res.json().details).includes(path), res.body);
      };
      await refuse({ ...full, minCommissionRateBp: 1600 }, '/defaultCommissionRateBp');
      await refuse({ name: 'x', vertical: 'y', defaultCommissionRateBp: 400 }, '/defaultCommissionRateBp');
      await refuse({ ...full, monthlySlotCap: 32 });
      await refuse({ ...full, platformFeeRateBp: 10_001 });
      await refuse({ ...full, defaultCommissionRateBp: 12.5 });
      await refuse({ ...full, monthlySlotCap: -1 });
      await refuse({ ...full, name: '' });
      await refuse({ ...full, feeRate: 0.06 });
      await refuse({ vertical: 'y' });
      const asMerchant = await t.hs.app.inject({ method: 'POST', url: '/api/v1/channels', headers: merchant, payload: { name: 'x', vertical: 'y' } });
      assert.equal(asMerchant.statusCode, 403);
    });

    it('reads one channel (staff and promoters) and edits it (operator)', async () => {
      const { id } = await api<{ id: string }>(t, 'POST', '/api/v1/channels', operator, { name: `编辑 ${++counter}`, vertical: '男装' }, 201);
      const promoter = (await t.signIn('promoter')).headers;
      for (const who of [operator, merchant, promoter]) assert.equal((await api<{ id: string }>(t, 'GET', `/api/v1/channels/${id}`, who, undefined, 200)).id, id);
      assert.equal((await t.hs.app.inject({ method: 'GET', url: '/api/v1/channels/chn_missing', headers: operator })).statusCode, 404);
      assert.equal((await t.hs.app.inject({ method: 'GET', url: `/api/v1/channels/${id}` })).statusCode, 401);

      t.clock.advanceMs(1000);
      const edited = await api<Record<string, unknown>>(t, 'PATCH', `/api/v1/channels/${id}`, operator, { description: '男装清仓', defaultCommissionRateBp: 2000, platformFeeRateBp: 450 }, 200);
      assert.equal(edited.description, '男装清仓');
      assert.equal(edited.defaultCommissionRateBp, 2000);
      assert.equal(edited.platformFeeRateBp, 450);
      assert.equal(edited.minCommissionRateBp, 500, 'fields left out stay');
      assert.equal(edited.updatedAt, new Date(t.clock.nowMs()).toISOString());

      // The merged terms are checked: a minimum above the stored default is refused, and nothing changes.
      const refused = await t.hs.app.inject({ method: 'PATCH', url: `/api/v1/channels/${id}`, headers: operator, payload: { minCommissionRateBp: 2500, name: '不该改名' } });
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal(refused.json().code, 'VALIDATION_FAILED');
      const after = await api<Record<string, unknown>>(t, 'GET', `/api/v1/channels/${id}`, operator, undefined, 200);
      assert.equal(after.minCommissionRateBp, 500);
      assert.equal(after.name, `编辑 ${counter}`);
      for (const [body, status] of [[{}, 400], [{ monthlySlotCap: 40 }, 400], [{ name: 'x', extra: 1 }, 400]] as const) {
        assert.equal((await t.hs.app.inject({ method: 'PATCH', url: `/api/v1/channels/${id}`, headers: operator, payload: body })).statusCode, status, JSON.stringify(body));
      }
      assert.equal((await t.hs.app.inject({ method: 'PATCH', url: '/api/v1/channels/chn_missing', headers: operator, payload: { name: 'x' } })).statusCode, 404);
      assert.equal((await t.hs.app.inject({ method: 'PATCH', url: `/api/v1/channels/${id}`, headers: merchant, payload: { name: 'x' } })).statusCode, 403);
    });

    it("changes the cap of this month and later ones, never below a month's count", async () => {
      const { id } = await api<{ id: string }>(t, 'POST', '/api/v1/channels', operator, { name: `档期 ${++counter}`, vertical: '母婴', monthlySlotCap: 3 }, 201);
      const calendar = t.hs.services.calendar;
      const holdUntilMs = t.clock.nowMs() + 3_600_000;
      for (const day of ['2026-12-01', '2026-12-02']) assert.deepEqual(await calendar.holdDay(undefined, { channelId: id, day, eventId: `evt_${day}`, holdUntilMs }), { ok: true });
      assert.deepEqual(await calendar.bookDay(undefined, { channelId: id, day: '2027-01-01', eventId: 'evt_jan' }), { ok: true });

      const tooLow = await t.hs.app.inject({ method: 'PATCH', url: `/api/v1/channels/${id}`, headers: operator, payload: { monthlySlotCap: 1, description: '不该改' } });
      assert.equal(tooLow.statusCode, 409, tooLow.body);
      assert.equal(tooLow.json().code, 'CONFLICT');
      assert.deepEqual(tooLow.json().details.months, [{ month: '2026-12', used: 2 }]);
      assert.equal((await api<{ monthlySlotCap: number; description: string }>(t, 'GET', `/api/v1/channels/${id}`, operator, undefined, 200)).monthlySlotCap, 3, 'rolled back');

      await api(t, 'PATCH', `/api/v1/channels/${id}`, operator, { monthlySlotCap: 2 }, 200);
      const december = await api<{ cap: number; used: number }>(t, 'GET', `/api/v1/channels/${id}/calendar?month=2026-12`, operator, undefined, 200);
      assert.deepEqual([december.cap, december.used], [2, 2]);
      assert.deepEqual(await calendar.holdDay(undefined, { channelId: id, day: '2026-12-03', eventId: 'evt_more', holdUntilMs }), { ok: false, code: 'MONTH_FULL' });
      // A month with no row yet takes the channel's cap when first used.
      assert.equal((await api<{ cap: number }>(t, 'GET', `/api/v1/channels/${id}/calendar?month=2027-03`, operator, undefined, 200)).cap, 2);
      await api(t, 'PATCH', `/api/v1/channels/${id}`, operator, { monthlySlotCap: 5 }, 200);
      assert.equal((await api<{ cap: number }>(t, 'GET', `/api/v1/channels/${id}/calendar?month=2027-01`, operator, undefined, 200)).cap, 5);
      assert.deepEqual(await calendar.holdDay(undefined, { channelId: id, day: '2026-12-03', eventId: 'evt_more', holdUntilMs }), { ok: true });
    });

    it('adds and removes promoters; each promoter lists their own channels', async () => {
      const a = await api<{ id: string }>(t, 'POST', '/api/v1/channels', operator, { name: `成员 A ${++counter}`, vertical: '母婴', description: '宝妈' }, 201);
      const b = await api<{ id: string }>(t, 'POST', '/api/v1/channels', operator, { name: `成员 B ${counter}`, vertical: '男装' }, 201);
      const mobile = nextMobile();
      const { promoter } = await api<{ promoter: { id: string } }>(t, 'POST', '/api/v1/promoters', operator, { mobile, displayName: '团长' }, 201);
      const promoterHeaders = (await t.signIn('promoter')).headers;
      // The promoter signs in as the user the operator added: take that user's session.
      const own = signInAs(t, promoter.id);

      const added = await api<{ channelId: string; promoterId: string; joinedAt: string }>(t, 'POST', `/api/v1/channels/${a.id}/promoters`, operator, { promoterId: promoter.id }, 201);
      assert.deepEqual({ channelId: added.channelId, promoterId: added.promoterId }, { channelId: a.id, promoterId: promoter.id });
      const again = await api<{ joinedAt: string }>(t, 'POST', `/api/v1/channels/${a.id}/promoters`, operator, { promoterId: promoter.id }, 200);
      assert.equal(again.joinedAt, added.joinedAt, 'joining twice is one membership');
      await api(t, 'POST', `/api/v1/channels/${b.id}/promoters`, operator, { promoterId: promoter.id }, 201);
      assert.equal(await t.hs.services.channels.isMember(a.id, promoter.id), true);

      const mine = await api<{ items: Array<Record<string, unknown>> }>(t, 'GET', '/api/v1/me/channels', own, undefined, 200);
      assert.deepEqual(mine.items.map((c) => c.id).sort(), [a.id, b.id].sort());
      const first = mine.items.find((c) => c.id === a.id);
      assert.deepEqual(Object.keys(first ?? {}).sort(), ['defaultCommissionRateBp', 'description', 'id', 'joinedAt', 'minCommissionRateBp', 'name', 'vertical']);
      assert.equal(first?.description, '宝妈');
      assert.deepEqual((await api<{ items: unknown[] }>(t, 'GET', '/api/v1/me/channels', promoterHeaders, undefined, 200)).items, [], "another promoter's list is their own");

      // Only promoters join; unknown channels are not found; staff and others may not manage members.
      const notPromoter = await t.hs.app.inject({ method: 'POST', url: `/api/v1/channels/${a.id}/promoters`, headers: operator, payload: { promoterId: (await t.signIn('buyer')).principal.userId } });
      assert.equal(notPromoter.statusCode, 400);
      assert.equal(notPromoter.json().code, 'VALIDATION_FAILED');
      assert.equal((await t.hs.app.inject({ method: 'POST', url: '/api/v1/channels/chn_missing/promoters', headers: operator, payload: { promoterId: promoter.id } })).statusCode, 404);
      for (const who of [merchant, own]) {
        assert.equal((await t.hs.app.inject({ method: 'POST', url: `/api/v1/channels/${a.id}/promoters`, headers: who, payload: { promoterId: promoter.id } })).statusCode, 403);
        assert.equal((await t.hs.app.inject({ method: 'DELETE', url: `/api/v1/channels/${a.id}/promoters/${promoter.id}`, headers: who })).statusCode, 403);
      }
      assert.equal((await t.hs.app.inject({ method: 'GET', url: '/api/v1/me/channels', headers: merchant })).statusCode, 403);

      assert.deepEqual(await api(t, 'DELETE', `/api/v1/channels/${a.id}/promoters/${promoter.id}`, operator, undefined, 200), { channelId: a.id, promoterId: promoter.id, removed: true });
      assert.deepEqual(await api(t, 'DELETE', `/api/v1/channels/${a.id}/promoters/${promoter.id}`, operator, undefined, 200), { channelId: a.id, promoterId: promoter.id, removed: false });
      assert.equal((await t.hs.app.inject({ method: 'DELETE', url: `/api/v1/channels/chn_missing/promoters/${promoter.id}`, headers: operator })).statusCode, 404);
      assert.deepEqual((await api<{ items: Array<{ id: string }> }>(t, 'GET', '/api/v1/me/channels', own, undefined, 200)).items.map((c) => c.id), [b.id]);
      assert.equal(await t.hs.services.channels.isMember(a.id, promoter.id), false);
    });
  });
}

/** A session for an existing user, made the way sign-in makes one. */
function signInAs(t: TestApp, userId: string): Record<string, string> {
  const token = issueSessionToken(t.hs.ctx.signer, { userId, role: 'promoter', storeId: null }, t.clock.nowMs() + 3_600_000);
  return { authorization: `Bearer ${token}` };
}

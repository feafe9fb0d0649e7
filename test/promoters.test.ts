// Promoters through HTTP on every store under test: sign-up makes a pending profile, operators vet
// (approve into channels, suspend, reinstate, ban for good; every move recorded), links follow the
// status at once, and two-level teams grow through invite codes whose uses never pass their maximum.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, nextMobile, type TestApp } from './harness.ts';
import { address, api, buildWorld, buyerWithAccess, type World } from './fixtures.ts';
import type { DevSmsSender } from '../src/accounts/sms.ts';
import { SHARE_CODE_ALPHABET } from '../src/access/rules.ts';

interface Profile {
  id: string;
  displayName: string;
  status: string;
  reason: string | null;
  wechatId: string | null;
  audienceSize: number;
  channelsWished: string[];
  isLeader: boolean;
  leader: { id: string; displayName: string } | null;
  teamJoinedAt: string | null;
}
interface Detail extends Profile {
  channelIds: string[];
  history: Array<{ from: string; to: string; reason: string; by: string; at: string }>;
}
interface Invite { code: string; maxUses: number | null; uses: number; revokedAt: string | null }

let keyCounter = 0;
const key = () => `promoters-${process.pid}-${++keyCounter}`;

for (const store of storesUnderTest()) {
  describe(`promoters on ${store}`, () => {
    let t: TestApp;
    let operator: Record<string, string>;
    let operatorId: string;
    let world: World;

    const inject = (method: 'GET' | 'POST' | 'PUT', url: string, headers: Record<string, string>, payload?: object) =>
      t.hs.app.inject({ method, url, headers, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });

    /** Signs up for real: SMS code, then verify as a promoter. */
    async function signUp(): Promise<{ headers: Record<string, string>; id: string }> {
      const mobile = nextMobile();
      await api(t, 'POST', '/api/v1/auth/otp/request', {}, { mobile, role: 'promoter' }, 200);
      const code = (t.hs.services.accounts.sms as DevSmsSender).lastCodeFor(mobile);
      const grant = await api<{ token: string; userId: string }>(t, 'POST', '/api/v1/auth/otp/verify', {}, { mobile, role: 'promoter', code }, 200);
      return { headers: { authorization: `Bearer ${grant.token}` }, id: grant.userId };
    }

    async function approved(): Promise<{ headers: Record<string, string>; id: string }> {
      const signed = await t.signIn('promoter');
      return { headers: signed.headers, id: signed.principal.userId };
    }

    const vet = (id: string, action: string, body: object, expect?: number) => api<Detail>(t, 'POST', `/api/v1/promoters/${id}/${action}`, operator, body, expect);

    async function leader(): Promise<{ headers: Record<string, string>; id: string }> {
      const made = await approved();
      assert.equal((await api<Detail>(t, 'POST', `/api/v1/promoters/${made.id}/leader`, operator, { isLeader: true }, 200)).isLeader, true);
      return made;
    }

    const invite = async (headers: Record<string, string>, maxUses?: number) =>
      api<Invite>(t, 'POST', '/api/v1/me/invites', headers, maxUses === undefined ? {} : { maxUses }, 201);

    async function refusal(res: { statusCode: number; body: string; json: () => { code: string; message: string } }, status: number, code: string): Promise<string> {
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json().code, code, res.body);
      return res.json().message;
    }

    before(async () => {
      t = await startTestApp(store);
      const signed = await t.signIn('operator');
      operator = signed.headers;
      operatorId = signed.principal.userId;
      world = await buildWorld(t);
    });
    after(async () => t.close());

    it('signs a promoter up pending, keeps their profile, and gives a pending promoter no link', async () => {
      const p = await signUp();
      const profile = await api<Profile>(t, 'GET', '/api/v1/me/promoter-profile', p.headers, undefined, 200);
      assert.equal(profile.id, p.id);
      assert.equal(profile.status, 'pending');
      assert.equal(profile.isLeader, false);
      assert.equal(profile.leader, null);
      assert.deepEqual(profile.channelsWished, []);
      await refusal(await inject('POST', `/api/v1/events/${world.eventId}/links`, p.headers), 403, 'PROMOTER_NOT_APPROVED');

      const updated = await api<Profile>(t, 'PUT', '/api/v1/me/promoter-profile', p.headers, { displayName: '宝妈 Lily', wechatId: 'lily_88', audienceSize: 500, channelsWished: [world.channelId] }, 200);
      assert.deepEqual([updated.displayName, updated.wechatId, updated.audienceSize, updated.channelsWished, updated.status], ['宝妈 Lily', 'lily_88', 500, [world.channelId], 'pending']);
      assert.equal((await api<{ displayName: string }>(t, 'GET', '/api/v1/me', p.headers, undefined, 200)).displayName, '宝妈 Lily');
      const cleared = await api<Profile>(t, 'PUT', '/api/v1/me/promoter-profile', p.headers, { displayName: '宝妈 Lily', audienceSize: 0, channelsWished: [] }, 200);
      assert.equal(cleared.wechatId, null);
      for (const bad of [
        { displayName: 'x', audienceSize: 1, channelsWished: ['chn_missing'] },
        { displayName: 'x', audienceSize: -1, channelsWished: [] },
        { displayName: 'x', audienceSize: 1.5, channelsWished: [] },
        { displayName: 'x', audienceSize: 1, channelsWished: Array.from({ length: 21 }, (_, i) => `chn_${i}`) },
        { displayName: ' ', audienceSize: 1, channelsWished: [] },
        { displayName: 'x', audienceSize: 1, channelsWished: [], status: 'approved' },
      ]) await refusal(await inject('PUT', '/api/v1/me/promoter-profile', p.headers, bad), 400, 'VALIDATION_FAILED');
      assert.equal((await api<Profile>(t, 'GET', '/api/v1/me/promoter-profile', p.headers, undefined, 200)).status, 'pending', 'nothing a promoter sends changes their status');

      // Signing in again keeps the profile as it is; the operator's own add is approved at once.
      const row = await t.hs.ctx.db.selectFrom('promoter_profiles').selectAll().where('user_id', '=', p.id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'pending');
      const added = await api<{ promoter: { id: string } }>(t, 'POST', '/api/v1/promoters', operator, { mobile: nextMobile(), displayName: '团长 Chen' }, 201);
      assert.equal((await api<Detail>(t, 'GET', `/api/v1/promoters/${added.promoter.id}`, operator, undefined, 200)).status, 'approved');
    });

    it('approval joins the wished channels (or the given ones) and allows links; lists by status, paged', async () => {
      const p = await signUp();
      await api(t, 'PUT', '/api/v1/me/promoter-profile', p.headers, { displayName: 'KOC 小王', audienceSize: 800, channelsWished: [world.channelId] }, 200);
      const pending = await api<{ items: Profile[] }>(t, 'GET', '/api/v1/promoters?status=pending&limit=200', operator, undefined, 200);
      assert.ok(pending.items.some((i) => i.id === p.id && i.audienceSize === 800));
      assert.ok(pending.items.every((i) => i.status === 'pending'));

      const done = await vet(p.id, 'approve', {}, 200);
      assert.equal(done.status, 'approved');
      assert.deepEqual(done.channelIds, [world.channelId]);
      assert.deepEqual(done.history.map((h) => [h.from, h.to, h.by]), [['pending', 'approved', operatorId]]);
      const link = await api<{ shareCode: string }>(t, 'POST', `/api/v1/events/${world.eventId}/links`, p.headers, undefined, 200);
      assert.equal(link.shareCode.length, 8);
      await refusal(await inject('POST', `/api/v1/promoters/${p.id}/approve`, operator, {}), 409, 'CONFLICT');

      // Given channels replace the wished ones; a link to another channel's event is refused.
      const other = await api<{ id: string }>(t, 'POST', '/api/v1/channels', operator, { name: '母婴', vertical: 'baby' }, 201);
      const q = await signUp();
      await api(t, 'PUT', '/api/v1/me/promoter-profile', q.headers, { displayName: 'Q', audienceSize: 1, channelsWished: [world.channelId] }, 200);
      await refusal(await inject('POST', `/api/v1/promoters/${q.id}/approve`, operator, { channelIds: ['chn_missing'] }), 400, 'VALIDATION_FAILED');
      assert.deepEqual((await vet(q.id, 'approve', { channelIds: [other.id], reason: '母婴群主' }, 200)).channelIds, [other.id]);
      await refusal(await inject('POST', `/api/v1/events/${world.eventId}/links`, q.headers), 403, 'NOT_CHANNEL_MEMBER');

      // Pages: oldest first, each page's next continues where it stopped, nothing twice.
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 50; page++) {
        const res: { items: Profile[]; next: string | null } = await api(t, 'GET', `/api/v1/promoters?status=approved&limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`, operator, undefined, 200);
        seen.push(...res.items.map((i) => i.id));
        after = res.next;
        if (!after) break;
      }
      assert.equal(new Set(seen).size, seen.length);
      assert.ok(seen.includes(p.id) && seen.includes(q.id));
      await refusal(await inject('GET', '/api/v1/promoters?status=bogus', operator), 400, 'VALIDATION_FAILED');
      await refusal(await inject('GET', '/api/v1/promoters/usr_missing', operator), 404, 'NOT_FOUND');
    });

    it('suspension stops an existing link, code and access at once, paid orders stand; reinstatement restores', async () => {
      const w = await buildWorld(t);
      const promoterId = (await api<{ id: string }>(t, 'GET', '/api/v1/me', w.promoter, undefined, 200)).id;
      const buyer = await buyerWithAccess(t, w);
      const order = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'idempotency-key': key() }, { offerId: w.offerId, quantity: 1, address }, 201);
      const payment = await api<{ payUrl: string }>(t, 'POST', `/api/v1/orders/${order.id}/pay`, { ...buyer.headers, 'idempotency-key': key() }, { provider: 'sandbox' }, 200);
      await api(t, 'POST', `/api/v1/sandbox/payments/${payment.payUrl.split('/').pop()}/confirm`, {}, undefined, 200);
      t.clock.advanceMs(t.config.sandboxNotifyDelayMs * 3 + 2000);
      await t.hs.ctx.jobs.runOnce();
      assert.equal((await api<{ status: string }>(t, 'GET', `/api/v1/orders/${order.id}`, buyer.headers, undefined, 200)).status, 'paid');
      // Both are cached now: the suspension must reach the cache, not wait for it to age.
      await api(t, 'POST', '/api/v1/access', {}, { link: w.link.token }, 200);
      await api(t, 'POST', '/api/v1/access', {}, { code: w.link.shareText }, 200);

      await refusal(await inject('POST', `/api/v1/promoters/${promoterId}/suspend`, operator, {}), 400, 'VALIDATION_FAILED');
      assert.equal((await vet(promoterId, 'suspend', { reason: '刷单嫌疑' }, 200)).reason, '刷单嫌疑');
      await refusal(await inject('POST', '/api/v1/access', {}, { link: w.link.token }), 404, 'ACCESS_INVALID');
      await refusal(await inject('POST', '/api/v1/access', {}, { code: w.link.shareText }), 404, 'ACCESS_INVALID');
      await refusal(await inject('GET', `/api/v1/events/${w.eventId}/offers`, buyer.headers), 403, 'ACCESS_MISSING');
      await refusal(await inject('POST', `/api/v1/events/${w.eventId}/links`, w.promoter), 403, 'PROMOTER_NOT_APPROVED');
      assert.equal((await api<Profile>(t, 'GET', '/api/v1/me/promoter-profile', w.promoter, undefined, 200)).status, 'suspended');
      assert.equal((await api<{ status: string }>(t, 'GET', `/api/v1/orders/${order.id}`, buyer.headers, undefined, 200)).status, 'paid', 'paid orders stand');

      await vet(promoterId, 'reinstate', { reason: '申诉通过' }, 200);
      await api(t, 'POST', '/api/v1/access', {}, { link: w.link.token }, 200);
      await api(t, 'POST', '/api/v1/access', {}, { code: w.link.shareText }, 200);
      await api(t, 'GET', `/api/v1/events/${w.eventId}/offers`, buyer.headers, undefined, 200);
    });

    it('a ban is final, and every move is in the history', async () => {
      const p = await signUp();
      await vet(p.id, 'approve', { channelIds: [world.channelId] }, 200);
      const link = await api<{ token: string }>(t, 'POST', `/api/v1/events/${world.eventId}/links`, p.headers, undefined, 200);
      await refusal(await inject('POST', `/api/v1/promoters/${p.id}/reinstate`, operator, { reason: 'x' }), 409, 'CONFLICT');
      await vet(p.id, 'suspend', { reason: 'one' }, 200);
      await refusal(await inject('POST', `/api/v1/promoters/${p.id}/suspend`, operator, { reason: 'again' }), 409, 'CONFLICT');
      await vet(p.id, 'reinstate', { reason: 'two' }, 200);
      const banned = await vet(p.id, 'ban', { reason: 'three' }, 200);
      assert.equal(banned.status, 'banned');
      await refusal(await inject('POST', '/api/v1/access', {}, { link: link.token }), 404, 'ACCESS_INVALID');
      for (const action of ['reinstate', 'approve', 'suspend', 'ban']) {
        const message = await refusal(await inject('POST', `/api/v1/promoters/${p.id}/${action}`, operator, { reason: 'appeal' }), 409, 'CONFLICT');
        assert.match(message, /final/);
      }
      const detail = await api<Detail>(t, 'GET', `/api/v1/promoters/${p.id}`, operator, undefined, 200);
      assert.deepEqual(detail.history.map((h) => [h.from, h.to, h.reason, h.by]), [
        ['approved', 'banned', 'three', operatorId],
        ['suspended', 'approved', 'two', operatorId],
        ['approved', 'suspended', 'one', operatorId],
        ['pending', 'approved', '', operatorId],
      ]);
      const rows = await t.hs.ctx.db.selectFrom('promoter_status_changes').select(['from_status', 'to_status']).where('promoter_id', '=', p.id).orderBy('id').execute();
      assert.deepEqual(rows.map((r) => `${r.from_status}>${r.to_status}`), ['pending>approved', 'approved>suspended', 'suspended>approved', 'approved>banned']);
      // A pending applicant can be banned straight away (refused for good).
      const q = await signUp();
      assert.equal((await vet(q.id, 'ban', { reason: 'fake account' }, 200)).status, 'banned');
    });

    it('leaders make invite codes; promoters join with one; teams have two levels', async () => {
      const lead = await leader();
      const code = await invite(lead.headers, 5);
      assert.match(code.code, new RegExp(`^[${SHARE_CODE_ALPHABET}]{8}$`));
      assert.deepEqual([code.maxUses, code.uses, code.revokedAt], [5, 0, null]);
      assert.deepEqual((await api<{ items: Invite[] }>(t, 'GET', '/api/v1/me/invites', lead.headers, undefined, 200)).items.map((i) => i.code), [code.code]);

      // A newcomer, still pending, joins with the code typed loosely.
      const member = await signUp();
      const joined = await api<Profile>(t, 'POST', '/api/v1/me/team/join', member.headers, { inviteCode: ` ${code.code.toLowerCase()} ` }, 200);
      assert.equal(joined.leader?.id, lead.id);
      assert.equal(joined.teamJoinedAt, new Date(t.clock.nowMs()).toISOString());
      const message = await refusal(await inject('POST', '/api/v1/me/team/join', member.headers, { inviteCode: code.code }), 409, 'TEAM_ALREADY_JOINED');
      assert.match(message, /no switching/);

      // Two levels: a member never leads, a leader never joins (not even their own team).
      await vet(member.id, 'approve', {}, 200);
      await refusal(await inject('POST', `/api/v1/promoters/${member.id}/leader`, operator, { isLeader: true }), 409, 'TEAM_DEPTH');
      const otherLead = await leader();
      await refusal(await inject('POST', '/api/v1/me/team/join', otherLead.headers, { inviteCode: code.code }), 409, 'TEAM_DEPTH');
      await refusal(await inject('POST', '/api/v1/me/team/join', lead.headers, { inviteCode: code.code }), 409, 'TEAM_DEPTH');
      assert.equal((await api<{ items: Invite[] }>(t, 'GET', '/api/v1/me/invites', lead.headers, undefined, 200)).items[0]?.uses, 1, 'refused joins used nothing');
      // The table itself refuses a third level, whatever the code does.
      await assert.rejects(t.hs.ctx.db.updateTable('promoter_profiles').set({ is_leader: 1 }).where('user_id', '=', member.id).execute());

      // A leader with members stays one; a pending promoter cannot lead; only leaders invite.
      await refusal(await inject('POST', `/api/v1/promoters/${lead.id}/leader`, operator, { isLeader: false }), 409, 'CONFLICT');
      const newcomer = await signUp();
      await refusal(await inject('POST', `/api/v1/promoters/${newcomer.id}/leader`, operator, { isLeader: true }), 403, 'PROMOTER_NOT_APPROVED');
      await refusal(await inject('POST', '/api/v1/me/invites', newcomer.headers, {}), 403, 'NOT_TEAM_LEADER');
      assert.equal((await api<Detail>(t, 'POST', `/api/v1/promoters/${otherLead.id}/leader`, operator, { isLeader: false }, 200)).isLeader, false, 'a leader without members can step down');
      assert.equal((await api<Profile>(t, 'GET', '/api/v1/me/promoter-profile', member.headers, undefined, 200)).leader?.displayName, (await api<Profile>(t, 'GET', '/api/v1/me/promoter-profile', lead.headers, undefined, 200)).displayName);
    });

    it('refuses a revoked, used-up or unknown code, and a suspended promoter or leader', async () => {
      const lead = await leader();
      const once = await invite(lead.headers, 1);
      await api(t, 'POST', '/api/v1/me/team/join', (await signUp()).headers, { inviteCode: once.code }, 200);
      await refusal(await inject('POST', '/api/v1/me/team/join', (await signUp()).headers, { inviteCode: once.code }), 404, 'INVITE_INVALID');

      const revoked = await invite(lead.headers);
      assert.equal(revoked.maxUses, null);
      assert.ok((await api<Invite>(t, 'POST', `/api/v1/me/invites/${revoked.code}/revoke`, lead.headers, undefined, 200)).revokedAt);
      await refusal(await inject('POST', '/api/v1/me/team/join', (await signUp()).headers, { inviteCode: revoked.code }), 404, 'INVITE_INVALID');
      for (const bogus of ['ZZZZZZZZ', 'short', '00000000']) await refusal(await inject('POST', '/api/v1/me/team/join', (await signUp()).headers, { inviteCode: bogus }), 404, 'INVITE_INVALID');

      // A suspended member may not join; a suspended leader's codes stop working.
      const open = await invite(lead.headers);
      const suspended = await approved();
      await vet(suspended.id, 'suspend', { reason: 'x' }, 200);
      await refusal(await inject('POST', '/api/v1/me/team/join', suspended.headers, { inviteCode: open.code }), 403, 'PROMOTER_NOT_APPROVED');
      await vet(lead.id, 'suspend', { reason: 'y' }, 200);
      await refusal(await inject('POST', '/api/v1/me/team/join', (await signUp()).headers, { inviteCode: open.code }), 404, 'INVITE_INVALID');
      await refusal(await inject('POST', '/api/v1/me/invites', lead.headers, {}), 403, 'PROMOTER_NOT_APPROVED');
      await vet(lead.id, 'reinstate', { reason: 'z' }, 200);
      await api(t, 'POST', '/api/v1/me/team/join', (await signUp()).headers, { inviteCode: open.code }, 200);
    });

    it('of 10 promoters joining at once with a code of 3 uses, exactly 3 get in', async () => {
      const lead = await leader();
      const code = await invite(lead.headers, 3);
      const joiners = await Promise.all(Array.from({ length: 10 }, () => approved()));
      const results = await Promise.all(joiners.map((j) => inject('POST', '/api/v1/me/team/join', j.headers, { inviteCode: code.code })));
      const statuses = results.map((r) => r.statusCode).sort();
      assert.deepEqual(statuses, [200, 200, 200, 404, 404, 404, 404, 404, 404, 404], results.map((r) => r.body).join('\n'));
      assert.ok(results.filter((r) => r.statusCode === 404).every((r) => r.json().code === 'INVITE_INVALID'));
      const row = await t.hs.ctx.db.selectFrom('promoter_invites').select(['uses', 'max_uses']).where('code', '=', code.code).executeTakeFirstOrThrow();
      assert.deepEqual([Number(row.uses), row.max_uses], [3, 3]);
      const team = await api<{ members: Array<{ id: string }> }>(t, 'GET', '/api/v1/me/team', lead.headers, undefined, 200);
      assert.equal(team.members.length, 3);
      const winners = new Set(results.flatMap((r, i) => (r.statusCode === 200 ? [joiners[i]?.id] : [])));
      assert.deepEqual(new Set(team.members.map((m) => m.id)), winners);
    });

    it("shows a leader their team: status, joined date, paid orders and paid GMV in fen", async () => {
      const lead = await leader();
      const code = await invite(lead.headers);
      const w = await buildWorld(t);
      const sellerId = (await api<{ id: string }>(t, 'GET', '/api/v1/me', w.promoter, undefined, 200)).id;
      await api(t, 'POST', '/api/v1/me/team/join', w.promoter, { inviteCode: code.code }, 200);
      const idle = await signUp();
      await api(t, 'POST', '/api/v1/me/team/join', idle.headers, { inviteCode: code.code }, 200);

      const buyer = await buyerWithAccess(t, w);
      const paid = await api<{ id: number; totalFen: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'idempotency-key': key() }, { offerId: w.offerId, quantity: 2, address }, 201);
      const payment = await api<{ payUrl: string }>(t, 'POST', `/api/v1/orders/${paid.id}/pay`, { ...buyer.headers, 'idempotency-key': key() }, { provider: 'sandbox' }, 200);
      await api(t, 'POST', `/api/v1/sandbox/payments/${payment.payUrl.split('/').pop()}/confirm`, {}, undefined, 200);
      t.clock.advanceMs(t.config.sandboxNotifyDelayMs * 3 + 2000);
      await t.hs.ctx.jobs.runOnce();
      // An unpaid order counts for nothing.
      const other = await buyerWithAccess(t, w);
      await api(t, 'POST', '/api/v1/orders', { ...other.headers, 'idempotency-key': key() }, { offerId: w.offerId, quantity: 1, address }, 201);

      const team = await api<{ members: Array<{ id: string; status: string; joinedAt: string; paidOrders: number; paidGmvFen: number }> }>(t, 'GET', '/api/v1/me/team', lead.headers, undefined, 200);
      const byId = new Map(team.members.map((m) => [m.id, m]));
      assert.deepEqual(byId.get(sellerId) && [byId.get(sellerId)?.status, byId.get(sellerId)?.paidOrders, byId.get(sellerId)?.paidGmvFen], ['approved', 1, 2 * 12_345]);
      assert.deepEqual(byId.get(idle.id) && [byId.get(idle.id)?.status, byId.get(idle.id)?.paidOrders, byId.get(idle.id)?.paidGmvFen], ['pending', 0, 0]);
      assert.ok(team.members.every((m) => typeof m.joinedAt === 'string'));
      const page = await api<{ members: unknown[]; next: string | null }>(t, 'GET', '/api/v1/me/team?limit=1', lead.headers, undefined, 200);
      assert.equal(page.members.length, 1);
      assert.ok(page.next);
    });

    it("keeps promoters apart and vetting to operators", async () => {
      const lead = await leader();
      const code = await invite(lead.headers);
      await api(t, 'POST', '/api/v1/me/team/join', (await approved()).headers, { inviteCode: code.code }, 200);
      const stranger = await approved();
      assert.deepEqual((await api<{ items: Invite[] }>(t, 'GET', '/api/v1/me/invites', stranger.headers, undefined, 200)).items, []);
      await refusal(await inject('POST', `/api/v1/me/invites/${code.code}/revoke`, stranger.headers), 404, 'NOT_FOUND');
      await refusal(await inject('GET', '/api/v1/me/team', stranger.headers), 403, 'NOT_TEAM_LEADER');
      const otherLead = await leader();
      assert.deepEqual((await api<{ members: unknown[] }>(t, 'GET', '/api/v1/me/team', otherLead.headers, undefined, 200)).members, []);
      await refusal(await inject('POST', `/api/v1/me/invites/${code.code}/revoke`, otherLead.headers), 404, 'NOT_FOUND');
      assert.equal((await api<{ items: Invite[] }>(t, 'GET', '/api/v1/me/invites', lead.headers, undefined, 200)).items[0]?.revokedAt, null, "the leader's code still works");

      const merchant = (await t.signIn('merchant', { storeId: world.storeId })).headers;
      const buyer = (await t.signIn('buyer')).headers;
      for (const who of [merchant, stranger.headers, buyer]) {
        await refusal(await inject('GET', '/api/v1/promoters', who), 403, 'FORBIDDEN');
        await refusal(await inject('GET', `/api/v1/promoters/${stranger.id}`, who), 403, 'FORBIDDEN');
        await refusal(await inject('POST', `/api/v1/promoters/${stranger.id}/suspend`, who, { reason: 'x' }), 403, 'FORBIDDEN');
        await refusal(await inject('POST', `/api/v1/promoters/${stranger.id}/leader`, who, { isLeader: true }), 403, 'FORBIDDEN');
      }
      assert.equal((await api<Profile>(t, 'GET', '/api/v1/me/promoter-profile', stranger.headers, undefined, 200)).status, 'approved');
      await refusal(await inject('GET', '/api/v1/me/promoter-profile', buyer), 403, 'FORBIDDEN');
    });
  });
}

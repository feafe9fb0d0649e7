// Notifications on every store under test: a notify written once per dedupe key (repeats, two
// servers at once, inside a caller's transaction that rolls back), notices per audience, and the
// outbox drained through a sender that fails, backs off, retries and gives up at the cap.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, nextMobile, type TestApp } from './harness.ts';
import { api, buildWorld } from './fixtures.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createNotificationsService } from '../src/notifications/service.ts';
import { maskEmail, noticeText, NOTICE_KINDS, retryDelayMs, targetKey } from '../src/notifications/rules.ts';
import type { OutboxMessage, OutboxSender } from '../src/notifications/sender.ts';

describe('notification rules', () => {
  it('says every kind in both languages without a price', () => {
    for (const kind of NOTICE_KINDS) {
      const text = noticeText(kind, { eventTitle: '冬季清仓', storeName: '品牌', startsAt: '2026-11-25T02:00:00.000Z', endsAt: '2026-11-25T14:00:00.000Z', productTitle: '羽绒服', skuCode: 'JK-1', reason: '日期已满' });
      for (const part of Object.values(text)) assert.ok(part.length > 0, kind);
    }
    assert.match(noticeText('approved', { eventTitle: 'x', startsAt: '2026-11-25T02:00:00.000Z' }).bodyZh, /2026\/11\/25 10:00/, 'times in Asia/Shanghai');
  });
  it('backs off 10 s, 20 s, 40 s ... up to 15 minutes, and keys one row per target', () => {
    assert.deepEqual([1, 2, 3, 4].map(retryDelayMs), [10_000, 20_000, 40_000, 80_000]);
    assert.equal(retryDelayMs(50), 15 * 60_000);
    assert.notEqual(targetKey('k', { store: 'a' }), targetKey('k', { user: 'a' }));
    assert.equal(maskEmail('someone@example.com'), 's***@example.com');
  });
});

for (const store of storesUnderTest()) {
  describe(`notifications on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store, { limits: { ...loadConfig({}).limits, outboxMaxAttempts: 3 } });
    });
    after(async () => t.close());

    const count = async (table: 'notices' | 'outbox', prefix: string) =>
      (await t.hs.ctx.db.selectFrom(table).select('dedupe_key').execute()).filter((r) => r.dedupe_key.startsWith(prefix)).length;

    it('writes an emission once however often and from however many servers it is sent', async () => {
      const world = await buildWorld(t);
      const { notifications } = t.hs.services;
      const key = `test:${store}:approved:${world.eventId}`;
      const input = { kind: 'approved' as const, dedupeKey: key, storeId: world.storeId, platform: true, facts: { eventTitle: '冬季清仓' }, data: { eventId: world.eventId }, sms: [{ mobile: nextMobile(), text: '您的品牌日已通过审核' }] };
      const first = await notifications.notify(undefined, input);
      assert.deepEqual(first, { notices: 2, messages: 1 });
      assert.deepEqual(await notifications.notify(undefined, input), { notices: 0, messages: 0 });
      const peer = await t.startPeer();
      const racing = `${key}:race`;
      const results = await Promise.all([
        ...Array.from({ length: 5 }, () => notifications.notify(undefined, { ...input, dedupeKey: racing })),
        ...Array.from({ length: 5 }, () => peer.services.notifications.notify(undefined, { ...input, dedupeKey: racing })),
      ]);
      assert.equal(results.reduce((n, r) => n + r.notices, 0), 2);
      assert.equal(results.reduce((n, r) => n + r.messages, 0), 1);
      assert.equal(await count('notices', racing), 2);
      assert.equal(await count('outbox', racing), 1);

      // Inside a caller's transaction: gone with it when it rolls back.
      const rolledBack = `${key}:rollback`;
      await assert.rejects(t.hs.ctx.db.transaction().execute(async (trx) => {
        await notifications.notify(trx, { ...input, dedupeKey: rolledBack });
        throw new Error('the caller changed its mind');
      }));
      assert.equal(await count('notices', rolledBack), 0);
      assert.equal(await count('outbox', rolledBack), 0);
    });

    it('shows a store its notices, operators the platform, users their own; marks them read', async () => {
      const world = await buildWorld(t);
      const other = await buildWorld(t);
      const merchant = await t.signIn('merchant', { storeId: world.storeId });
      const stranger = await t.signIn('merchant', { storeId: other.storeId });
      const promoter = await t.signIn('promoter');
      const { notifications } = t.hs.services;
      await notifications.notify(undefined, { kind: 'rejected', dedupeKey: `vis:${world.eventId}`, storeId: world.storeId, userIds: [promoter.principal.userId], facts: { eventTitle: '冬季清仓', reason: '日期已满' }, data: { eventId: world.eventId } });
      await notifications.notify(undefined, { kind: 'submitted', dedupeKey: `vis:sub:${world.eventId}`, platform: true, data: { eventId: world.eventId } });

      const mine = await api<{ items: Array<{ id: string; kind: string; body: { zh: string; en: string }; readAt: string | null }> }>(t, 'GET', '/api/v1/me/notices', merchant.headers, undefined, 200);
      assert.deepEqual(mine.items.map((n) => n.kind), ['rejected']);
      assert.match(mine.items[0]?.body.zh ?? '', /日期已满/);
      const theirs = await api<{ items: unknown[] }>(t, 'GET', '/api/v1/me/notices', stranger.headers, undefined, 200);
      assert.equal(theirs.items.length, 0);
      const own = await api<{ items: Array<{ kind: string }> }>(t, 'GET', '/api/v1/me/notices', promoter.headers, undefined, 200);
      assert.deepEqual(own.items.map((n) => n.kind), ['rejected']);
      const operator = await api<{ items: Array<{ kind: string; data: { eventId?: string } }> }>(t, 'GET', '/api/v1/me/notices?limit=100', world.operator, undefined, 200);
      assert.deepEqual(operator.items.filter((n) => n.data.eventId === world.eventId).map((n) => n.kind), ['submitted']);

      const id = mine.items[0]?.id as string;
      const refused = await t.hs.app.inject({ method: 'POST', url: `/api/v1/me/notices/${id}/read`, headers: stranger.headers });
      assert.equal(refused.statusCode, 404);
      const read = await api<{ readAt: string | null }>(t, 'POST', `/api/v1/me/notices/${id}/read`, merchant.headers, undefined, 200);
      assert.equal(read.readAt, new Date(t.clock.nowMs()).toISOString());
      t.clock.advanceMs(1000);
      const again = await api<{ readAt: string | null }>(t, 'POST', `/api/v1/me/notices/${id}/read`, merchant.headers, undefined, 200);
      assert.equal(again.readAt, read.readAt, 'the first read is kept');
      const unread = await api<{ items: unknown[] }>(t, 'GET', '/api/v1/me/notices?unread=true', merchant.headers, undefined, 200);
      assert.equal(unread.items.length, 0);
    });

    it('retries a failing send with backoff until it goes through, and gives up at the cap', async () => {
      const tries: OutboxMessage[] = [];
      let failuresLeft = 2;
      const flaky: OutboxSender = {
        async send(message) {
          tries.push(message);
          if (message.recipient.endsWith('0000')) throw new Error('provider says no');
          if (failuresLeft-- > 0) throw new Error('provider timeout');
        },
      };
      // A service of our own over the same database, with the failing sender; drained by hand.
      const service = createNotificationsService(t.hs.ctx, flaky);
      await t.hs.ctx.db.updateTable('outbox').set({ status: 'sent' }).where('status', '=', 'pending').execute();
      await service.notify(undefined, { kind: 'approved', dedupeKey: `flaky:${store}`, sms: [{ mobile: '13912340001', text: '已通过' }, { mobile: '13912340000', text: '已通过' }] });
      const row = async (mobile: string) => t.hs.ctx.db.selectFrom('outbox').selectAll().where('recipient', '=', mobile).where('dedupe_key', 'like', `flaky:${store}%`).executeTakeFirstOrThrow();

      assert.equal(await service.drainOutbox(), 2);
      assert.equal((await row('13912340001')).status, 'pending');
      assert.equal((await row('13912340001')).attempts, 1);
      assert.equal(await service.drainOutbox(), 0, 'not again before its backoff');
      t.clock.advanceMs(10_000);
      assert.equal(await service.drainOutbox(), 2);
      t.clock.advanceMs(19_999);
      assert.equal(await service.drainOutbox(), 0);
      t.clock.advanceMs(1);
      assert.equal(await service.drainOutbox(), 2);
      const sent = await row('13912340001');
      assert.equal(sent.status, 'sent');
      assert.equal(sent.attempts, 3);
      assert.equal(sent.sent_at, new Date(t.clock.nowMs()).toISOString());
      const failed = await row('13912340000');
      assert.equal(failed.status, 'failed', 'gave up after outboxMaxAttempts (3)');
      assert.equal(failed.last_error, 'provider says no');
      t.clock.advanceMs(3_600_000);
      assert.equal(await service.drainOutbox(), 0, 'nothing is sent twice or after giving up');
      assert.equal(tries.filter((m) => m.recipient === '13912340001').map((m) => m.attempt).join(','), '1,2,3');
    });
  });
}

// Fraud flags on paid orders, on every store under test: one phone (buyer) or one address buying
// an event through many promoters is flagged once; fewer is not; operators list and resolve flags.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { address, anotherPromoterLink, api, buildWorld, payOrder, type World } from './fixtures.ts';

interface Flag {
  id: number;
  kind: string;
  eventId: string;
  buyerId: string;
  detail: { promoterIds?: string[]; resolutionNote?: string };
  resolvedAt: string | null;
}

async function flagsOf(t: TestApp, operator: Record<string, string>, eventId: string): Promise<Flag[]> {
  return (await api<{ items: Flag[] }>(t, 'GET', `/api/v1/fraud-flags?eventId=${eventId}`, operator, undefined, 200)).items;
}

for (const store of storesUnderTest()) {
  describe(`fraud flags on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    /** Promoter link tokens of the world's event: its own and `more` others. */
    async function links(world: World, more: number): Promise<string[]> {
      const tokens = [world.link.token];
      for (let i = 0; i < more; i++) tokens.push((await anotherPromoterLink(t, world)).token);
      return tokens;
    }

    async function buy(buyerHeaders: Record<string, string>, world: World, linkToken: string, shipTo = address): Promise<number> {
      const opened = await api<{ accessToken: string }>(t, 'POST', '/api/v1/access', {}, { link: linkToken }, 200);
      const order = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyerHeaders, 'x-hushsale-access': opened.accessToken, 'idempotency-key': `fraud-${Math.random()}` },
        { offerId: world.offerId, quantity: 1, address: shipTo }, 201);
      await payOrder(t, buyerHeaders, order.id);
      return order.id;
    }

    it('flags one buyer who bought through three promoters, once, and not at two', async () => {
      const world = await buildWorld(t, { perBuyerLimit: 10 });
      const tokens = await links(world, 3);
      const buyer = await t.signIn('buyer');
      await buy(buyer.headers, world, tokens[0] as string, { ...address, detail: '一号路 1 号' });
      await buy(buyer.headers, world, tokens[1] as string, { ...address, detail: '二号路 2 号' });
      await buy(buyer.headers, world, tokens[1] as string, { ...address, detail: '三号路 3 号' });
      assert.deepEqual(await flagsOf(t, world.operator, world.eventId), [], 'two promoters are not a pattern');
      await buy(buyer.headers, world, tokens[2] as string, { ...address, detail: '四号路 4 号' });
      await buy(buyer.headers, world, tokens[3] as string, { ...address, detail: '五号路 5 号' });
      const flags = await flagsOf(t, world.operator, world.eventId);
      assert.equal(flags.length, 1, 'raised once, not again for the fourth promoter');
      assert.equal(flags[0]?.kind, 'many_promoters_phone');
      assert.equal(flags[0]?.buyerId, buyer.principal.userId);
      assert.equal(flags[0]?.detail.promoterIds?.length, 3);
      const notices = await api<{ items: Array<{ kind: string; data: Record<string, unknown> }> }>(t, 'GET', '/api/v1/me/notices', world.operator, undefined, 200);
      const told = notices.items.filter((n) => n.kind === 'fraud_flag' && n.data.eventId === world.eventId);
      assert.equal(told.length, 1, 'the operators are told once');
    });

    it('flags one address, however typed, that many buyers reached through three promoters', async () => {
      const world = await buildWorld(t);
      const tokens = await links(world, 2);
      const typed = ['文三路 1 号 3 单元', '文三路1号3单元', '文三路１号，３单元'];
      for (let i = 0; i < 3; i++) {
        const buyer = await t.signIn('buyer');
        await buy(buyer.headers, world, tokens[i] as string, { ...address, name: `买家${i}`, detail: typed[i] as string });
      }
      const flags = await flagsOf(t, world.operator, world.eventId);
      assert.deepEqual(flags.map((f) => f.kind), ['many_promoters_address']);
    });

    it('lets an operator resolve a flag with a note, once; others may not read flags', async () => {
      const world = await buildWorld(t, { perBuyerLimit: 10 });
      const tokens = await links(world, 2);
      const buyer = await t.signIn('buyer');
      for (const [i, token] of tokens.entries()) await buy(buyer.headers, world, token, { ...address, detail: `路 ${i} 号` });
      const [flag] = await flagsOf(t, world.operator, world.eventId);
      assert.ok(flag);
      const resolved = await api<Flag>(t, 'POST', `/api/v1/fraud-flags/${flag.id}/resolve`, world.operator, { note: '核实为家庭团购 family group order' }, 200);
      assert.ok(resolved.resolvedAt);
      assert.equal(resolved.detail.resolutionNote, '核实为家庭团购 family group order');
      assert.deepEqual(resolved.detail.promoterIds, flag.detail.promoterIds, 'the evidence stays');
      const again = await api<Flag>(t, 'POST', `/api/v1/fraud-flags/${flag.id}/resolve`, world.operator, { note: 'second' }, 200);
      assert.equal(again.resolvedAt, resolved.resolvedAt);
      assert.equal(again.detail.resolutionNote, resolved.detail.resolutionNote);
      const open = await api<{ items: Flag[] }>(t, 'GET', `/api/v1/fraud-flags?status=open&eventId=${world.eventId}`, world.operator, undefined, 200);
      assert.equal(open.items.length, 0);
      const merchant = (await t.signIn('merchant', { storeId: world.storeId })).headers;
      for (const headers of [merchant, world.promoter, buyer.headers]) {
        const res = await t.hs.app.inject({ method: 'GET', url: '/api/v1/fraud-flags', headers });
        assert.equal(res.statusCode, 403);
      }
    });
  });
}

// The promoter's share kit through HTTP on every store under test: kit contents and headers, who
// may have one and from when, the poster (a real PNG whose QR modules are the link's), its cache and
// bad pictures, copy templates (CRUD, validation, isolation), and bulk links (one per member, once,
// under concurrent calls, unique codes).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { api, buildWorld, type World } from './fixtures.ts';
import { defaultLimits } from '../src/platform/config.ts';
import { isoUtc } from '../src/platform/clock.ts';
import { newId } from '../src/platform/ids.ts';
import { POSTER_HEIGHT, POSTER_WIDTH, qrMatrix, qrPlacement } from '../src/sharekit/poster.ts';
import { insertLinksSkippingConflicts, promotersWithLink } from '../src/sharekit/store.ts';
import type { Kit } from '../src/sharekit/service.ts';

type Res = { statusCode: number; body: string; rawPayload: Buffer; headers: Record<string, unknown>; json(): Record<string, unknown> };

/** Makes the user an approved member of the channel (idempotent: the fixtures may already have). */
async function makeMember(t: TestApp, channelId: string, userId: string): Promise<void> {
  const nowIso = isoUtc(t.clock.nowMs());
  await t.hs.ctx.db.insertInto('promoter_profiles').values({ user_id: userId, status: 'approved', status_reason: null, wechat_id: null, leader_id: null, invite_code: null, created_at: nowIso, updated_at: nowIso })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ status: 'approved' })).execute();
  await t.hs.ctx.db.insertInto('channel_promoters').values({ channel_id: channelId, promoter_id: userId, joined_at: nowIso }).onConflict((oc) => oc.doNothing()).execute();
}

async function userIdOf(t: TestApp, headers: Record<string, string>): Promise<string> {
  return (await api<{ id: string }>(t, 'GET', '/api/v1/me', headers, undefined, 200)).id;
}

async function get(t: TestApp, url: string, headers: Record<string, string>): Promise<Res> {
  return t.hs.app.inject({ method: 'GET', url, headers }) as unknown as Promise<Res>;
}

function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.equal(png.subarray(12, 16).toString('ascii'), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Reads the poster's QR back from its pixels (module centres) and compares it with the link's QR. */
async function assertQrIs(png: Buffer, url: string): Promise<void> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const matrix = qrMatrix(url);
  const place = qrPlacement(matrix.size);
  const pixels = ctx.getImageData(0, 0, image.width, image.height).data;
  let wrong = 0;
  for (let row = 0; row < matrix.size; row++) {
    for (let col = 0; col < matrix.size; col++) {
      const x = place.x + col * place.moduleSize + Math.floor(place.moduleSize / 2);
      const y = place.y + row * place.moduleSize + Math.floor(place.moduleSize / 2);
      const dark = (pixels[(y * image.width + x) * 4] as number) < 128;
      if (dark !== matrix.isDark(row, col)) wrong += 1;
    }
  }
  assert.equal(wrong, 0, `${wrong} QR modules differ from the link's`);
  assert.ok(place.moduleSize >= 4, 'modules big enough to scan');
}

/** Serves pictures for posters: good, broken, slow, huge, redirecting and not an image. */
async function pictureServer(): Promise<{ base: string; hits: Map<string, number>; close(): Promise<void> }> {
  const canvas = createCanvas(400, 500);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#203050';
  ctx.fillRect(0, 0, 400, 500);
  const good = await canvas.encode('png');
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
    if (req.url === '/good.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(good);
    if (req.url === '/broken.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from('not a png at all'));
    if (req.url === '/huge.png') return res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(50 * 1024 * 1024) }).end();
    if (req.url === '/redirect.png') return res.writeHead(302, { location: '/good.png' }).end();
    if (req.url === '/page.html') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
    if (req.url === '/slow.png') return void setTimeout(() => res.writeHead(200, { 'content-type': 'image/png' }).end(good), 2000);
    return res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, hits, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

for (const store of storesUnderTest()) {
  describe(`share kits on ${store}`, () => {
    let t: TestApp;
    let world: World;
    let promoterId: string;

    before(async () => {
      t = await startTestApp(store, { posterImagesFromPrivateHosts: true, limits: { ...defaultLimits, posterImageTimeoutMs: 300 } });
      // In warm-up: the window opens in an hour.
      world = await buildWorld(t, { startsInMinutes: 60, publicPriceFen: 99_900, clearancePriceFen: 12_345 });
      promoterId = await userIdOf(t, world.promoter);
      await makeMember(t, world.channelId, promoterId);
    });
    after(async () => t.close());

    it('gives the promoter a private kit: link, code, texts, window, offers with prices, poster URL', async () => {
      const res = await get(t, `/api/v1/events/${world.eventId}/kit`, world.promoter);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'private, no-store');
      const kit = res.json() as unknown as Kit;
      assert.equal(kit.eventId, world.eventId);
      assert.match(kit.link.shareCode, /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
      assert.ok(kit.link.url.endsWith(`/e/${kit.link.token}`));
      assert.ok(kit.link.shareText.includes(kit.link.shareCode));
      const start = new Date(Date.parse(kit.event.startsAt) + 8 * 3_600_000);
      assert.equal(kit.event.window.timeZone, 'Asia/Shanghai');
      assert.match(kit.event.window.text, new RegExp(`^${start.getUTCMonth() + 1}月${start.getUTCDate()}日 ${String(start.getUTCHours()).padStart(2, '0')}:`));
      assert.equal(kit.offers.length, 1);
      assert.deepEqual([kit.offers[0]?.clearancePriceFen, kit.offers[0]?.publicPriceFen, kit.offers[0]?.isHero], [12_345, 99_900, true]);
      assert.equal(kit.copies.length, 2, 'the two defaults');
      assert.ok(kit.copies.every((c) => c.templateId === null && c.text.includes(kit.link.url) && c.text.includes(kit.link.shareCode) && !/[{}]/.test(c.text)));
      assert.ok(kit.copies[0]?.text.includes('123.45') && kit.copies[0]?.text.includes('999.00'));
      assert.ok(kit.posterUrl.endsWith(`/api/v1/events/${world.eventId}/kit/poster.png`));
      // The same link as POST /links: one link per promoter and event.
      const link = await api<{ linkId: string }>(t, 'POST', `/api/v1/events/${world.eventId}/links`, world.promoter, undefined, 200);
      assert.equal(link.linkId, kit.link.linkId);
    });

    it('refuses the kit before warm-up, for an unknown event, and exactly as links are refused to a non-member', async () => {
      const far = await buildWorld(t, { startsInMinutes: 3 * 24 * 60 });
      await makeMember(t, far.channelId, await userIdOf(t, far.promoter));
      const early = await get(t, `/api/v1/events/${far.eventId}/kit`, far.promoter);
      assert.equal(early.statusCode, 403);
      assert.equal(early.json().code, 'WINDOW_NOT_OPEN');
      const poster = await get(t, `/api/v1/events/${far.eventId}/kit/poster.png`, far.promoter);
      assert.equal(poster.json().code, 'WINDOW_NOT_OPEN');
      assert.equal((await get(t, '/api/v1/events/evt_01jzzzzzzzzzzzzzzzzzzzzzzz/kit', world.promoter)).statusCode, 404);
      // Who may have a link is access.linkFor's rule; the kit answers exactly as it does.
      const outsider = (await t.signIn('promoter')).headers;
      const linkRes = await t.hs.app.inject({ method: 'POST', url: `/api/v1/events/${world.eventId}/links`, headers: outsider });
      const kitRes = await get(t, `/api/v1/events/${world.eventId}/kit`, outsider);
      assert.equal(kitRes.statusCode, linkRes.statusCode, `${kitRes.body} vs ${linkRes.body}`);
      if (linkRes.statusCode >= 400) assert.equal(kitRes.json().code, linkRes.json().code);
      // Other roles never get a kit.
      for (const role of ['buyer', 'merchant', 'operator'] as const) {
        assert.equal((await get(t, `/api/v1/events/${world.eventId}/kit`, (await t.signIn(role)).headers)).statusCode, 403);
      }
    });

    it('draws a 750x1334 PNG whose QR code is the promoter link, and serves it again from the cache', async () => {
      const kit = (await get(t, `/api/v1/events/${world.eventId}/kit`, world.promoter)).json() as unknown as Kit;
      const before = t.hs.services.sharekit.posterStats();
      const res = await get(t, `/api/v1/events/${world.eventId}/kit/poster.png`, world.promoter);
      assert.equal(res.statusCode, 200, res.body.slice(0, 200));
      assert.equal(res.headers['content-type'], 'image/png');
      assert.equal(res.headers['cache-control'], 'private, max-age=300');
      assert.deepEqual(pngSize(res.rawPayload), { width: POSTER_WIDTH, height: POSTER_HEIGHT });
      await assertQrIs(res.rawPayload, kit.link.url);
      const afterFirst = t.hs.services.sharekit.posterStats();
      assert.equal(afterFirst.renders, before.renders + 1);

      const again = await get(t, `/api/v1/events/${world.eventId}/kit/poster.png`, world.promoter);
      assert.equal(again.statusCode, 200);
      assert.ok(again.rawPayload.equals(res.rawPayload));
      const afterSecond = t.hs.services.sharekit.posterStats();
      assert.equal(afterSecond.renders, afterFirst.renders, 'a cache hit does not render');
      assert.equal(afterSecond.cacheHits, afterFirst.cacheHits + 1);
      // A burst of the same download renders once.
      const burst = await Promise.all(Array.from({ length: 5 }, () => get(t, `/api/v1/events/${world.eventId}/kit/poster.png`, world.promoter)));
      assert.ok(burst.every((r) => r.statusCode === 200 && r.rawPayload.equals(res.rawPayload)));
      assert.equal(t.hs.services.sharekit.posterStats().renders, afterFirst.renders);
    });

    it('draws a poster whatever the product picture: good, broken, slow, huge, redirecting, not an image, not http', async () => {
      const pictures = await pictureServer();
      try {
        const setPicture = async (url: string) => {
          await t.hs.ctx.db.updateTable('skus').set({ image_url: url }).where('id', '=', world.skuId).execute();
          t.clock.advanceMs(2000); // past the access feature's 1 s event cache
        };
        const sizes: number[] = [];
        for (const name of ['good.png', 'broken.png', 'slow.png', 'huge.png', 'redirect.png', 'page.html']) {
          await setPicture(`${pictures.base}/${name}`);
          const rendersBefore = t.hs.services.sharekit.posterStats().renders;
          const startedMs = performance.now();
          const res = await get(t, `/api/v1/events/${world.eventId}/kit/poster.png`, world.promoter);
          assert.equal(res.statusCode, 200, `${name}: ${res.body.slice(0, 200)}`);
          assert.deepEqual(pngSize(res.rawPayload), { width: POSTER_WIDTH, height: POSTER_HEIGHT });
          assert.ok(performance.now() - startedMs < 5000, `${name} took too long`);
          sizes.push(res.rawPayload.length);
          // The key is what is drawn: a new picture renders anew, a failed one is the placeholder poster already cached.
          assert.equal(t.hs.services.sharekit.posterStats().renders, rendersBefore + (name === 'good.png' ? 1 : 0), name);
          assert.ok((pictures.hits.get(`/${name}`) ?? 0) >= 1, `${name} was asked for`);
        }
        assert.equal(pictures.hits.get('/good.png'), 1, 'the redirect was not followed; the picture was fetched once');
        for (const url of ['file:///etc/passwd', '/etc/passwd', 'data:image/png;base64,AAAA']) {
          await setPicture(url);
          const res = await get(t, `/api/v1/events/${world.eventId}/kit/poster.png`, world.promoter);
          assert.equal(res.statusCode, 200, url);
        }
      } finally {
        await t.hs.ctx.db.updateTable('skus').set({ image_url: null }).where('id', '=', world.skuId).execute();
        await pictures.close();
      }
    });

    it('lets the merchant and operators manage copy templates, checked, capped and isolated', async () => {
      const merchant = (await t.signIn('merchant', { storeId: world.storeId })).headers;
      const base = `/api/v1/events/${world.eventId}/copy-templates`;
      const created = await api<{ id: string; title: string; body: string }>(t, 'POST', base, merchant, { title: '群发', body: '{store}·{hero} 到手 ¥{price}(原价 ¥{publicPrice}),{start} 开抢 {link} 口令 {code} by {promoter} {{不是变量}}' }, 201);
      assert.match(created.id, /^tpl_/);
      const listed = await api<{ templates: Array<{ id: string }>; variables: string[] }>(t, 'GET', base, merchant, undefined, 200);
      assert.deepEqual(listed.templates.map((x) => x.id), [created.id]);
      assert.ok(listed.variables.includes('publicPrice'));
      assert.equal((await api<{ templates: unknown[] }>(t, 'GET', base, world.operator, undefined, 200)).templates.length, 1);

      // The kit now renders the event's template instead of the defaults.
      const kit = (await get(t, `/api/v1/events/${world.eventId}/kit`, world.promoter)).json() as unknown as Kit;
      assert.equal(kit.copies.length, 1);
      assert.equal(kit.copies[0]?.templateId, created.id);
      assert.ok(kit.copies[0]?.text.includes('到手 ¥123.45(原价 ¥999.00)'), kit.copies[0]?.text);
      assert.ok(kit.copies[0]?.text.includes(`${kit.link.url} 口令 ${kit.link.shareCode}`));
      assert.ok(kit.copies[0]?.text.endsWith('{不是变量}'));

      const patched = await api<{ title: string; body: string }>(t, 'PATCH', `${base}/${created.id}`, world.operator, { title: '改过' }, 200);
      assert.equal(patched.title, '改过');
      assert.equal(patched.body, created.body);

      // Unknown variables and unbalanced braces are refused, naming the problem.
      for (const [body, needle] of [['hi {nickname}', 'nickname'], ['hi {store', 'unbalanced'], ['hi store}', 'unbalanced'], ['{ store }', ' store ']] as const) {
        const res = await t.hs.app.inject({ method: 'POST', url: base, headers: merchant, payload: { title: 'x', body } });
        assert.equal(res.statusCode, 400, body);
        assert.equal(res.json().code, 'VALIDATION_FAILED');
        assert.ok(res.body.includes(needle), res.body);
        const patch = await t.hs.app.inject({ method: 'PATCH', url: `${base}/${created.id}`, headers: merchant, payload: { body } });
        assert.equal(patch.statusCode, 400, body);
      }
      for (const payload of [{ title: 'x', body: 'y'.repeat(1001) }, { title: 'x'.repeat(41), body: 'y' }, { title: 'x' }, { title: 'x', body: 'y', extra: 1 }]) {
        assert.equal((await t.hs.app.inject({ method: 'POST', url: base, headers: merchant, payload })).statusCode, 400, JSON.stringify(payload).slice(0, 60));
      }

      // Another brand's merchant sees nothing and changes nothing; promoters and buyers are refused.
      const other = await buildWorld(t, { startsInMinutes: 60 });
      const otherMerchant = (await t.signIn('merchant', { storeId: other.storeId })).headers;
      assert.equal((await get(t, base, otherMerchant)).statusCode, 404);
      for (const [method, url, payload] of [['POST', base, { title: 'x', body: 'y' }], ['PATCH', `${base}/${created.id}`, { title: 'hacked' }], ['DELETE', `${base}/${created.id}`, undefined]] as const) {
        assert.equal((await t.hs.app.inject({ method, url, headers: otherMerchant, ...(payload ? { payload } : {}) })).statusCode, 404, `${method} as another merchant`);
        assert.equal((await t.hs.app.inject({ method, url, headers: world.promoter, ...(payload ? { payload } : {}) })).statusCode, 403, `${method} as a promoter`);
      }
      // A template of this event is not reachable through another event's path.
      assert.equal((await t.hs.app.inject({ method: 'PATCH', url: `/api/v1/events/${other.eventId}/copy-templates/${created.id}`, headers: world.operator, payload: { title: 'x' } })).statusCode, 404);
      assert.equal((await api<{ title: string }>(t, 'GET', base, merchant, undefined, 200) as unknown as { templates: Array<{ title: string }> }).templates[0]?.title, '改过');

      // At most copyTemplatesPerEventMax per event.
      for (let i = 1; i < t.config.limits.copyTemplatesPerEventMax; i++) await api(t, 'POST', base, merchant, { title: `t${i}`, body: '{code}', position: i }, 201);
      const over = await t.hs.app.inject({ method: 'POST', url: base, headers: merchant, payload: { title: 'one too many', body: '{code}' } });
      assert.equal(over.statusCode, 409);

      // Delete: gone from the list, a second delete is 404; with none left the kit uses the defaults again.
      const all = await api<{ templates: Array<{ id: string }> }>(t, 'GET', base, merchant, undefined, 200);
      for (const x of all.templates) await api(t, 'DELETE', `${base}/${x.id}`, merchant, undefined, 200);
      assert.equal((await t.hs.app.inject({ method: 'DELETE', url: `${base}/${created.id}`, headers: merchant })).statusCode, 404);
      assert.equal((await api<{ templates: unknown[] }>(t, 'GET', base, merchant, undefined, 200)).templates.length, 0);
      assert.equal(((await get(t, `/api/v1/events/${world.eventId}/kit`, world.promoter)).json() as unknown as Kit).copies[0]?.templateId, null);
    });

    it('makes one link per approved member in bulk, none twice, under concurrent calls, with unique codes', async () => {
      const members = 2000;
      const nowIso = isoUtc(t.clock.nowMs());
      const ids: string[] = [];
      for (let i = 0; i < members + 40; i++) ids.push(newId('usr', t.clock.nowMs()));
      for (let i = 0; i < ids.length; i += 500) {
        const slice = ids.slice(i, i + 500);
        await t.hs.ctx.db.insertInto('users').values(slice.map((id) => ({ id, role: 'promoter' as const, mobile: null, display_name: `p ${id.slice(-4)}`, store_id: null, created_at: nowIso, disabled_at: null }))).execute();
        await t.hs.ctx.db.insertInto('promoter_profiles').values(slice.map((id, j) => ({ user_id: id, status: i + j >= members + 20 ? 'pending' as const : 'approved' as const, status_reason: null, wechat_id: null, leader_id: null, invite_code: null, created_at: nowIso, updated_at: nowIso })))
          .onConflict((oc) => oc.doNothing()).execute();
      }
      // Members: the first `members` (approved) and 20 pending; 20 approved promoters are not members.
      const memberIds = [...ids.slice(0, members), ...ids.slice(members + 20)];
      for (let i = 0; i < memberIds.length; i += 500) {
        await t.hs.ctx.db.insertInto('channel_promoters').values(memberIds.slice(i, i + 500).map((id) => ({ channel_id: world.channelId, promoter_id: id, joined_at: nowIso }))).execute();
      }
      const linksOf = async (eventId: string) => t.hs.ctx.db.selectFrom('promoter_links').select(['promoter_id', 'share_code']).where('event_id', '=', eventId).execute();
      const alreadyLinked = (await linksOf(world.eventId)).length; // the world's promoter

      const first = await api<{ created: number; batches: number; elapsedMs: number }>(t, 'POST', `/api/v1/events/${world.eventId}/links/bulk`, world.operator, undefined, 200);
      assert.equal(first.created, members);
      assert.ok(first.batches >= 1 && first.elapsedMs >= 0);
      const links = await linksOf(world.eventId);
      assert.equal(links.length, members + alreadyLinked);
      assert.equal(new Set(links.map((l) => l.promoter_id)).size, links.length);
      assert.equal(new Set(links.map((l) => l.share_code)).size, links.length);
      const pendingOrOutside = new Set([...ids.slice(members)]);
      assert.ok(links.every((l) => !pendingOrOutside.has(l.promoter_id)), 'pending promoters and non-members get no link');
      assert.equal((await api<{ created: number }>(t, 'POST', `/api/v1/events/${world.eventId}/links/bulk`, world.operator, undefined, 200)).created, 0);

      // A second event of the channel: three bulk calls at once and a promoter asking for their own.
      const second = await api<{ id: string }>(t, 'POST', '/api/v1/events', world.operator, {
        storeId: world.storeId, channelId: world.channelId, title: '第二场', startsAt: new Date(t.clock.nowMs() + 3 * 3_600_000).toISOString(), endsAt: new Date(t.clock.nowMs() + 6 * 3_600_000).toISOString(),
        offers: [{ skuId: world.skuId, clearancePriceFen: 5000, allocatedUnits: 10, perBuyerLimit: 1, isHero: true }],
      }, 201);
      const results = await Promise.all([
        ...Array.from({ length: 3 }, () => api<{ created: number }>(t, 'POST', `/api/v1/events/${second.id}/links/bulk`, world.operator, undefined, 200)),
        api(t, 'POST', `/api/v1/events/${second.id}/links`, world.promoter, undefined, 200),
      ]);
      const secondLinks = await linksOf(second.id);
      assert.equal(secondLinks.length, members + 1);
      // Each link is made by exactly one call: the bulk calls made all but (maybe) the promoter's own.
      const made = results.slice(0, 3).reduce((sum, r) => sum + (r as { created: number }).created, 0);
      assert.ok(made === members || made === members + 1, `bulk calls made ${made}`);
      assert.equal(new Set(secondLinks.map((l) => l.promoter_id)).size, secondLinks.length);
      const allCodes = [...links, ...secondLinks].map((l) => l.share_code);
      assert.equal(new Set(allCodes).size, allCodes.length, 'codes are unique across events');

      // A bulk link opens like any other: one lookup by code.
      const opened = await api<{ event: { id: string } }>(t, 'POST', '/api/v1/access', {}, { code: secondLinks[5]?.share_code }, 200);
      assert.equal(opened.event.id, second.id);

      // Refused before warm-up and for an unknown event; operators only.
      const far = await buildWorld(t, { startsInMinutes: 3 * 24 * 60 });
      assert.equal((await t.hs.app.inject({ method: 'POST', url: `/api/v1/events/${far.eventId}/links/bulk`, headers: world.operator })).json().code, 'WINDOW_NOT_OPEN');
      assert.equal((await t.hs.app.inject({ method: 'POST', url: '/api/v1/events/evt_01jzzzzzzzzzzzzzzzzzzzzzzz/links/bulk', headers: world.operator })).statusCode, 404);
      assert.equal((await t.hs.app.inject({ method: 'POST', url: `/api/v1/events/${world.eventId}/links/bulk`, headers: world.promoter })).statusCode, 403);
    });

    it('retries only the rows whose share code was taken; link ids are unique within a millisecond', async () => {
      const nowMs = t.clock.nowMs();
      const idsAtOnce = Array.from({ length: 10_000 }, () => newId('lnk', nowMs));
      assert.equal(new Set(idsAtOnce).size, idsAtOnce.length);
      const [taken] = await t.hs.ctx.db.selectFrom('promoter_links').select('share_code').where('event_id', '=', world.eventId).limit(1).execute();
      const a = (await t.signIn('promoter')).principal.userId;
      const b = (await t.signIn('promoter')).principal.userId;
      const row = (promoter: string, code: string) => ({ id: newId('lnk', nowMs), event_id: world.eventId, promoter_id: promoter, share_code: code, created_at: isoUtc(nowMs), revoked_at: null });
      const landed = await insertLinksSkippingConflicts(t.hs.ctx.db, [row(a, taken?.share_code as string), row(b, 'ZZZZ2222')]);
      assert.deepEqual([...landed], [b]);
      assert.deepEqual([...(await promotersWithLink(t.hs.ctx.db, world.eventId, [a, b]))], [b], 'a has no link: its row is retried with a new code');
    });
  });
}

// Invariant 3, no leak: while events are live, crawl every GET route the app registers (taken from
// the app itself, not a hand list) as the public, a buyer without access and a promoter, and find
// no clearance price in any body or header; the responses that do carry one (access holders,
// staff, the buyer's own orders) are all private, no-store. Links and share codes that are
// forged, tampered, revoked, unknown or over are all refused with one identical answer.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LightMyRequestResponse } from 'fastify';
import { registeredRoutes, startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { address, api, buildWorld, payOrder, promoterInChannel, type World } from './fixtures.ts';
import type { App } from '../src/platform/http.ts';

const PUBLIC_FEN = [99_900, 88_800] as const;
const HIDDEN_FEN = [12_345, 67_891] as const;
// Digit boundaries so a phone number such as 13812345678 (an OpenAPI example) is not a "leak";
// any rendering of the price itself (JSON fen, ¥123.45, og:description) is still caught.
const HIDDEN_PATTERNS = HIDDEN_FEN.flatMap((fen) => [String(fen), (fen / 100).toFixed(2)]).map((text) => new RegExp(`(?<![0-9])${text.replace('.', '\\.')}(?![0-9])`));
// Headers derived from byte counts and file times, never from data: a body of exactly 12345 bytes is no leak.
const METADATA_HEADERS = new Set(['content-length', 'date', 'etag', 'last-modified']);
// A fixed request id: random UUIDs in x-request-id would sometimes contain "12345".
const REQUEST_ID = 'leak-crawl-request';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');


/** A promoter link as POST /api/v1/events/:id/links returns it. */
type Link = World['link'] & { shareText: string };

interface Seen {
  who: string;
  url: string;
  status: number;
  body: string;
  headers: LightMyRequestResponse['headers'];
}

function leaksIn(text: string): string[] {
  return HIDDEN_PATTERNS.filter((re) => re.test(text)).map((re) => re.source);
}

function headerText(headers: Seen['headers']): string {
  return Object.entries(headers).filter(([name]) => !METADATA_HEADERS.has(name.toLowerCase())).map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join('; ') : String(value)}`).join('\n');
}

/** The body less the search text echoed back to whoever typed it (a search for "12345" says "12345"). */
function bodyOf(seen: Seen): string {
  const q = new URL(seen.url, 'http://x').searchParams.get('q');
  return q ? seen.body.split(q).join('') : seen.body;
}

function carriesPrice(seen: Seen): boolean {
  return leaksIn(bodyOf(seen)).length > 0 || leaksIn(headerText(seen.headers)).length > 0;
}

function assertNoLeak(seen: Seen[]): void {
  const leaks = seen.filter(carriesPrice).map((s) => `${s.who} GET ${s.url} -> ${s.status}: ${leaksIn(bodyOf(s)).concat(leaksIn(headerText(s.headers))).join(', ')}`);
  assert.deepEqual(leaks, [], `clearance prices reached responses asked for without access:\n${leaks.join('\n')}`);
}

function assertPriceOnlyPrivate(seen: Seen[]): void {
  const cached = seen.filter((s) => carriesPrice(s) && s.headers['cache-control'] !== 'private, no-store').map((s) => `${s.who} GET ${s.url} -> ${s.status}, cache-control ${String(s.headers['cache-control'])}`);
  assert.deepEqual(cached, [], `responses carrying a clearance price must be private, no-store:\n${cached.join('\n')}`);
}

/** The meta tags a chat app or search crawler reads for a preview, and the title. */
function previewTags(body: string): string[] {
  return [...body.matchAll(/<meta [^>]*>|<title>[^<]*<\/title>/g)].map((m) => m[0]);
}

function filesIn(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
}

/** Two live events in one store (12345 and 67891 fen behind public prices 99900 and 88800), orders, a payment. */
async function liveSale(t: TestApp) {
  const first = await buildWorld(t, { publicPriceFen: PUBLIC_FEN[0], clearancePriceFen: HIDDEN_FEN[0], allocatedUnits: 50, perBuyerLimit: 5 });
  const merchant = (await t.signIn('merchant', { storeId: first.storeId })).headers;
  const product2 = await api<{ id: string; skus: Array<{ id: string; code: string }> }>(t, 'POST', `/api/v1/stores/${first.storeId}/products`, merchant, {
    title: '羊毛衫 Wool sweater', description: 'Soft.', skus: [{ code: `WS-${process.pid}`, attributes: { 尺码: 'L' }, publicPriceFen: PUBLIC_FEN[1], stockUnits: 500 }],
  }, 201);
  const sku2 = product2.skus[0]?.id as string;
  const channel2 = await api<{ id: string }>(t, 'POST', '/api/v1/channels', first.operator, { name: '女装', vertical: 'womenswear' }, 201);
  const event2 = await api<{ id: string; offers: Array<{ id: string }> }>(t, 'POST', '/api/v1/events', first.operator, {
    storeId: first.storeId, channelId: channel2.id, title: '毛衫专场 Sweaters', startsAt: new Date(t.clock.nowMs()).toISOString(), endsAt: new Date(t.clock.nowMs() + 12 * 3_600_000).toISOString(),
    offers: [{ skuId: sku2, clearancePriceFen: HIDDEN_FEN[1], allocatedUnits: 50, perBuyerLimit: 5, isHero: true }],
  }, 201);
  await api(t, 'POST', `/api/v1/channels/${channel2.id}/promoters`, first.operator, { promoterId: first.promoterId }, 201);
  const link2 = await api<Link>(t, 'POST', `/api/v1/events/${event2.id}/links`, first.promoter, undefined, 200);

  // A buyer holding access to both events, with an event order and a payment started on it.
  const accessBuyer = await t.signIn('buyer');
  const open1 = await api<{ accessToken: string }>(t, 'POST', '/api/v1/access', {}, { link: first.link.token }, 200);
  const open2 = await api<{ accessToken: string }>(t, 'POST', '/api/v1/access', {}, { code: link2.shareText }, 200);
  const accessCookies = { [`hsa_${first.eventId}`]: open1.accessToken, [`hsa_${event2.id}`]: open2.accessToken };
  const eventOrder = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...accessBuyer.headers, 'x-hushsale-access': open1.accessToken, 'idempotency-key': `leak-order-${process.pid}-1` }, { offerId: first.offerId, quantity: 1, address }, 201);
  const payment = await api<{ payUrl: string }>(t, 'POST', `/api/v1/orders/${eventOrder.id}/pay`, { ...accessBuyer.headers, 'idempotency-key': `leak-pay-${process.pid}-1` }, { provider: 'sandbox' }, 200);
  const sandboxId = payment.payUrl.split('/').pop() as string;

  // A buyer without access who bought in the public store (so its order pages have content).
  const plainBuyer = await t.signIn('buyer');
  const publicOrder = await api<{ id: number; unitPriceFen: number }>(t, 'POST', '/api/v1/orders', { ...plainBuyer.headers, 'idempotency-key': `leak-order-${process.pid}-2` }, { skuId: first.skuId, quantity: 1, address }, 201);
  assert.equal(publicOrder.unitPriceFen, PUBLIC_FEN[0]);

  // Two delivered event orders, reviewed: one plainly, one naming the price paid and the hidden sale.
  const reviewed: string[] = [];
  for (const body of ['很暖和,做工好 reviewed-clean', `群里清仓价 ¥${(HIDDEN_FEN[0] / 100).toFixed(2)} 买的,口令 ${first.link.shareCode}`]) {
    const reviewer = await t.signIn('buyer');
    const opened = await api<{ accessToken: string }>(t, 'POST', '/api/v1/access', {}, { link: first.link.token }, 200);
    const order = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...reviewer.headers, 'x-hushsale-access': opened.accessToken, 'idempotency-key': `leak-review-${process.pid}-${reviewed.length}` }, { offerId: first.offerId, quantity: 1, address }, 201);
    await payOrder(t, reviewer.headers, order.id);
    await api(t, 'POST', `/api/v1/stores/${first.storeId}/orders/${order.id}/ship`, merchant, { carrier: '顺丰速运', trackingNo: `SF${order.id}0000` }, 200);
    await api(t, 'POST', `/api/v1/stores/${first.storeId}/orders/${order.id}/deliver`, merchant, undefined, 200);
    await api(t, 'POST', `/api/v1/orders/${order.id}/review`, reviewer.headers, { rating: 5, body }, 201);
    reviewed.push(body);
  }

  return {
    first, merchant, event2: { id: event2.id, offerId: event2.offers[0]?.id as string, productId: product2.id, skuId: sku2, skuCode: product2.skus[0]?.code as string, link: link2 },
    accessBuyer: accessBuyer.headers, accessCookies, eventOrderId: eventOrder.id, sandboxId, plainBuyer: plainBuyer.headers, publicOrderId: publicOrder.id,
  };
}

type Sale = Awaited<ReturnType<typeof liveSale>>;

/** Concrete URLs for every registered GET route, params filled from the sale and with unknown values. */
function crawlUrls(app: App, sale: Sale, options: { withCapabilities: boolean }): string[] {
  const { first, event2 } = sale;
  const tamperedToken = `${first.link.token.slice(0, -3)}xyz`;
  const values: Record<string, string[]> = {
    storeId: [first.storeId, 'sto_01jzzzzzzzzzzzzzzzzzzzzzzz'],
    channelId: [first.channelId, 'chn_01jzzzzzzzzzzzzzzzzzzzzzzz'],
    promoterId: [first.promoterId, 'usr_01jzzzzzzzzzzzzzzzzzzzzzzz'],
    slug: [first.storeSlug, 'no-such-brand'],
    productId: [first.productId, event2.productId, 'prd_01jzzzzzzzzzzzzzzzzzzzzzzz'],
    eventId: [first.eventId, event2.id, 'evt_01jzzzzzzzzzzzzzzzzzzzzzzz'],
    skuId: [first.skuId, event2.skuId],
    offerId: [first.offerId, event2.offerId],
    linkId: [first.link.linkId, event2.link.linkId],
    token: [first.link.token, event2.link.token, tamperedToken, 'not-a-token'],
    // :id is an order number on /orders, a sandbox payment id on the cashier, a key id elsewhere.
    id: [String(sale.eventOrderId), String(sale.publicOrderId), '999999', 'sbx_AAAAAAAAAAAAAAAAAAAAAAAA', ...(options.withCapabilities ? [sale.sandboxId] : [])],
  };
  const q = ['羽绒服', 'Down', 'jacket', first.skuId, event2.skuCode, '毛衫', String(HIDDEN_FEN[0]), (HIDDEN_FEN[1] / 100).toFixed(2), '清仓', ''];
  const queries: Record<string, string[]> = {
    '/api/v1/public/search': [...q.map((s) => `?q=${encodeURIComponent(s)}`), ...q.slice(0, 3).map((s) => `?q=${encodeURIComponent(s)}&store=${first.storeSlug}`)],
    '/s/:slug/search': q.map((s) => `?q=${encodeURIComponent(s)}`),
    '/s/:slug': ['?cursor=prd_01jzzzzzzzzzzzzzzzzzzzzzzz'],
    '/api/v1/public/stores/:slug/products': ['?limit=1'],
    '/checkout': [`?offer=${first.offerId}`, `?offer=${event2.offerId}`, `?sku=${first.skuId}`, `?sku=${event2.skuId}`],
    '/login': [`?next=${encodeURIComponent(`/e/${first.link.token}`)}`, '?role=promoter'],
    '/api/v1/events': [`?storeId=${first.storeId}`],
  };
  const assets = filesIn(path.join(root, 'public', 'assets'));
  const docsStatic = filesIn(path.join(root, 'node_modules', '@fastify', 'swagger-ui', 'static'));
  const urls = new Set<string>();
  for (const route of registeredRoutes(app).filter((r) => r.method === 'GET')) {
    let filled = [route.url];
    for (const name of route.url.match(/:[A-Za-z]+/g) ?? []) {
      const choices = values[name.slice(1)];
      assert.ok(choices, `no values to fill ${name} of ${route.url}: add them to the crawl`);
      filled = filled.flatMap((url) => choices.map((v) => url.replace(name, encodeURIComponent(v))));
    }
    if (route.url.endsWith('*')) {
      const files = route.url === '/assets/*' ? assets : route.url === '/docs/static/*' ? docsStatic : ['index.html'];
      filled = filled.flatMap((url) => files.map((f) => url.replace(/\*$/, f)));
    }
    for (const url of filled) {
      urls.add(url);
      for (const query of queries[route.url] ?? []) urls.add(url + query);
    }
  }
  return [...urls];
}

async function crawl(t: TestApp, who: string, urls: string[], headers: Record<string, string>, cookies: Record<string, string> = {}): Promise<Seen[]> {
  const seen: Seen[] = [];
  for (const url of urls) {
    const res = await t.hs.app.inject({ method: 'GET', url, headers: { ...headers, 'x-request-id': REQUEST_ID }, cookies });
    assert.ok(res.statusCode < 500, `${who} GET ${url} -> ${res.statusCode} ${res.body.slice(0, 300)}`);
    seen.push({ who, url, status: res.statusCode, body: res.body, headers: res.headers });
  }
  return seen;
}

async function openLink(t: TestApp, payload: Record<string, string>) {
  const res = await t.hs.app.inject({ method: 'POST', url: '/api/v1/access', payload, headers: { 'x-request-id': REQUEST_ID } });
  return { status: res.statusCode, body: res.body, setCookie: res.headers['set-cookie'], json: res.json() as Record<string, unknown> };
}

async function openPage(t: TestApp, token: string) {
  const res = await t.hs.app.inject({ method: 'GET', url: `/e/${encodeURIComponent(token)}`, headers: { 'user-agent': 'WhatsApp/2.23 facebookexternalhit/1.1', 'x-request-id': REQUEST_ID } });
  return { status: res.statusCode, body: res.body, setCookie: res.headers['set-cookie'], location: res.headers.location, cacheControl: res.headers['cache-control'] };
}

function fullWidth(text: string): string {
  return [...text].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
}

for (const store of storesUnderTest()) {
  describe(`no leak on ${store}`, () => {
    let t: TestApp;
    let sale: Sale;
    before(async () => {
      t = await startTestApp(store);
      sale = await liveSale(t);
    });
    after(async () => t.close());

    it('shows no clearance price on any GET route to the public, a buyer without access or a promoter', async () => {
      const urls = crawlUrls(t.hs.app, sale, { withCapabilities: false });
      const routes = registeredRoutes(t.hs.app).filter((r) => r.method === 'GET');
      assert.ok(routes.length >= 30, `the crawl found only ${routes.length} GET routes`);
      const seen = [
        ...(await crawl(t, 'anonymous', urls, {})),
        ...(await crawl(t, 'buyer without access', urls, sale.plainBuyer)),
        ...(await crawl(t, 'promoter', urls, sale.first.promoter)),
      ];
      // A promoter's own share kit shows them the clearance prices of events they promote: private, uncached.
      const ownKit = (s: Seen) => s.who === 'promoter' && /^\/api\/v1\/events\/[^/]+\/kit$/.test(s.url) && s.status === 200;
      assertPriceOnlyPrivate(seen.filter(ownKit));
      assertNoLeak(seen.filter((s) => !ownKit(s)));

      // The crawl really reached the public pages with their prices (a blind crawl proves nothing).
      const ok = (url: string) => seen.find((s) => s.who === 'anonymous' && s.url === url);
      const productPage = ok(`/s/${sale.first.storeSlug}/p/${sale.first.productId}`);
      assert.equal(productPage?.status, 200);
      assert.match(productPage?.body ?? '', /999\.00/);
      const tags = previewTags(productPage?.body ?? '').join('\n');
      assert.match(tags, /og:title/);
      assert.match(tags, /og:description[^>]*999\.00/, 'the preview shows the public price');
      // Reviews of event orders: the plain one is public, the one naming the price and the sale is not.
      const reviews = ok(`/api/v1/public/products/${sale.first.productId}/reviews`);
      assert.equal(reviews?.status, 200);
      assert.match(reviews?.body ?? '', /reviewed-clean/);
      assert.match(productPage?.body ?? '', /reviewed-clean/);
      for (const page of [reviews, productPage]) {
        assert.doesNotMatch(page?.body ?? '', /冬季清仓|Winter clearance|清仓价/);
        assert.ok(!(page?.body ?? '').includes(sale.first.link.shareCode));
      }
      assert.equal(ok(`/api/v1/public/products/${sale.event2.productId}`)?.status, 200);
      assert.match(ok(`/api/v1/public/products/${sale.event2.productId}`)?.body ?? '', /88800/);
      assert.equal(ok(`/s/${sale.first.storeSlug}/search?q=${encodeURIComponent('羽绒服')}`)?.status, 200);
      assert.match(ok(`/api/v1/public/search?q=${encodeURIComponent('羽绒服')}`)?.body ?? '', new RegExp(sale.first.productId));
      assert.match(ok('/openapi.json')?.body ?? '', /clearancePriceFen/);
      assert.equal(ok('/assets/site.css')?.status, 200);
      assert.equal(ok('/docs/json')?.status, 200);
      assert.equal(ok('/docs/static/swagger-ui.css')?.status, 200);
      assert.equal(seen.find((s) => s.who === 'buyer without access' && s.url === '/orders')?.status, 200);
      assert.equal(seen.find((s) => s.who === 'promoter' && s.url === '/api/v1/me/links')?.status, 200);
      // Searching for the price itself finds nothing (the query is only echoed back).
      for (const price of [String(HIDDEN_FEN[0]), (HIDDEN_FEN[1] / 100).toFixed(2)]) {
        const found = ok(`/api/v1/public/search?q=${encodeURIComponent(price)}`);
        assert.deepEqual(JSON.parse(found?.body ?? '{}').items, [], `search for ${price}`);
        assert.match(ok(`/s/${sale.first.storeSlug}/search?q=${encodeURIComponent(price)}`)?.body ?? '', /没有找到/);
      }
      // Offers without access: refused, and the refusal names no price.
      const offers = seen.filter((s) => /^\/api\/v1\/events\/[^/]+\/offers$/.test(s.url));
      assert.ok(offers.length > 0 && offers.every((s) => s.status === 403 || s.status === 404), offers.map((s) => `${s.url} ${s.status}`).join('\n'));
      // Public answers may be cached by anyone: they must be the ones without prices (checked above).
      assert.ok(seen.some((s) => String(s.headers['cache-control']).startsWith('public')));
    });

    it('shows the clearance price only to access holders and staff, always private and uncached', async () => {
      const urls = crawlUrls(t.hs.app, sale, { withCapabilities: true });
      const operator = sale.first.operator;
      const seen = [
        ...(await crawl(t, 'buyer with access', urls, sale.accessBuyer, sale.accessCookies)),
        ...(await crawl(t, 'merchant', urls, sale.merchant)),
        ...(await crawl(t, 'operator', urls, operator)),
      ];
      assertPriceOnlyPrivate(seen);
      const find = (who: string, url: string) => seen.find((s) => s.who === who && s.url === url);
      for (const [eventId, fen] of [[sale.first.eventId, HIDDEN_FEN[0]], [sale.event2.id, HIDDEN_FEN[1]]] as const) {
        const offers = find('buyer with access', `/api/v1/events/${eventId}/offers`);
        assert.equal(offers?.status, 200, offers?.body);
        assert.equal(offers?.headers['cache-control'], 'private, no-store');
        assert.equal((JSON.parse(offers?.body ?? '{}') as { offers: Array<{ clearancePriceFen?: number }> }).offers[0]?.clearancePriceFen, fen);
        const eventPage = find('buyer with access', `/events/${eventId}`);
        assert.equal(eventPage?.status, 200);
        assert.match(eventPage?.body ?? '', new RegExp(`¥${(fen / 100).toFixed(2).replace('.', '\\.')}`));
        assert.deepEqual(previewTags(eventPage?.body ?? '').flatMap((tag) => leaksIn(tag)), [], 'even the private page keeps prices out of its preview tags');
        assert.equal(find('operator', `/api/v1/events/${eventId}`)?.status, 200);
      }
      assert.ok(carriesPrice(find('buyer with access', `/api/v1/orders/${sale.eventOrderId}`) as Seen), 'the buyer sees what they pay');
      assert.ok(carriesPrice(find('buyer with access', `/sandbox/pay/${sale.sandboxId}`) as Seen));
      assert.ok(carriesPrice(find('merchant', `/api/v1/events/${sale.first.eventId}`) as Seen));
      // Every price-bearing response found above is private; and public ones carry none.
      assert.ok(seen.filter(carriesPrice).length >= 8);
      const publicCached = seen.filter((s) => String(s.headers['cache-control']).includes('public'));
      assert.ok(publicCached.length > 0);
      assert.deepEqual(publicCached.filter(carriesPrice).map((s) => s.url), []);

      // The same via the POST that opens a link: priced, private.
      const opened = await t.hs.app.inject({ method: 'POST', url: '/api/v1/access', payload: { link: sale.first.link.url } });
      assert.equal(opened.statusCode, 200);
      assert.equal(opened.headers['cache-control'], 'private, no-store');
      assert.equal(opened.json().offers[0].clearancePriceFen, HIDDEN_FEN[0]);
    });

    it('gives a chat-app crawler of /e/<token> a redirect and preview without any price', async () => {
      const res = await openPage(t, sale.first.link.token);
      assert.equal(res.status, 303);
      assert.equal(res.location, `/events/${sale.first.eventId}`);
      assert.equal(res.cacheControl, 'private, no-store');
      assert.deepEqual(leaksIn(res.body), []);
      // A crawler that follows the redirect without cookies gets the "not valid" page; one that keeps
      // the cookie gets a private page whose preview tags (title, og:*) carry no price.
      const bare = await t.hs.app.inject({ method: 'GET', url: res.location as string, headers: { 'x-request-id': REQUEST_ID } });
      assert.equal(bare.statusCode, 404);
      assert.deepEqual(leaksIn(bare.body), []);
      const cookie = String(Array.isArray(res.setCookie) ? res.setCookie[0] : res.setCookie).split(';')[0] as string;
      const withCookie = await t.hs.app.inject({ method: 'GET', url: res.location as string, headers: { cookie, 'x-request-id': REQUEST_ID } });
      assert.equal(withCookie.statusCode, 200);
      assert.equal(withCookie.headers['cache-control'], 'private, no-store');
      const tags = previewTags(withCookie.body);
      assert.ok(tags.some((tag) => tag.includes('og:title')));
      assert.ok(tags.some((tag) => tag.includes('noindex')));
      assert.deepEqual(tags.flatMap(leaksIn), []);
      // The promoter's share text and link carry no price either.
      assert.deepEqual(leaksIn(JSON.stringify(sale.first.link)), []);
    });

    it('refuses forged, tampered, swapped, revoked and unknown links and codes with one identical answer', async () => {
      const { first, event2 } = sale;
      const [linkId, signature] = first.link.token.split('.') as [string, string];
      const forged = await openLink(t, { link: `lnk_${'0'.repeat(26)}.${'A'.repeat(22)}` });
      assert.equal(forged.status, 404);
      assert.equal(forged.json.code, 'ACCESS_INVALID');
      assert.equal(forged.setCookie, undefined);
      const forgedPage = await openPage(t, `lnk_${'0'.repeat(26)}.${'A'.repeat(22)}`);
      assert.equal(forgedPage.status, 404);

      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const tampered: string[] = [];
      for (let i = 0; i < signature.length; i++) {
        // Every other character at each position: the last one included, whose low bits base64 ignores.
        for (const c of i === signature.length - 1 ? alphabet : alphabet.slice(0, 3)) {
          if (c !== signature[i]) tampered.push(`${linkId}.${signature.slice(0, i)}${c}${signature.slice(i + 1)}`);
        }
      }
      tampered.push(`${first.link.token}x`, `${first.link.token}.`, `${first.link.token}==`, `${first.link.token}%00`, `${event2.link.linkId}.${signature}`, `${linkId}.${event2.link.token.split('.')[1]}`, `${linkId}.`, linkId, 'hello');

      // A link revoked by its promoter, the access it granted stops working too.
      const otherPromoter = (await promoterInChannel(t, first.operator, first.channelId)).headers;
      const doomed = await api<Link>(t, 'POST', `/api/v1/events/${first.eventId}/links`, otherPromoter, undefined, 200);
      const grantedBefore = await openLink(t, { link: doomed.token });
      assert.equal(grantedBefore.status, 200);
      await api(t, 'POST', `/api/v1/links/${doomed.linkId}/revoke`, otherPromoter, undefined, 200);
      const afterRevoke = await t.hs.app.inject({ method: 'GET', url: `/api/v1/events/${first.eventId}/offers`, headers: { 'x-hushsale-access': grantedBefore.json.accessToken as string } });
      assert.equal(afterRevoke.statusCode, 403);
      assert.deepEqual(leaksIn(afterRevoke.body), []);

      const refusedLinks = [...tampered, doomed.token, doomed.url];
      for (const token of refusedLinks) {
        const res = await openLink(t, { link: token });
        assert.deepEqual({ status: res.status, body: res.body, setCookie: res.setCookie }, { status: forged.status, body: forged.body, setCookie: undefined }, `link ${token}`);
        const pageRes = await openPage(t, token);
        // A token the route's own schema refuses (too long) never reaches the page: not possible here.
        assert.deepEqual({ status: pageRes.status, body: pageRes.body, setCookie: pageRes.setCookie }, { status: forgedPage.status, body: forgedPage.body, setCookie: undefined }, `page /e/${token}`);
      }
      let unknownCode = 'ABCDEFGH';
      while (unknownCode === first.link.shareCode || unknownCode === event2.link.shareCode || unknownCode === doomed.shareCode) unknownCode = unknownCode.slice(1) + unknownCode[0];
      for (const code of [`￥${unknownCode}￥`, unknownCode, doomed.shareText, `￥${doomed.shareCode}￥`, 'no code in here']) {
        const res = await openLink(t, { code });
        assert.deepEqual({ status: res.status, body: res.body, setCookie: res.setCookie }, { status: forged.status, body: forged.body, setCookie: undefined }, `code ${code}`);
      }
    });

    it('opens a share code pasted inside decorated text', async () => {
      const code = sale.event2.link.shareCode;
      const pasted = [
        sale.event2.link.shareText,
        `👉【限时】复制这段话 ￥${code}￥ 打开App 🔥`,
        `  ${code.toLowerCase()}  `,
        `(${fullWidth(code)})`,
        `#${code}# 快来`,
        `${sale.event2.link.shareText}\n\n—— 转自群聊`,
      ];
      for (const text of pasted) {
        const res = await openLink(t, { code: text });
        assert.equal(res.status, 200, `${JSON.stringify(text)} -> ${res.body}`);
        assert.equal((res.json.event as { id: string }).id, sale.event2.id);
      }
      // A pasted link works the same way, whole or as a path.
      for (const link of [sale.first.link.url, `  ${sale.first.link.url}?from=wechat `, `/e/${sale.first.link.token}`]) {
        const res = await openLink(t, { link });
        assert.equal(res.status, 200, `${link} -> ${res.body}`);
      }
    });

    it('shows no price during warm-up, even with access, and refuses orders', async () => {
      const warm = await buildWorld(t, { startsInMinutes: 60, durationMinutes: 60, publicPriceFen: PUBLIC_FEN[0], clearancePriceFen: HIDDEN_FEN[0] });
      const opened = await openLink(t, { link: warm.link.token });
      assert.equal(opened.status, 200);
      assert.equal(opened.json.phase, 'warmup');
      assert.deepEqual(leaksIn(opened.body), []);
      assert.ok((opened.json.offers as Array<Record<string, unknown>>).every((o) => !('clearancePriceFen' in o)));
      const token = opened.json.accessToken as string;
      const cookies = { [`hsa_${warm.eventId}`]: token };
      const buyer = await t.signIn('buyer');
      const seen = [
        ...(await crawl(t, 'warm-up access', [`/events/${warm.eventId}`, `/api/v1/events/${warm.eventId}/offers`, `/checkout?offer=${warm.offerId}`, `/e/${warm.link.token}`], buyer.headers, cookies)),
        ...(await crawl(t, 'warm-up anonymous', [`/events/${warm.eventId}`, `/s/${warm.storeSlug}`, `/s/${warm.storeSlug}/p/${warm.productId}`], {})),
      ];
      assertNoLeak(seen);
      const eventPage = seen[0] as Seen;
      assert.equal(eventPage.status, 200);
      assert.match(eventPage.body, /countdown/);
      assert.equal((seen[1] as Seen).status, 200);
      assert.equal(JSON.parse((seen[1] as Seen).body).phase, 'warmup');
      const order = await t.hs.app.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...buyer.headers, 'x-hushsale-access': token, 'idempotency-key': `leak-warm-${process.pid}` }, payload: { offerId: warm.offerId, quantity: 1, address } });
      assert.equal(order.json().code, 'WINDOW_NOT_OPEN');
      assert.deepEqual(leaksIn(order.body), []);
    });

    // Last: it moves the clock past every event's end.
    it('after the end refuses the link and code exactly like forged ones, and shows no price', async () => {
      const short = await buildWorld(t, { durationMinutes: 30, publicPriceFen: PUBLIC_FEN[0], clearancePriceFen: HIDDEN_FEN[0] });
      const opened = await openLink(t, { link: short.link.token });
      assert.equal(opened.status, 200);
      const buyer = await t.signIn('buyer');
      t.clock.advanceMinutes(13 * 60);
      const forged = await openLink(t, { link: `lnk_${'0'.repeat(26)}.${'A'.repeat(22)}` });
      const forgedPage = await openPage(t, `lnk_${'0'.repeat(26)}.${'A'.repeat(22)}`);
      for (const link of [short.link.token, sale.first.link.token, sale.first.link.url]) {
        const res = await openLink(t, { link });
        assert.deepEqual({ status: res.status, body: res.body, setCookie: res.setCookie }, { status: 404, body: forged.body, setCookie: undefined }, link);
      }
      for (const code of [short.link.shareText, sale.event2.link.shareCode]) {
        const res = await openLink(t, { code });
        assert.deepEqual({ status: res.status, body: res.body }, { status: 404, body: forged.body }, code);
      }
      const pageRes = await openPage(t, short.link.token);
      assert.deepEqual({ status: pageRes.status, body: pageRes.body }, { status: forgedPage.status, body: forgedPage.body });
      // Access granted while live no longer shows anything priced.
      const cookies = { [`hsa_${short.eventId}`]: opened.json.accessToken as string, ...sale.accessCookies };
      const urls = [short.eventId, sale.first.eventId, sale.event2.id].flatMap((id) => [`/events/${id}`, `/api/v1/events/${id}/offers`]);
      const seen = await crawl(t, 'after the end', [...urls, `/checkout?offer=${short.offerId}`], buyer.headers, cookies);
      assertNoLeak(seen);
      assert.ok(seen.filter((s) => s.url.startsWith('/events/')).every((s) => s.status === 404));
      assert.ok(seen.filter((s) => s.url.endsWith('/offers')).every((s) => s.status === 410 || s.status === 403), seen.map((s) => `${s.url} ${s.status}`).join('\n'));
    });
  });
}

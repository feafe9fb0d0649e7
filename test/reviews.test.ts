// Reviews on every store under test: a buyer reviews a delivered order once (under a race too),
// never another's, never before delivery or after a full refund; the public sees exactly rating,
// body, masked name, SKU attributes and day, on the API and the product page; the screening keeps
// a body naming the price paid or the hidden sale from the public; merchants hide and unhide.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { nextMobile, startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { address, api, buildWorld, buyThrough, buyerWithAccess, type World } from './fixtures.ts';

interface BuyerReview { id: number; orderId: number; productId: string; skuId: string; rating: number; body: string; createdAt: string; isPublic: boolean }
interface PublicReview { rating: number; body: string; buyerName: string; skuAttributes: Record<string, string>; date: string }
interface PublicReviews { productId: string; averageRating: number | null; count: number; items: PublicReview[]; nextBeforeId: number | null }
interface StoreReview {
  id: number; orderId: number; productId: string; body: string; rating: number; buyerName: string; hidden: boolean; hiddenAt: string | null;
  hiddenBy: 'screening' | 'merchant' | null; screening: { namesPricePaid: boolean; words: string[] };
}

const CLEARANCE_FEN = 12_345;
const PRICE_PATTERNS = [/(?<![0-9])12345(?![0-9])/, /(?<![0-9])123\.45(?![0-9])/, /[¥￥]\s*123(?![0-9])/, /(?<![0-9.])123\s*元/];

for (const store of storesUnderTest()) {
  describe(`reviews on ${store}`, () => {
    let t: TestApp;
    let world: World;
    let merchant: Record<string, string>;

    before(async () => {
      t = await startTestApp(store);
      world = await buildWorld(t, { clearancePriceFen: CLEARANCE_FEN, allocatedUnits: 200, perBuyerLimit: 3 });
      merchant = (await t.signIn('merchant', { storeId: world.storeId })).headers;
    });
    after(async () => t.close());

    async function ship(orderId: number): Promise<void> {
      await api(t, 'POST', `/api/v1/stores/${world.storeId}/orders/${orderId}/ship`, merchant, { carrier: '顺丰速运', trackingNo: `SF${orderId}0000` }, 200);
    }

    async function deliver(orderId: number): Promise<void> {
      await api(t, 'POST', `/api/v1/stores/${world.storeId}/orders/${orderId}/deliver`, merchant, undefined, 200);
    }

    /** A paid, shipped and delivered event order of a new buyer. */
    async function deliveredOrder(options: { quantity?: number; mobile?: string } = {}) {
      const bought = await buyThrough(t, world.link.token, world.offerId, options);
      await ship(bought.orderId);
      await deliver(bought.orderId);
      return bought;
    }

    function post(orderId: number, headers: Record<string, string>, payload: unknown) {
      return t.hs.app.inject({ method: 'POST', url: `/api/v1/orders/${orderId}/review`, headers, payload: payload as Record<string, unknown> });
    }

    async function publicReviews(query = ''): Promise<PublicReviews> {
      return api<PublicReviews>(t, 'GET', `/api/v1/public/products/${world.productId}/reviews${query}`, {}, undefined, 200);
    }

    async function storeReviews(): Promise<StoreReview[]> {
      return (await api<{ items: StoreReview[] }>(t, 'GET', `/api/v1/stores/${world.storeId}/reviews?limit=200`, merchant, undefined, 200)).items;
    }

    it('lets the buyer review a delivered order once, and read it back', async () => {
      const { orderId, headers } = await deliveredOrder();
      const res = await post(orderId, headers, { rating: 5, body: '  很暖和,做工好  ' });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers['cache-control'], 'private, no-store');
      const review = res.json() as BuyerReview;
      assert.deepEqual({ ...review, id: 0 }, { id: 0, orderId, productId: world.productId, skuId: world.skuId, rating: 5, body: '很暖和,做工好', createdAt: new Date(t.clock.nowMs()).toISOString(), isPublic: true });
      assert.deepEqual(await api(t, 'GET', `/api/v1/orders/${orderId}/review`, headers, undefined, 200), review);

      const again = await post(orderId, headers, { rating: 1, body: '改主意了' });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().code, 'ALREADY_EXISTS');
      assert.deepEqual(await api(t, 'GET', `/api/v1/orders/${orderId}/review`, headers, undefined, 200), review, 'the first review stands');
    });

    it('refuses an order not yet delivered, with a clear message, and one refunded in full', async () => {
      const buyer = await buyerWithAccess(t, world);
      const pending = await api<{ id: number }>(t, 'POST', '/api/v1/orders', { ...buyer.headers, 'idempotency-key': `rev-${Math.random()}` }, { offerId: world.offerId, quantity: 1, address }, 201);
      const unpaid = await post(pending.id, buyer.headers, { rating: 4, body: '还没到' });
      assert.equal(unpaid.statusCode, 409);
      assert.equal(unpaid.json().code, 'CONFLICT');

      const paid = await buyThrough(t, world.link.token, world.offerId);
      const notShipped = await post(paid.orderId, paid.headers, { rating: 4, body: '还没到' });
      assert.equal(notShipped.statusCode, 409);
      assert.deepEqual({ code: notShipped.json().code, message: notShipped.json().message }, { code: 'CONFLICT', message: 'The order has not been delivered yet: it can be reviewed once it arrives.' });
      await ship(paid.orderId);
      const inTransit = await post(paid.orderId, paid.headers, { rating: 4, body: '还没到' });
      assert.equal(inTransit.statusCode, 409);
      assert.match(inTransit.json().message, /not been delivered/);
      await deliver(paid.orderId);

      // Refunds are written by after-sales; a full one leaves nothing to review, a partial one does.
      const full = await deliveredOrder({ quantity: 2 });
      await t.hs.ctx.db.updateTable('orders').set({ refunded_units: 2 }).where('id', '=', full.orderId).execute();
      const refused = await post(full.orderId, full.headers, { rating: 1, body: '退了' });
      assert.equal(refused.statusCode, 409);
      assert.deepEqual({ code: refused.json().code, message: refused.json().message }, { code: 'CONFLICT', message: 'The order was refunded in full: there is nothing left to review.' });
      const partial = await deliveredOrder({ quantity: 2 });
      await t.hs.ctx.db.updateTable('orders').set({ refunded_units: 1 }).where('id', '=', partial.orderId).execute();
      assert.equal((await post(partial.orderId, partial.headers, { rating: 3, body: '退了一件,留下的一件还行' })).statusCode, 201);
      assert.equal((await post(paid.orderId, paid.headers, { rating: 4, body: '到了,不错' })).statusCode, 201);
      const none = await t.hs.app.inject({ method: 'GET', url: `/api/v1/orders/${full.orderId}/review`, headers: full.headers });
      assert.equal(none.statusCode, 404);
      assert.equal(none.json().code, 'NOT_FOUND');
    });

    it("keeps buyers apart: another's order is not found, to review or to read", async () => {
      const mine = await deliveredOrder();
      const other = await t.signIn('buyer');
      const res = await post(mine.orderId, other.headers, { rating: 1, body: '别人的订单' });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().code, 'NOT_FOUND');
      assert.equal((await post(999_999, other.headers, { rating: 1, body: 'x' })).json().code, 'NOT_FOUND', 'the same answer as a missing order');
      await api(t, 'POST', `/api/v1/orders/${mine.orderId}/review`, mine.headers, { rating: 4, body: '自己的评价' }, 201);
      const read = await t.hs.app.inject({ method: 'GET', url: `/api/v1/orders/${mine.orderId}/review`, headers: other.headers });
      assert.equal(read.statusCode, 404);
      assert.doesNotMatch(read.body, /自己的评价/);
      // Only buyers review; staff and promoters are refused.
      for (const headers of [merchant, world.operator, world.promoter]) {
        assert.equal((await post(mine.orderId, headers, { rating: 5, body: 'x' })).statusCode, 403);
      }
      assert.equal((await post(mine.orderId, {}, { rating: 5, body: 'x' })).statusCode, 401);
    });

    it('validates rating and body at the edge: 1..5, 1..1000 characters after trimming', async () => {
      const { orderId, headers } = await deliveredOrder();
      const refusals: unknown[] = [
        { rating: 0, body: '好' }, { rating: 6, body: '好' }, { rating: 4.5, body: '好' }, { rating: 'five', body: '好' }, { body: '好' }, { rating: 5 },
        { rating: 5, body: '' }, { rating: 5, body: '   \n ' }, { rating: 5, body: '好'.repeat(1001) }, { rating: 5, body: '好'.repeat(2001) },
        { rating: 5, body: '好', orderId: 1 }, { rating: 5, body: { text: '好' } },
      ];
      for (const payload of refusals) {
        const res = await post(orderId, headers, payload);
        assert.equal(res.statusCode, 400, `${JSON.stringify(payload).slice(0, 80)} -> ${res.body}`);
        assert.equal(res.json().code, 'VALIDATION_FAILED');
      }
      const none = await t.hs.app.inject({ method: 'GET', url: `/api/v1/orders/${orderId}/review`, headers });
      assert.equal(none.statusCode, 404, 'nothing was written');
      const longest = await post(orderId, headers, { rating: 5, body: `  ${'好'.repeat(1000)}\n` });
      assert.equal(longest.statusCode, 201, longest.body);
      assert.equal([...(longest.json() as BuyerReview).body].length, 1000);
    });

    it('lets exactly one of concurrent reviews of one order through, across two servers', async () => {
      const peer = await t.startPeer();
      for (let round = 0; round < 3; round++) {
        const { orderId, headers } = await deliveredOrder();
        const attempts = [t.hs.app, peer.app, t.hs.app, peer.app].map((app, i) => app.inject({
          method: 'POST', url: `/api/v1/orders/${orderId}/review`, headers, payload: { rating: 1 + i, body: `第 ${i} 个` },
        }));
        const results = await Promise.all(attempts);
        const statuses = results.map((r) => r.statusCode).sort();
        assert.deepEqual(statuses, [201, 409, 409, 409], results.map((r) => r.body).join('\n'));
        assert.ok(results.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'ALREADY_EXISTS'));
        const rows = await t.hs.ctx.db.selectFrom('reviews').selectAll().where('order_id', '=', orderId).execute();
        assert.equal(rows.length, 1);
        const winner = results.find((r) => r.statusCode === 201)?.json() as BuyerReview;
        assert.equal(rows[0]?.rating, winner.rating);
      }
    });

    describe('public view, screening and the merchant', () => {
      let product: { productId: string; skuId: string; storeSlug: string };
      let mobiles: string[];
      let reviews: Array<{ orderId: number; headers: Record<string, string> }>;

      before(async () => {
        // A product of its own, so counts are exact: same store, new event.
        world = await buildWorld(t, { clearancePriceFen: CLEARANCE_FEN, allocatedUnits: 200, perBuyerLimit: 3 });
        merchant = (await t.signIn('merchant', { storeId: world.storeId })).headers;
        product = { productId: world.productId, skuId: world.skuId, storeSlug: world.storeSlug };
        mobiles = [nextMobile(), nextMobile(), nextMobile(), nextMobile(), nextMobile()];
        reviews = [];
        const bodies: Array<[number, string]> = [
          [5, '非常暖和,尺码标准'],
          [4, '物流快,包装好'],
          [2, '有点大'],
          [5, '群里清仓价买的,太值了'],
          [1, `才 ¥${(CLEARANCE_FEN / 100).toFixed(2)},血赚`],
        ];
        for (const [i, [rating, body]] of bodies.entries()) {
          const bought = await deliveredOrder({ mobile: mobiles[i] as string, quantity: i === 4 ? 2 : 1 });
          const made = await api<BuyerReview>(t, 'POST', `/api/v1/orders/${bought.orderId}/review`, bought.headers, { rating, body }, 201);
          assert.equal(made.isPublic, i < 3, body);
          reviews.push({ orderId: bought.orderId, headers: bought.headers });
          t.clock.advanceMinutes(10);
        }
      });

      it('shows exactly rating, body, masked name, SKU attributes and day, newest first, with average and count', async () => {
        const res = await t.hs.app.inject({ method: 'GET', url: `/api/v1/public/products/${product.productId}/reviews` });
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['cache-control'], 'public, max-age=30');
        const page = res.json() as PublicReviews;
        assert.deepEqual(Object.keys(page).sort(), ['averageRating', 'count', 'items', 'nextBeforeId', 'productId']);
        assert.equal(page.count, 3, 'the screened reviews are not counted');
        assert.equal(page.averageRating, 3.7);
        assert.equal(page.nextBeforeId, null);
        assert.deepEqual(page.items.map((r) => r.body), ['有点大', '物流快,包装好', '非常暖和,尺码标准']);
        for (const [i, item] of page.items.entries()) {
          assert.deepEqual(Object.keys(item).sort(), ['body', 'buyerName', 'date', 'rating', 'skuAttributes']);
          const mobile = mobiles[2 - i] as string;
          assert.equal(item.buyerName, `买家 ***${mobile.slice(-4)}`);
          assert.deepEqual(item.skuAttributes, { 颜色: '黑' });
          assert.equal(item.date, '2026-11-25');
        }
        const text = res.body;
        for (const mobile of mobiles) assert.ok(!text.includes(mobile), 'no whole mobile');
        for (const pattern of PRICE_PATTERNS) assert.doesNotMatch(text, pattern);
        assert.doesNotMatch(text, /冬季清仓|Winter clearance|promoter|event|channel|quantity|price/i);
        assert.ok(!text.includes(world.link.shareCode) && !text.includes(world.link.token));
      });

      it('pages with beforeId and refuses an unknown product', async () => {
        const first = await publicReviews('?limit=2');
        assert.equal(first.items.length, 2);
        assert.equal(typeof first.nextBeforeId, 'number');
        const second = await publicReviews(`?limit=2&beforeId=${first.nextBeforeId}`);
        assert.deepEqual(second.items.map((r) => r.body), ['非常暖和,尺码标准']);
        assert.equal(second.nextBeforeId, null);
        assert.equal(second.count, 3);
        const missing = await t.hs.app.inject({ method: 'GET', url: '/api/v1/public/products/prd_01jzzzzzzzzzzzzzzzzzzzzzzz/reviews' });
        assert.equal(missing.statusCode, 404);
        for (const query of ['?limit=0', '?limit=51', '?beforeId=0', '?beforeId=x', '?extra=1']) {
          const res = await t.hs.app.inject({ method: 'GET', url: `/api/v1/public/products/${product.productId}/reviews${query}` });
          assert.equal(res.statusCode, 400, query);
        }
        const empty = await buildWorld(t);
        assert.deepEqual(await api(t, 'GET', `/api/v1/public/products/${empty.productId}/reviews`, {}, undefined, 200),
          { productId: empty.productId, averageRating: null, count: 0, items: [], nextBeforeId: null });
      });

      it('shows the merchant every review with order, hidden flag and why', async () => {
        const items = (await storeReviews()).filter((r) => r.productId === product.productId);
        assert.equal(items.length, 5);
        assert.deepEqual(items.map((r) => r.orderId), reviews.map((r) => r.orderId).reverse());
        const [price, words, ...clean] = items;
        assert.deepEqual({ hidden: price?.hidden, by: price?.hiddenBy, screening: price?.screening }, { hidden: true, by: 'screening', screening: { namesPricePaid: true, words: [] } });
        assert.deepEqual({ hidden: words?.hidden, by: words?.hiddenBy, screening: words?.screening }, { hidden: true, by: 'screening', screening: { namesPricePaid: false, words: ['清仓价', '清仓'] } });
        assert.ok(clean.every((r) => !r.hidden && r.hiddenBy === null && r.hiddenAt === null));
        assert.ok(items.every((r) => /^买家 \*\*\*[0-9]{4}$/.test(r.buyerName)));
        assert.match(price?.body ?? '', /123\.45/, 'the merchant still reads it');
        const res = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${world.storeId}/reviews?hidden=true`, headers: merchant });
        assert.equal(res.headers['cache-control'], 'private, no-store');
        assert.deepEqual((res.json().items as StoreReview[]).filter((r) => r.productId === product.productId).map((r) => r.id), [price?.id, words?.id]);
        // The screening cannot be lifted.
        for (const review of [price, words]) {
          const unhide = await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${world.storeId}/reviews/${review?.id}/unhide`, headers: merchant });
          assert.equal(unhide.statusCode, 409);
          assert.equal(unhide.json().code, 'CONFLICT');
          assert.match(unhide.json().message, /screening/);
        }
        assert.equal((await publicReviews()).count, 3);
        // The buyer sees that it is not public.
        assert.equal((await api<BuyerReview>(t, 'GET', `/api/v1/orders/${reviews[3]?.orderId}/review`, reviews[3]?.headers ?? {}, undefined, 200)).isPublic, false);
      });

      it('lets the merchant hide a review and show it again; the public list follows', async () => {
        const target = (await storeReviews()).find((r) => r.body === '有点大') as StoreReview;
        const hidden = await api<StoreReview>(t, 'POST', `/api/v1/stores/${world.storeId}/reviews/${target.id}/hide`, merchant, undefined, 200);
        assert.deepEqual({ hidden: hidden.hidden, by: hidden.hiddenBy, at: hidden.hiddenAt }, { hidden: true, by: 'merchant', at: new Date(t.clock.nowMs()).toISOString() });
        t.clock.advanceMinutes(1);
        const twice = await api<StoreReview>(t, 'POST', `/api/v1/stores/${world.storeId}/reviews/${target.id}/hide`, world.operator, undefined, 200);
        assert.equal(twice.hiddenAt, hidden.hiddenAt, 'hiding twice keeps the first time');
        const without = await publicReviews();
        assert.deepEqual({ count: without.count, average: without.averageRating, bodies: without.items.map((r) => r.body) }, { count: 2, average: 4.5, bodies: ['物流快,包装好', '非常暖和,尺码标准'] });
        const shown = await api<StoreReview>(t, 'POST', `/api/v1/stores/${world.storeId}/reviews/${target.id}/unhide`, merchant, undefined, 200);
        assert.deepEqual({ hidden: shown.hidden, by: shown.hiddenBy, at: shown.hiddenAt }, { hidden: false, by: null, at: null });
        await api(t, 'POST', `/api/v1/stores/${world.storeId}/reviews/${target.id}/unhide`, merchant, undefined, 200);
        assert.equal((await publicReviews()).count, 3);
      });

      it("keeps stores apart: another store's merchant finds no review", async () => {
        const other = await buildWorld(t);
        const otherMerchant = (await t.signIn('merchant', { storeId: other.storeId })).headers;
        const target = (await storeReviews())[0] as StoreReview;
        for (const [method, url] of [
          ['GET', `/api/v1/stores/${world.storeId}/reviews`],
          ['POST', `/api/v1/stores/${world.storeId}/reviews/${target.id}/hide`],
          ['POST', `/api/v1/stores/${world.storeId}/reviews/${target.id}/unhide`],
          ['POST', `/api/v1/stores/${other.storeId}/reviews/${target.id}/hide`],
          ['POST', `/api/v1/stores/${other.storeId}/reviews/${target.id}/unhide`],
        ] as const) {
          const res = await t.hs.app.inject({ method, url, headers: otherMerchant });
          assert.equal(res.statusCode, 404, `${method} ${url} -> ${res.body}`);
          assert.equal(res.json().code, 'NOT_FOUND');
        }
        assert.deepEqual((await api<{ items: StoreReview[] }>(t, 'GET', `/api/v1/stores/${other.storeId}/reviews`, otherMerchant, undefined, 200)).items, []);
        const after = (await storeReviews()).find((r) => r.id === target.id);
        assert.equal(after?.hidden, target.hidden, 'nothing changed');
        for (const headers of [reviews[0]?.headers ?? {}, world.promoter]) {
          assert.equal((await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${world.storeId}/reviews`, headers })).statusCode, 403);
        }
      });

      it('shows the average, the count and the latest reviews on the product page, and nothing of the sale', async () => {
        const res = await t.hs.app.inject({ method: 'GET', url: `/s/${product.storeSlug}/p/${product.productId}` });
        assert.equal(res.statusCode, 200);
        const body = res.body;
        assert.match(body, /买家评价/);
        assert.match(body, /3\.7 分/);
        assert.match(body, /共 3 条/);
        for (const text of ['非常暖和,尺码标准', '物流快,包装好', '有点大', '颜色: 黑', '2026-11-25', `买家 ***${(mobiles[0] as string).slice(-4)}`]) assert.ok(body.includes(text), text);
        assert.match(body, /999\.00/, 'the public price is there');
        assert.doesNotMatch(body, /清仓价|血赚/, 'screened reviews stay off the page');
        for (const pattern of PRICE_PATTERNS) assert.doesNotMatch(body, pattern);
        for (const mobile of mobiles) assert.ok(!body.includes(mobile));
        assert.doesNotMatch(body, /冬季清仓|Winter clearance/);
        assert.ok(!body.includes(world.link.shareCode) && !body.includes(world.link.token));
        const empty = await buildWorld(t);
        const emptyPage = await t.hs.app.inject({ method: 'GET', url: `/s/${empty.storeSlug}/p/${empty.productId}` });
        assert.match(emptyPage.body, /还没有评价/);
      });

      it('crawls the public surface after reviews of event orders and finds no clearance price, event title or share code', async () => {
        const urls = [
          `/api/v1/public/products/${product.productId}/reviews`,
          `/api/v1/public/products/${product.productId}/reviews?limit=1`,
          `/api/v1/public/products/${product.productId}`,
          `/s/${product.storeSlug}/p/${product.productId}`,
          `/s/${product.storeSlug}`,
          `/s/${product.storeSlug}/search?q=${encodeURIComponent('羽绒服')}`,
          `/api/v1/public/stores/${product.storeSlug}/products`,
          `/api/v1/public/search?q=${encodeURIComponent('羽绒服')}`,
        ];
        let cursor: number | null = null;
        do {
          const page: PublicReviews = await publicReviews(`?limit=1${cursor ? `&beforeId=${cursor}` : ''}`);
          urls.push(`/api/v1/public/products/${product.productId}/reviews?limit=1${cursor ? `&beforeId=${cursor}` : ''}`);
          cursor = page.nextBeforeId;
        } while (cursor !== null);
        const forbidden = ['冬季清仓', 'Winter clearance', world.link.shareCode, world.link.token, world.eventId, world.offerId, world.promoterId, world.channelId];
        for (const who of [{}, reviews[0]?.headers ?? {}, world.promoter]) {
          for (const url of urls) {
            const res = await t.hs.app.inject({ method: 'GET', url, headers: { ...who, 'x-request-id': 'reviews-crawl-request' } });
            assert.equal(res.statusCode, 200, url);
            const seen = `${Object.entries(res.headers).filter(([k]) => !['content-length', 'date', 'etag', 'last-modified'].includes(k)).map(([k, v]) => `${k}: ${String(v)}`).join('\n')}\n${res.body}`;
            for (const pattern of PRICE_PATTERNS) assert.doesNotMatch(seen, pattern, url);
            for (const text of forbidden) assert.ok(!seen.includes(text), `${url} shows ${text}`);
          }
        }
      });
    });
  });
}

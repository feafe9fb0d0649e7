// Catalog through HTTP on every store under test: merchants' products, isolation between stores,
// refused input writing nothing, and the public API and pages showing only public prices.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';
import { isoUtc } from '../src/platform/clock.ts';
import { newId } from '../src/platform/ids.ts';

/** A store row, inserted directly (the accounts feature owns store sign-up). */
export async function insertStore(t: TestApp, slug: string, name = `店铺 ${slug}`): Promise<string> {
  const id = newId('sto', t.clock.nowMs());
  await t.hs.ctx.db.insertInto('stores').values({ id, slug, name, description: `${name} 官方店`, logo_url: null, created_at: isoUtc(t.clock.nowMs()) }).execute();
  return id;
}

async function countRows(t: TestApp, table: 'products' | 'skus'): Promise<number> {
  const row = await t.hs.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

let slugCounter = 0;
function nextSlug(prefix: string): string {
  slugCounter += 1;
  return `${prefix}-${slugCounter}`;
}

const shirt = {
  title: '纯棉圆领T恤',
  description: '经典款,百搭。',
  imageUrl: 'https://img.example.com/tee.jpg',
  skus: [
    { code: 'TEE-BLK-L', attributes: { 颜色: '黑', 尺码: 'L' }, publicPriceFen: 19900, stockUnits: 50, costFen: 6000 },
    { code: 'TEE-WHT-M', attributes: { 颜色: '白', 尺码: 'M' }, publicPriceFen: 19900, stockUnits: 0 },
  ],
};

for (const store of storesUnderTest()) {
  describe(`catalog on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    it('lets a merchant create a product with SKUs and list it with stock and cost', async () => {
      const storeId = await insertStore(t, nextSlug('tee'));
      const merchant = await t.signIn('merchant', { storeId });
      const created = await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${storeId}/products`, headers: merchant.headers, payload: shirt });
      assert.equal(created.statusCode, 201, created.body);
      const product = created.json();
      assert.match(product.id, /^prd_/);
      assert.equal(product.skus.length, 2);
      assert.match(product.skus[0].id, /^sku_/);
      assert.deepEqual(product.skus[0].attributes, { 颜色: '黑', 尺码: 'L' });

      const list = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${storeId}/products`, headers: merchant.headers });
      assert.equal(list.statusCode, 200);
      assert.equal(list.headers['cache-control'], 'private, no-store');
      const [listed] = list.json().items;
      assert.equal(listed.id, product.id);
      assert.equal(listed.skus[0].stockUnits, 50);
      assert.equal(listed.skus[0].costFen, 6000);
      assert.equal(listed.skus[1].costFen, null);

      const sku = await t.hs.services.catalog.getSkuForSale(product.skus[0].id);
      assert.deepEqual(sku, { id: product.skus[0].id, storeId, productId: product.id, productTitle: shirt.title, code: 'TEE-BLK-L', publicPriceFen: 19900, stockUnits: 50 });
      assert.equal(await t.hs.services.catalog.getSkuForSale('sku_missing'), null);

      const operator = await t.signIn('operator');
      const byOperator = await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${storeId}/products`, headers: operator.headers, payload: { title: '袜子', skus: [{ code: 'SOCK-1', attributes: {}, publicPriceFen: 2900, stockUnits: 5 }] } });
      assert.equal(byOperator.statusCode, 201, byOperator.body);
    });

    it("answers 404 for another store's products and SKUs, and 401/403 without the right role", async () => {
      const storeA = await insertStore(t, nextSlug('iso-a'));
      const storeB = await insertStore(t, nextSlug('iso-b'));
      const merchantA = await t.signIn('merchant', { storeId: storeA });
      const merchantB = await t.signIn('merchant', { storeId: storeB });
      const created = await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${storeA}/products`, headers: merchantA.headers, payload: shirt });
      const skuId = created.json().skus[0].id;
      const before = await countRows(t, 'products');

      const list = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${storeA}/products`, headers: merchantB.headers });
      assert.equal(list.statusCode, 404);
      const create = await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${storeA}/products`, headers: merchantB.headers, payload: { ...shirt, skus: [{ ...shirt.skus[0], code: 'B-INTO-A' }] } });
      assert.equal(create.statusCode, 404);
      const patch = await t.hs.app.inject({ method: 'PATCH', url: `/api/v1/stores/${storeA}/skus/${skuId}`, headers: merchantB.headers, payload: { publicPriceFen: 1 } });
      assert.equal(patch.statusCode, 404);
      // B's own store path with A's SKU: still not found.
      const sideways = await t.hs.app.inject({ method: 'PATCH', url: `/api/v1/stores/${storeB}/skus/${skuId}`, headers: merchantB.headers, payload: { publicPriceFen: 1 } });
      assert.equal(sideways.statusCode, 404);
      assert.equal(await countRows(t, 'products'), before);
      assert.equal((await t.hs.services.catalog.getSkuForSale(skuId))?.publicPriceFen, 19900);

      const anonymous = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${storeA}/products` });
      assert.equal(anonymous.statusCode, 401);
      const promoter = await t.signIn('promoter');
      const wrongRole = await t.hs.app.inject({ method: 'GET', url: `/api/v1/stores/${storeA}/products`, headers: promoter.headers });
      assert.equal(wrongRole.statusCode, 403);
    });

    it('refuses bad input with 400 and writes nothing', async () => {
      const storeId = await insertStore(t, nextSlug('bad'));
      const merchant = await t.signIn('merchant', { storeId });
      const products = await countRows(t, 'products');
      const skus = await countRows(t, 'skus');
      const sku = shirt.skus[0];
      const bad: unknown[] = [
        { title: '无规格', skus: [] },
        { title: '负价', skus: [{ ...sku, publicPriceFen: -1 }] },
        { title: '零价', skus: [{ ...sku, publicPriceFen: 0 }] },
        { title: '小数价', skus: [{ ...sku, publicPriceFen: 19.9 }] },
        { title: '负库存', skus: [{ ...sku, stockUnits: -1 }] },
        { title: '多余字段', skus: [{ ...sku, clearancePriceFen: 100 }] },
        { title: '多余字段', sneaky: true, skus: [sku] },
        { title: '重复货号', skus: [sku, { ...sku, attributes: { 颜色: '红' } }] },
        { title: '坏图片', imageUrl: 'javascript:alert(1)', skus: [sku] },
        { title: '', skus: [sku] },
        { title: '太多规格', skus: Array.from({ length: t.config.limits.maxSkusPerProduct + 1 }, (_, i) => ({ ...sku, code: `MANY-${i}` })) },
      ];
      for (const payload of bad) {
        const res = await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${storeId}/products`, headers: merchant.headers, payload: payload as object });
        assert.equal(res.statusCode, 400, `${JSON.stringify(payload).slice(0, 80)} -> ${res.body}`);
        assert.equal(res.json().code, 'VALIDATION_FAILED');
      }
      assert.equal(await countRows(t, 'products'), products);
      assert.equal(await countRows(t, 'skus'), skus);
    });

    it('refuses a SKU code the store already uses with 409 ALREADY_EXISTS and writes nothing', async () => {
      const storeId = await insertStore(t, nextSlug('dup'));
      const merchant = await t.signIn('merchant', { storeId });
      const first = await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${storeId}/products`, headers: merchant.headers, payload: shirt });
      assert.equal(first.statusCode, 201);
      const products = await countRows(t, 'products');
      const again = await t.hs.app.inject({
        method: 'POST', url: `/api/v1/stores/${storeId}/products`, headers: merchant.headers,
        payload: { title: '另一件', skus: [{ code: 'NEW-1', attributes: {}, publicPriceFen: 100, stockUnits: 1 }, { code: 'TEE-BLK-L', attributes: {}, publicPriceFen: 100, stockUnits: 1 }] },
      });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().code, 'ALREADY_EXISTS');
      assert.equal(await countRows(t, 'products'), products);
      const taken = await t.hs.ctx.db.selectFrom('skus').select('id').where('store_id', '=', storeId).where('code', '=', 'NEW-1').execute();
      assert.equal(taken.length, 0);
      // Another store may use the same code.
      const otherStore = await insertStore(t, nextSlug('dup-other'));
      const other = await t.signIn('merchant', { storeId: otherStore });
      const elsewhere = await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${otherStore}/products`, headers: other.headers, payload: shirt });
      assert.equal(elsewhere.statusCode, 201);
    });

    it('changes a public price and stock, never below zero', async () => {
      const storeId = await insertStore(t, nextSlug('patch'));
      const merchant = await t.signIn('merchant', { storeId });
      const skuId = (await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${storeId}/products`, headers: merchant.headers, payload: shirt })).json().skus[0].id;
      const url = `/api/v1/stores/${storeId}/skus/${skuId}`;

      const price = await t.hs.app.inject({ method: 'PATCH', url, headers: merchant.headers, payload: { publicPriceFen: 17900 } });
      assert.equal(price.statusCode, 200, price.body);
      assert.equal(price.json().publicPriceFen, 17900);
      const set = await t.hs.app.inject({ method: 'PATCH', url, headers: merchant.headers, payload: { stockUnits: 8 } });
      assert.equal(set.json().stockUnits, 8);
      const add = await t.hs.app.inject({ method: 'PATCH', url, headers: merchant.headers, payload: { stockDeltaUnits: -3 } });
      assert.equal(add.json().stockUnits, 5);
      const tooMany = await t.hs.app.inject({ method: 'PATCH', url, headers: merchant.headers, payload: { stockDeltaUnits: -6, publicPriceFen: 100 } });
      assert.equal(tooMany.statusCode, 409);
      assert.equal(tooMany.json().code, 'INSUFFICIENT_STOCK');
      assert.deepEqual(tooMany.json().details, { skuId, requested: 6, available: 5 });
      for (const payload of [{ stockUnits: -1 }, {}, { publicPriceFen: 0 }, { stockUnits: 1, stockDeltaUnits: 1 }, { code: 'X' }]) {
        const res = await t.hs.app.inject({ method: 'PATCH', url, headers: merchant.headers, payload });
        assert.equal(res.statusCode, 400, JSON.stringify(payload));
      }
      const after = await t.hs.services.catalog.getSkuForSale(skuId);
      assert.equal(after?.stockUnits, 5);
      assert.equal(after?.publicPriceFen, 17900, 'the refused change rolled back its price part too');
    });

    it('serves the public JSON API with public fields only and a short public cache', async () => {
      const slug = nextSlug('pub');
      const storeId = await insertStore(t, slug, '公开店');
      const merchant = await t.signIn('merchant', { storeId });
      const product = (await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${storeId}/products`, headers: merchant.headers, payload: shirt })).json();

      const storeRes = await t.hs.app.inject({ method: 'GET', url: `/api/v1/public/stores/${slug}` });
      assert.equal(storeRes.statusCode, 200);
      assert.equal(storeRes.headers['cache-control'], 'public, max-age=30');
      assert.deepEqual(storeRes.json(), { id: storeId, slug, name: '公开店', description: '公开店 官方店', logoUrl: null });

      const list = await t.hs.app.inject({ method: 'GET', url: `/api/v1/public/stores/${slug}/products` });
      assert.equal(list.statusCode, 200);
      assert.equal(list.headers['cache-control'], 'public, max-age=30');
      const [listed] = list.json().items;
      assert.equal(listed.id, product.id);
      assert.deepEqual(Object.keys(listed.skus[0]).sort(), ['attributes', 'code', 'id', 'imageUrl', 'inStock', 'publicPriceFen']);
      assert.equal(listed.skus[0].inStock, true);
      assert.equal(listed.skus[1].inStock, false);
      assert.ok(!list.body.includes('stockUnits') && !list.body.includes('costFen') && !list.body.includes('6000'));

      const one = await t.hs.app.inject({ method: 'GET', url: `/api/v1/public/products/${product.id}` });
      assert.equal(one.statusCode, 200);
      assert.equal(one.json().fromPriceFen, 19900);
      assert.equal(one.json().storeSlug, slug);

      const search = await t.hs.app.inject({ method: 'GET', url: `/api/v1/public/search?q=${encodeURIComponent('圆领')}&store=${slug}` });
      assert.equal(search.statusCode, 200);
      assert.deepEqual(search.json().items.map((p: { id: string }) => p.id), [product.id]);
      const byCode = await t.hs.app.inject({ method: 'GET', url: `/api/v1/public/search?q=tee-wht&store=${slug}` });
      assert.equal(byCode.json().items.length, 1, 'SKU codes match case-insensitively');
      const wildcard = await t.hs.app.inject({ method: 'GET', url: `/api/v1/public/search?q=${encodeURIComponent('%')}&store=${slug}` });
      assert.equal(wildcard.json().items.length, 0, 'a typed % is not a wildcard');

      for (const url of [`/api/v1/public/stores/nope-${slug}`, `/api/v1/public/stores/nope-${slug}/products`, '/api/v1/public/products/prd_nope', `/api/v1/public/search?q=a&store=nope-${slug}`]) {
        const res = await t.hs.app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 404, url);
        assert.equal(res.json().code, 'NOT_FOUND');
      }
    });

    it('renders the store, product and search pages with public prices and link-preview tags', async () => {
      const slug = nextSlug('page');
      const storeId = await insertStore(t, slug, '页面店');
      const merchant = await t.signIn('merchant', { storeId });
      const product = (await t.hs.app.inject({ method: 'POST', url: `/api/v1/stores/${storeId}/products`, headers: merchant.headers, payload: shirt })).json();

      const storePage = await t.hs.app.inject({ method: 'GET', url: `/s/${slug}` });
      assert.equal(storePage.statusCode, 200);
      assert.match(String(storePage.headers['content-type']), /^text\/html/);
      assert.equal(storePage.headers['cache-control'], 'public, max-age=30');
      assert.match(storePage.body, /<html lang="zh-CN">/);
      assert.match(storePage.body, /name="viewport"/);
      assert.ok(storePage.body.includes('纯棉圆领T恤'));
      assert.ok(storePage.body.includes('¥199.00'));
      assert.ok(storePage.body.includes(`/s/${slug}/p/${product.id}`));

      const productPage = await t.hs.app.inject({ method: 'GET', url: `/s/${slug}/p/${product.id}` });
      assert.equal(productPage.statusCode, 200);
      const body = productPage.body;
      assert.match(body, /<meta property="og:title" content="纯棉圆领T恤">/);
      assert.match(body, /<meta property="og:image" content="https:\/\/img\.example\.com\/tee\.jpg">/);
      assert.match(body, /<meta property="og:description" content="¥199\.00 · 经典款,百搭。">/);
      assert.ok(body.includes('颜色: 黑 · 尺码: L'));
      assert.ok(body.includes('立即购买'));
      assert.ok(body.includes('action="/checkout"') && body.includes(`name="sku" value="${product.skus[0].id}"`));
      assert.ok(body.includes('缺货'), 'the SKU without stock says so');
      assert.ok(!body.includes(`value="${product.skus[1].id}"`), 'no buy form for a SKU without stock');

      const search = await t.hs.app.inject({ method: 'GET', url: `/s/${slug}/search?q=${encodeURIComponent('T恤')}` });
      assert.equal(search.statusCode, 200);
      assert.ok(search.body.includes('纯棉圆领T恤'));
      const nothing = await t.hs.app.inject({ method: 'GET', url: `/s/${slug}/search?q=${encodeURIComponent('<script>')}` });
      assert.ok(nothing.body.includes('&lt;script&gt;') && !nothing.body.includes('<script>'));

      const otherSlug = nextSlug('page-other');
      await insertStore(t, otherSlug);
      for (const url of [`/s/no-such-${slug}`, `/s/${slug}/p/prd_nope`, `/s/${otherSlug}/p/${product.id}`, `/s/no-such-${slug}/search?q=a`]) {
        const res = await t.hs.app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 404, url);
        assert.match(String(res.headers['content-type']), /^text\/html/);
        assert.ok(res.body.includes('页面不存在'));
      }
    });

    it('never shows a clearance price publicly while an event is live', async () => {
      const slug = nextSlug('leak');
      const storeId = await insertStore(t, slug);
      const merchant = await t.signIn('merchant', { storeId });
      const operator = await t.signIn('operator');
      const product = (await t.hs.app.inject({
        method: 'POST', url: `/api/v1/stores/${storeId}/products`, headers: merchant.headers,
        payload: { title: '清仓羽绒服', description: '保暖', imageUrl: 'https://img.example.com/down.jpg', skus: [{ code: 'DOWN-1', attributes: { 颜色: '黑' }, publicPriceFen: 59900, stockUnits: 100 }] },
      })).json();
      const channel = (await t.hs.app.inject({ method: 'POST', url: '/api/v1/channels', headers: operator.headers, payload: { name: '男装团', vertical: '男装' } })).json();
      const created = await t.hs.app.inject({
        method: 'POST', url: '/api/v1/events', headers: operator.headers,
        payload: {
          storeId, channelId: channel.id, title: '羽绒服品牌日',
          startsAt: isoUtc(t.clock.nowMs()), endsAt: isoUtc(t.clock.nowMs() + 2 * 3_600_000),
          offers: [{ skuId: product.skus[0].id, clearancePriceFen: 12345, allocatedUnits: 40, perBuyerLimit: 2, isHero: true }],
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      t.clock.advanceMinutes(5);
      assert.equal(t.hs.services.events.phaseOf(created.json()), 'live');

      const urls = [
        `/api/v1/public/stores/${slug}`,
        `/api/v1/public/stores/${slug}/products`,
        `/api/v1/public/products/${product.id}`,
        `/api/v1/public/search?q=${encodeURIComponent('羽绒')}`,
        `/api/v1/public/search?q=${encodeURIComponent('羽绒')}&store=${slug}`,
        `/s/${slug}`,
        `/s/${slug}/p/${product.id}`,
        `/s/${slug}/search?q=${encodeURIComponent('羽绒')}`,
      ];
      for (const url of urls) {
        const res = await t.hs.app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 200, url);
        if (url !== `/api/v1/public/stores/${slug}`) {
          assert.ok(res.body.includes(url.startsWith('/s/') ? '¥599.00' : '"publicPriceFen":59900'), `${url} shows the public price`);
        }
        assert.ok(!res.body.includes('12345'), `${url} carries the clearance price in fen`);
        assert.ok(!res.body.includes('123.45'), `${url} carries the clearance price in yuan`);
        assert.ok(!/clearance/i.test(res.body), `${url} names a clearance field`);
        assert.equal(res.headers['cache-control'], 'public, max-age=30');
      }
      const pageBody = (await t.hs.app.inject({ method: 'GET', url: `/s/${slug}/p/${product.id}` })).body;
      assert.match(pageBody, /og:description" content="¥599\.00/);
    });

    it('declares a response schema for every public route', async () => {
      const doc = (await t.hs.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      const paths = ['/api/v1/public/stores/{slug}', '/api/v1/public/stores/{slug}/products', '/api/v1/public/products/{productId}', '/api/v1/public/search'];
      for (const path of paths) {
        const responses = doc.paths[path]?.get?.responses;
        assert.ok(responses?.['200']?.content?.['application/json']?.schema, `${path} has a 200 schema`);
        assert.ok(responses?.['404'], `${path} has a 404 schema`);
        assert.ok(!JSON.stringify(responses['200']).includes('clearance'), `${path} declares no clearance field`);
      }
    });
  });
}

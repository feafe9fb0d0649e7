// The platform on its own: health, readiness, error shape, OpenAPI, on every store under test.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, storesUnderTest, type TestApp } from './harness.ts';

for (const store of storesUnderTest()) {
  describe(`platform on ${store}`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(store);
    });
    after(async () => t.close());

    it('answers health and readiness', async () => {
      const health = await t.hs.app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(health.statusCode, 200);
      const ready = await t.hs.app.inject({ method: 'GET', url: '/readyz' });
      assert.deepEqual(ready.json(), { status: 'ready' });
    });

    it('answers an unknown route with a JSON 404 and a stable code', async () => {
      const res = await t.hs.app.inject({ method: 'GET', url: '/no/such/thing' });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().code, 'ROUTE_NOT_FOUND');
      const zh = await t.hs.app.inject({ method: 'GET', url: '/no/such/thing', headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
      assert.match(zh.json().message, /没有/);
    });

    it('serves an OpenAPI 3 document and the docs page', async () => {
      const doc = await t.hs.app.inject({ method: 'GET', url: '/openapi.json' });
      assert.equal(doc.statusCode, 200);
      assert.match(doc.json().openapi, /^3\./);
      const docs = await t.hs.app.inject({ method: 'GET', url: '/docs' });
      assert.ok(docs.statusCode === 200 || docs.statusCode === 302, `docs answered ${docs.statusCode}`);
    });
  });
}

// The landing page: what Hushsale is and where to go (share code, my orders, API docs).
import type { App } from '../platform/http.ts';
import { html, page } from '../platform/html.ts';

export async function homeRoutes(app: App): Promise<void> {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=60').type('text/html; charset=utf-8');
    return page({
      title: 'Hushsale 特卖',
      body: html`<section class="card">
  <h1>Hushsale</h1>
  <p>品牌尾货专场:专享价只对推广链接和口令可见,在品牌自己的店铺里成交。</p>
  <p class="muted">Brand clearance sales whose price only a promoter's link or share code reveals, sold inside the brand's own store.</p>
  <p><a class="button primary" href="/code">输入口令 Enter a share code</a></p>
  <p><a class="button" href="/orders">我的订单 My orders</a></p>
  <p class="muted small"><a href="/docs">API 文档 API docs</a> · <a href="/openapi.json">OpenAPI</a></p>
</section>`,
    });
  });
}
